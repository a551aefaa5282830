import { describe, expect, it } from 'vitest';
import { run, userEnv } from '../support/processes.ts';

describe('npm run load', () => {
  it('runs a short bounded load with every body checked and no errors', async () => {
    const result = await run(
      process.execPath,
      [
        '--import',
        'tsx',
        new URL('../../scripts/load.ts', import.meta.url).pathname,
        '--seconds',
        '2',
        '--connections',
        '4',
      ],
      userEnv(),
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/served [1-9]\d* \(\d+\/s\), errors 0/);
    expect(result.stdout).toMatch(/server RSS \d+ MB before, \d+ MB after/);
    for (const kind of ['photo', 'document', 'upload']) expect(result.stdout).toMatch(new RegExp(`${kind}\\s+[1-9]`));
  });
});
