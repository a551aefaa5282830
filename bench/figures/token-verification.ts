import type { Fixture } from '../fixture.ts';
import { x } from '../lib/format.ts';
import { runWorker } from '../lib/processes.ts';
import { median, pairedRatio, round } from '../lib/stats.ts';
import type { Row } from '../lib/table.ts';
import { type Settings, TARGETS } from '../settings.ts';
import type { TokenConfig, TokenResult } from '../workers/token-verification.ts';

/** Figure 4: the whole auth step against a bare jwtVerify, per algorithm, in a worker process. */
export async function tokenFigure(options: {
  fixture: Fixture;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  execArgv: readonly string[];
}) {
  const measured = await runWorker<TokenResult>('workers/token-verification.ts', {
    env: options.env,
    execArgv: options.execArgv,
    timeoutMs: 300_000,
    config: {
      tokens: options.fixture.keys.map(({ algorithm, token, publicJwk }) => ({ algorithm, token, publicJwk })),
      ...options.settings.token,
    } satisfies TokenConfig,
  });
  const rows: Row[] = [];
  const result = measured.algorithms.map((entry) => {
    const fullUs = median(entry.fullUs);
    const bareUs = median(entry.bareUs);
    const ratio = pairedRatio(entry.fullUs, entry.bareUs);
    const repeatUs = median(entry.repeatUs);
    rows.push({
      figure: '4',
      name: `auth step ${entry.algorithm}, repeated token`,
      measured: `${round(repeatUs, 1)} us`,
      baseline: `${round(bareUs, 1)} us (jwtVerify)`,
      ratio: x(pairedRatio(entry.repeatUs, entry.bareUs)),
      target: 'report',
      met: undefined,
    });
    rows.push({
      figure: '4',
      name: `auth step ${entry.algorithm}, first sight`,
      measured: `${round(fullUs, 1)} us`,
      baseline: `${round(bareUs, 1)} us (jwtVerify)`,
      ratio: x(ratio),
      target: `<= ${TARGETS.token}x`,
      met: ratio <= TARGETS.token,
    });
    return { ...entry, medianFullUs: fullUs, medianRepeatUs: repeatUs, medianBareUs: bareUs, ratio };
  });
  return { rows, result };
}
