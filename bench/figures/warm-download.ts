import type { Fixture } from '../fixture.ts';
import { ms, x } from '../lib/format.ts';
import { runWorker } from '../lib/processes.ts';
import { median, pairedRatio } from '../lib/stats.ts';
import type { Row } from '../lib/table.ts';
import { type Settings, TARGETS } from '../settings.ts';
import type { WarmConfig, WarmResult } from '../workers/warm-download.ts';

/** Figure 3: a warm photo download through the handler against the raw GetObject, in a worker process. */
export async function warmFigure(options: {
  fixture: Fixture;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  execArgv: readonly string[];
}) {
  const { fixture, settings } = options;
  const warm = await runWorker<WarmResult>('workers/warm-download.ts', {
    env: options.env,
    execArgv: options.execArgv,
    timeoutMs: 300_000,
    config: {
      token: fixture.token,
      faceId: fixture.faceId,
      photoBytes: settings.photoBytes,
      documentPath: fixture.documentPath('bench-doc'),
      documentBytes: settings.documentBytes,
      ...settings.warm,
    } satisfies WarmConfig,
  });
  const handler = { median: warm.rounds.map((r) => r.handler.median), p99: warm.rounds.map((r) => r.handler.p99) };
  const raw = { median: warm.rounds.map((r) => r.raw.median), p99: warm.rounds.map((r) => r.raw.p99) };
  const result = {
    photoBytes: settings.photoBytes,
    handlerMedianMs: median(handler.median),
    rawMedianMs: median(raw.median),
    handlerP99Ms: median(handler.p99),
    rawP99Ms: median(raw.p99),
    medianRatio: pairedRatio(handler.median, raw.median),
    p99Ratio: pairedRatio(handler.p99, raw.p99),
    documentMedianMs: warm.documentMedianMs,
    rounds: warm.rounds,
  };
  const rows: Row[] = [
    {
      figure: '3',
      name: 'warm 50 KB photo, median',
      measured: ms(result.handlerMedianMs),
      baseline: `${ms(result.rawMedianMs)} (GetObject)`,
      ratio: x(result.medianRatio),
      target: `<= ${TARGETS.warm}x`,
      met: result.medianRatio <= TARGETS.warm,
    },
    {
      figure: '3',
      name: 'warm 50 KB photo, p99',
      measured: ms(result.handlerP99Ms),
      baseline: `${ms(result.rawP99Ms)} (GetObject)`,
      ratio: x(result.p99Ratio),
      target: `<= ${TARGETS.warm}x`,
      met: result.p99Ratio <= TARGETS.warm,
    },
  ];
  return { rows, result };
}
