#!/usr/bin/env node
/**
 * Makes sure `.sst/platform` (SST's components and their Pulumi packages, which type-checking and the
 * infrastructure tests need) is installed for the SST version in package.json. SST writes it on
 * `sst install` or a deploy; it is not in git. Runs before `npm run typecheck`; fast when already done.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const platform = join(root, '.sst', 'platform');
const sstPackage = join(root, 'node_modules', 'sst', 'package.json');
const wanted = JSON.parse(readFileSync(sstPackage, 'utf8')).version;

const installed = () => {
  const versionFile = join(platform, 'version');
  return (
    existsSync(versionFile) &&
    readFileSync(versionFile, 'utf8').trim() === wanted &&
    existsSync(join(platform, 'node_modules', '@pulumi', 'pulumi', 'package.json')) &&
    existsSync(join(platform, 'node_modules', '@pulumi', 'aws', 'package.json'))
  );
};

if (installed()) process.exit(0);

console.log(`Installing SST ${wanted}'s platform into .sst/platform (npm packages only)...`);
const result = spawnSync(
  process.execPath,
  [join(dirname(sstPackage), 'bin', 'sst.mjs'), 'install', '--stage', 'test'],
  {
    cwd: root,
    stdio: 'inherit',
    // Without these the CLI first downloads Pulumi and Bun, which a build machine cannot reach.
    env: { ...process.env, SST_SKIP_DEPENDENCY_CHECK: '1', SST_NO_BUN: '1', SST_TELEMETRY_DISABLED: '1' },
    timeout: 10 * 60 * 1000,
  },
);
if (result.error !== undefined || result.status !== 0 || !installed()) {
  console.error(
    `sst install did not complete (${result.error?.message ?? `exit ${result.status ?? result.signal}`}): .sst/platform is not usable.`,
  );
  process.exit(1);
}
