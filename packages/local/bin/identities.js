#!/usr/bin/env node
// The operator CLI. Runs the TypeScript sources through tsx, as the tests and the dev server do.
import { register } from 'tsx/esm/api';

// The AWS SDK warns about Node.js versions it will drop; everything else still prints.
const [defaultWarningListener] = process.listeners('warning');
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (!`${warning.name} ${warning.message}`.includes('NodeVersionSupportWarning')) {
    defaultWarningListener?.call(process, warning);
  }
});

register();
const { runCli } = await import('../src/cli.ts');
process.exitCode = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
  env: process.env,
  isTty: process.stderr.isTTY === true,
});
