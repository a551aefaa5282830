import type { Fixture } from '../fixture.ts';
import { ms, x } from '../lib/format.ts';
import { runWorker } from '../lib/processes.ts';
import { median, pairedRatio } from '../lib/stats.ts';
import type { Row } from '../lib/table.ts';
import type { Settings } from '../settings.ts';
import type { AuditConfig, AuditResult } from '../workers/audit-overhead.ts';

/**
 * Figure 9: what recording a download's access event costs. The document download through its handler
 * with the trail (a conditional PutItem, made while the S3 read opens) against the same handler with a
 * recorder that records nothing, in a worker process, interleaved. On the embedded stores the write
 * costs a signed request, its verification and dynalite's conditional put on the same two cores as the
 * read, so little of it overlaps; on AWS the write and the S3 read run on other machines.
 */
export async function auditFigure(options: {
  fixture: Fixture;
  settings: Settings;
  env: NodeJS.ProcessEnv;
  execArgv: readonly string[];
}) {
  const { fixture, settings } = options;
  const worker = await runWorker<AuditResult>('workers/audit-overhead.ts', {
    env: options.env,
    execArgv: options.execArgv,
    timeoutMs: 300_000,
    config: {
      token: fixture.token,
      documentPath: fixture.documentPath('bench-doc'),
      documentBytes: settings.documentBytes,
      ...settings.audit,
    } satisfies AuditConfig,
  });
  const audited = worker.rounds.map((r) => r.audited);
  const unaudited = worker.rounds.map((r) => r.unaudited);
  const result = {
    documentBytes: settings.documentBytes,
    auditedMedianMs: median(audited),
    unauditedMedianMs: median(unaudited),
    medianRatio: pairedRatio(audited, unaudited),
    rounds: worker.rounds,
  };
  const rows: Row[] = [
    {
      figure: '9',
      name: 'document download, audited, median',
      measured: ms(result.auditedMedianMs),
      baseline: `${ms(result.unauditedMedianMs)} (no trail)`,
      ratio: x(result.medianRatio),
      // Reported: the price of failing closed is one more storage write per download, whatever it costs.
      target: 'report',
      met: undefined,
    },
  ];
  return { rows, result };
}
