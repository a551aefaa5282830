import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routes } from '@identities/core';
import { bundleFunction } from './bundle.ts';

/**
 * Bundles every function of the route table as a deploy would and records what each weighs, in
 * `.sst/bundles/sizes.json`: `npm run bundle:sizes`.
 */
const root = fileURLToPath(new URL('..', import.meta.url));
const outDir = join(root, '.sst', 'bundles');
await rm(outDir, { recursive: true, force: true });
await mkdir(outDir, { recursive: true });

const sizes: Record<string, { handler: string; bytes: number; modules: number }> = {};
for (const route of routes) {
  const bundle = await bundleFunction(root, route.handler, join(outDir, route.id));
  sizes[route.id] = { handler: route.handler, bytes: bundle.bytes, modules: bundle.inputs.length };
}
await writeFile(join(outDir, 'sizes.json'), `${JSON.stringify(sizes, null, 2)}\n`);
console.table(
  Object.fromEntries(
    Object.entries(sizes).map(([id, { bytes, modules }]) => [id, { kB: Math.round(bytes / 102.4) / 10, modules }]),
  ),
);
