#!/usr/bin/env node
// The operator CLI. Runs the TypeScript sources through tsx, as the tests and the dev server do.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every run that Node.js 20 support ends in 2027; the server and CLI run on 20 too.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  isTty: process.stderr.isTTY === true,
});
