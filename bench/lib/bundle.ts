import { readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { SST_BUILD_OPTIONS } from '../../scripts/bundle.ts';

// How SST builds a function for a deploy, as the infrastructure tests use it: one definition.
export { SST_BUILD_OPTIONS };

export interface PackageShare {
  readonly name: string;
  readonly bytes: number;
}

export interface Bundle {
  readonly name: string;
  readonly entry: string;
  readonly file: string;
  readonly bytes: number;
  /** The bundle gzipped: about what the deployment zip adds for it. */
  readonly gzipBytes: number;
  /** Bytes in the output per package, largest first (esbuild metafile `bytesInOutput`). */
  readonly packages: readonly PackageShare[];
}

/** The package a metafile input belongs to: `@aws-sdk/client-s3`, `jose`, `@identities/core`, `functions`. */
export function packageOf(input: string): string {
  const parts = input.split('/');
  const last = parts.lastIndexOf('node_modules');
  if (last !== -1) {
    const first = parts[last + 1] ?? input;
    return first.startsWith('@') ? `${first}/${parts[last + 2] ?? ''}` : first;
  }
  if (parts[0] === 'packages' && parts[1] !== undefined) return `@identities/${parts[1]}`;
  return parts[0] ?? input;
}

/**
 * Bundles one entry module (relative to `root`) into `outDir` as `<name>.mjs`. `minify: false` keeps
 * function names for CPU profiles; such bundles are not the ones Lambda loads.
 */
export async function bundle(
  root: string,
  name: string,
  entry: string,
  outDir: string,
  options: { minify?: boolean } = {},
): Promise<Bundle> {
  const file = join(outDir, `${name}.mjs`);
  const result = await esbuild.build({
    ...SST_BUILD_OPTIONS,
    logLevel: 'silent',
    minify: options.minify ?? SST_BUILD_OPTIONS.minify,
    absWorkingDir: root,
    entryPoints: [join(root, entry)],
    outfile: file,
  });
  const output = result.metafile.outputs[relative(root, file)] ?? Object.values(result.metafile.outputs)[0];
  if (output === undefined) throw new Error(`esbuild wrote nothing for ${entry}`);
  const byPackage = new Map<string, number>();
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const name = packageOf(input);
    byPackage.set(name, (byPackage.get(name) ?? 0) + bytesInOutput);
  }
  const packages = [...byPackage].map(([name, bytes]) => ({ name, bytes })).sort((a, b) => b.bytes - a.bytes);
  const gzipBytes = gzipSync(await readFile(file), { level: 9 }).length;
  return { name, entry, file, bytes: output.bytes, gzipBytes, packages };
}

/** Bundles a small Node program (no SST banner, not minified): the bench's own child-process code. */
export async function bundleTool(root: string, entry: string, file: string): Promise<void> {
  await esbuild.build({
    absWorkingDir: root,
    entryPoints: [join(root, entry)],
    outfile: file,
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    logLevel: 'silent',
  });
}
