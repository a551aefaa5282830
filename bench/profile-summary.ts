import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { packageOf } from './lib/bundle.ts';

/**
 * Summarises V8 CPU profiles (`node --cpu-prof`, or `npm run bench -- --cpu-prof`), averaged over every
 * profile given: self time by package, and the functions with the most self and inclusive time.
 * With `--diff A B`, the functions whose inclusive time grew most from profiles B to profiles A (the
 * function against its baseline).
 *
 *   node --import tsx bench/profile-summary.ts DIR_OR_FILE... [--top N]
 *   node --import tsx bench/profile-summary.ts --diff DIR_A DIR_B [--top N]
 */
interface ProfileNode {
  readonly id: number;
  readonly callFrame: { readonly functionName: string; readonly url: string; readonly lineNumber: number };
  readonly children?: readonly number[];
}

interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}

interface Totals {
  readonly profiles: number;
  readonly sampledMs: number;
  readonly selfByPackage: Map<string, number>;
  readonly selfByFunction: Map<string, number>;
  readonly inclusiveByFunction: Map<string, number>;
}

const SPECIAL = new Set(['(idle)', '(program)', '(garbage collector)', '(root)']);

function where(url: string): string {
  if (url === '') return '(native)';
  if (url.startsWith('node:')) return 'node';
  const path = url.startsWith('file:') ? fileURLToPath(url) : url;
  if (path.includes('/node_modules/')) return packageOf(path.slice(path.indexOf('node_modules/')));
  const inRepo = /\/(packages|functions|bench)\/(.*)$/.exec(path);
  if (inRepo !== null) return packageOf(`${inRepo[1]}/${inRepo[2]}`);
  // A bundle: its functions keep their names (unminified builds) but not their origin.
  return '(bundle)';
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  if (SPECIAL.has(functionName)) return functionName;
  const origin = where(url);
  // Lines differ between two bundles of the same code: name bundled functions by name alone.
  return origin === '(bundle)'
    ? `${functionName || '(anonymous)'} (bundle)`
    : `${functionName || '(anonymous)'} ${origin}:${lineNumber + 1}`;
}

async function profileFiles(paths: readonly string[]): Promise<string[]> {
  const found: string[] = [];
  for (const path of paths) {
    if ((await stat(path)).isDirectory()) {
      for (const entry of await readdir(path, { recursive: true })) {
        if (entry.endsWith('.cpuprofile')) found.push(join(path, entry));
      }
    } else {
      found.push(path);
    }
  }
  return found;
}

const add = (map: Map<string, number>, key: string, micros: number) => map.set(key, (map.get(key) ?? 0) + micros);

export async function totals(paths: readonly string[]): Promise<Totals> {
  const files = await profileFiles(paths);
  const result: Totals = {
    profiles: files.length,
    sampledMs: 0,
    selfByPackage: new Map(),
    selfByFunction: new Map(),
    inclusiveByFunction: new Map(),
  };
  let sampled = 0;
  for (const file of files) {
    const profile = JSON.parse(await readFile(file, 'utf8')) as Profile;
    const byId = new Map(profile.nodes.map((node) => [node.id, node]));
    const parent = new Map<number, number>();
    for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
    profile.samples.forEach((id, index) => {
      const micros = profile.timeDeltas[index] ?? 0;
      const node = byId.get(id);
      if (node === undefined) return;
      sampled += micros;
      const name = label(node);
      add(result.selfByFunction, name, micros);
      add(result.selfByPackage, SPECIAL.has(name) ? name : where(node.callFrame.url), micros);
      const seen = new Set<string>();
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
        const frame = byId.get(at);
        if (frame === undefined) break;
        const frameName = label(frame);
        if (frameName === '(root)' || seen.has(frameName)) continue;
        seen.add(frameName);
        add(result.inclusiveByFunction, frameName, micros);
      }
    });
  }
  return { ...result, sampledMs: sampled / 1000 };
}

function top(map: Map<string, number>, count: number, profiles: number, total: number): string[] {
  return [...map]
    .sort((a, b) => b[1] - a[1])
    .slice(0, count)
    .map(([name, micros]) => {
      const ms = micros / 1000 / Math.max(1, profiles);
      return `  ${((100 * micros) / 1000 / Math.max(1, total)).toFixed(1).padStart(5)}% ${ms.toFixed(2).padStart(8)} ms  ${name}`;
    });
}

export function describe(name: string, summary: Totals, count: number): string {
  const { profiles, sampledMs } = summary;
  return [
    `${name}: ${profiles} profile(s), ${(sampledMs / Math.max(1, profiles)).toFixed(0)} ms sampled each (per-profile averages)`,
    'self time by package:',
    ...top(summary.selfByPackage, count, profiles, sampledMs),
    'self time by function:',
    ...top(summary.selfByFunction, count, profiles, sampledMs),
    'inclusive time by function:',
    ...top(summary.inclusiveByFunction, count, profiles, sampledMs),
  ].join('\n');
}

export function diff(a: Totals, b: Totals, count: number): string {
  const names = new Set([...a.inclusiveByFunction.keys(), ...b.inclusiveByFunction.keys()]);
  const grown = [...names]
    .map((name) => {
      const msA = (a.inclusiveByFunction.get(name) ?? 0) / 1000 / Math.max(1, a.profiles);
      const msB = (b.inclusiveByFunction.get(name) ?? 0) / 1000 / Math.max(1, b.profiles);
      return { name, msA, msB, delta: msA - msB };
    })
    .sort((left, right) => right.delta - left.delta)
    .slice(0, count);
  const perA = a.sampledMs / Math.max(1, a.profiles);
  const perB = b.sampledMs / Math.max(1, b.profiles);
  return [
    `sampled per profile: ${perA.toFixed(1)} ms against ${perB.toFixed(1)} ms (+${(perA - perB).toFixed(1)} ms)`,
    'inclusive time grown most (A against B, ms per profile):',
    ...grown.map(
      (entry) =>
        `  +${entry.delta.toFixed(2).padStart(7)}  ${entry.msA.toFixed(2).padStart(7)} vs ${entry.msB.toFixed(2).padStart(7)}  ${entry.name}`,
    ),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const topIndex = args.indexOf('--top');
  const count = topIndex === -1 ? 15 : Number(args[topIndex + 1]);
  const paths = args.filter((arg, index) => !arg.startsWith('--') && (topIndex === -1 || index !== topIndex + 1));
  if (args.includes('--diff')) {
    const [first, second] = paths;
    if (first === undefined || second === undefined) throw new Error('--diff needs two profile dirs');
    process.stdout.write(`${diff(await totals([first]), await totals([second]), count)}\n`);
  } else {
    process.stdout.write(`${describe(paths.join(' '), await totals(paths), count)}\n`);
  }
}
