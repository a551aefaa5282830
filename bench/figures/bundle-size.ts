import { join } from 'node:path';
import { BASELINES, FUNCTIONS } from '../functions.ts';
import { type Bundle, bundle, bundleTool } from '../lib/bundle.ts';
import { kb, x } from '../lib/format.ts';
import type { Row } from '../lib/table.ts';

/**
 * Figure 1: every function bundled as SST bundles it for a deploy, and the baselines the same way.
 * The cold starts of figure 2 load these very files.
 */
export interface Bundles {
  readonly functions: ReadonlyMap<string, Bundle>;
  readonly baselines: ReadonlyMap<string, Bundle>;
  /** The cold-start runner (bench/cold-start/runner.ts), bundled. */
  readonly runner: string;
}

export async function buildBundles(root: string, outDir: string, minify: boolean): Promise<Bundles> {
  const functions = new Map<string, Bundle>();
  for (const fn of FUNCTIONS) functions.set(fn.id, await bundle(root, fn.id, fn.entry, outDir, { minify }));
  const baselines = new Map<string, Bundle>();
  for (const name of new Set(Object.values(BASELINES))) {
    baselines.set(name, await bundle(root, `baseline-${name}`, `bench/baselines/${name}.ts`, outDir, { minify }));
  }
  const runner = join(outDir, 'runner.mjs');
  await bundleTool(root, 'bench/cold-start/runner.ts', runner);
  return { functions, baselines, runner };
}

export function bundleFigure(bundles: Bundles) {
  const rows: Row[] = [];
  const result = FUNCTIONS.flatMap((fn) => {
    const own = bundles.functions.get(fn.id);
    if (own === undefined) return [];
    const baseline = fn.baseline === undefined ? undefined : bundles.baselines.get(fn.baseline);
    rows.push({
      figure: '1',
      name: `bundle ${fn.id}`,
      measured: `${kb(own.bytes)} (${kb(own.gzipBytes)} gz)`,
      baseline: baseline === undefined ? 'none' : `${kb(baseline.bytes)} (raw SDK calls)`,
      ratio: baseline === undefined ? '' : x(own.bytes / baseline.bytes),
      target: 'report',
      met: undefined,
    });
    return [
      {
        function: fn.id,
        bytes: own.bytes,
        gzipBytes: own.gzipBytes,
        baselineBytes: baseline?.bytes,
        packages: own.packages.slice(0, 12),
      },
    ];
  });
  return { rows, result };
}

/** Which packages make up each bundle, largest first. */
export function packageBreakdown(bundles: Bundles, top = 7): string {
  const lines = ['What the bundles hold (minified bytes per package, esbuild metafile):'];
  for (const fn of FUNCTIONS) {
    const own = bundles.functions.get(fn.id);
    if (own === undefined) continue;
    const parts = own.packages
      .slice(0, top)
      .map((item) => `${item.name} ${kb(item.bytes)} (${Math.round((100 * item.bytes) / own.bytes)}%)`);
    lines.push(`  ${fn.id} ${kb(own.bytes)}: ${parts.join(', ')}`);
  }
  return lines.join('\n');
}
