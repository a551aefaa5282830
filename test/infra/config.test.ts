import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/sst-stage.ts';

interface AppConfig {
  app(input: { stage: string }): { name: string; home: string; removal: string; protect: boolean };
}

let config: AppConfig;
beforeAll(async () => {
  // `app()` runs before SST's components exist; the CLI only provides `$config`.
  Object.assign(globalThis, { $config: (input: AppConfig) => input });
  config = ((await import(pathToFileURL(join(ROOT, 'sst.config.ts')).href)) as { default: AppConfig }).default;
});

afterEach(() => {
  delete process.env.IDENTITIES_UNPROTECT_STAGE;
});

describe('sst.config.ts', () => {
  it('retains and protects every stage but dev and test ones', () => {
    for (const stage of ['acme', 'production', 'globex-eu', 'developer']) {
      expect(config.app({ stage }), stage).toEqual({
        name: 'identities',
        home: 'aws',
        removal: 'retain',
        protect: true,
      });
    }
    for (const stage of ['dev', 'test', 'dev-alice', 'test-ci-42']) {
      expect(config.app({ stage }), stage).toMatchObject({ removal: 'remove', protect: false });
    }
  });

  it('unprotects a customer stage only when the operator names that stage, and still retains its data', () => {
    process.env.IDENTITIES_UNPROTECT_STAGE = 'acme';
    expect(config.app({ stage: 'acme' })).toMatchObject({ removal: 'retain', protect: false });
    expect(config.app({ stage: 'globex' })).toMatchObject({ removal: 'retain', protect: true });
  });
});
