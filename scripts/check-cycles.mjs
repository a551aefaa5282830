// Fails when any module under packages/ imports itself through others. Workspace packages import each
// other by name through their package.json `exports`; madge resolves those names through TypeScript
// paths built here from the same `exports`, so a cycle across packages counts as one within a package.
import { readdirSync, readFileSync } from 'node:fs';
import madge from 'madge';

const root = new URL('../', import.meta.url);
const paths = {};
for (const dir of readdirSync(new URL('packages/', root))) {
  const manifest = JSON.parse(readFileSync(new URL(`packages/${dir}/package.json`, root), 'utf8'));
  for (const [subpath, target] of Object.entries(manifest.exports ?? {})) {
    paths[`${manifest.name}${subpath.slice(1)}`] = [`packages/${dir}/${target.replace(/^\.\//, '')}`];
  }
}

const result = await madge(new URL('packages/', root).pathname, {
  fileExtensions: ['ts'],
  excludeRegExp: [/node_modules/],
  tsConfig: { compilerOptions: { baseUrl: new URL('.', root).pathname, paths } },
});
const unresolved = result.warnings().skipped.filter((name) => name.startsWith('@identities/'));
if (unresolved.length > 0) {
  console.error(`cycles: cannot resolve ${unresolved.join(', ')}`);
  process.exit(1);
}
const cycles = result.circular();
if (cycles.length > 0) {
  console.error(`cycles: ${cycles.length} import cycle(s) in packages/:`);
  for (const cycle of cycles) console.error(`  ${[...cycle, cycle[0]].join(' -> ')}`);
  process.exit(1);
}
console.log(`cycles: none among ${Object.keys(result.obj()).length} modules in packages/`);
