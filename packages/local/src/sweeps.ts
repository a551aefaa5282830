import {
  makeDocumentStore,
  makeUploadSessionStore,
  objectStoreOf,
  type StorageSettings,
  tableOf,
} from '@identities/aws';
import {
  describeError,
  type Logger,
  makeSweepOrphanDocuments,
  makeSweepUploadSessions,
  NONCURRENT_VERSION_DAYS,
  UPLOAD_PREFIX,
} from '@identities/core';
import type { NoncurrentExpiration, ObjectVersions } from './object-versions.ts';

/** How often the server removes what expired upload sessions left behind. */
export const SWEEP_INTERVAL_MS = 60_000;
/** How often document objects no document points to are removed. */
export const ORPHAN_SWEEP_INTERVAL_MS = 3_600_000;
/** How often the embedded bucket's noncurrent versions are expired, as its lifecycle rules would. */
export const VERSION_EXPIRY_INTERVAL_MS = 6 * 3_600_000;

/** The cloud bucket's lifecycle rules for noncurrent versions, as a customer's stage has them. */
export const NONCURRENT_EXPIRATIONS: readonly NoncurrentExpiration[] = [
  { prefix: '', days: NONCURRENT_VERSION_DAYS.customer },
  { prefix: UPLOAD_PREFIX, days: NONCURRENT_VERSION_DAYS.staging },
];

export type SweepName = 'upload-sessions' | 'orphan-documents' | 'noncurrent-versions';

export interface Sweeps {
  stop(): void;
}

/**
 * What the cloud does with DynamoDB's TTL, a lifecycle rule and a daily job, the server does itself:
 * expired upload sessions and their staged bytes every minute, and document bytes no document points to
 * hourly. At start, nothing is in flight in a server that has just taken its data dir and its embedded
 * stores: any orphan is a crash's, swept at once.
 */
export async function startSweeps(
  storage: StorageSettings,
  orphanGraceSeconds: number,
  logger: Logger,
  observe?: (sweep: SweepName, removed: number) => void,
  /**
   * Whether this server alone writes to the stores (its embedded ones): then nothing is in flight at start,
   * and every orphan is a crash's. Stores shared with other servers may hold another's upload in flight,
   * so their orphans get the grace time at start too.
   */
  soleWriter = true,
  /** The embedded bucket's versions, whose lifecycle the server runs itself; undefined for external stores. */
  versions?: ObjectVersions,
): Promise<Sweeps> {
  const table = tableOf(storage);
  const objects = objectStoreOf(storage);
  const sweepUploadSessions = makeSweepUploadSessions({
    sessions: makeUploadSessionStore(table.client, table.name),
    objects,
    logger,
  });
  const sweepOrphanDocuments = makeSweepOrphanDocuments({
    objects,
    documents: makeDocumentStore(table.client, table.name),
    logger,
  });
  const sweepSessions = async () => {
    const removed = await sweepUploadSessions();
    observe?.('upload-sessions', removed.sessions + removed.objects);
  };
  const sweepOrphans = async (graceSeconds: number) => {
    const removed = await sweepOrphanDocuments(graceSeconds);
    observe?.('orphan-documents', removed);
  };
  const expireVersions = async () => {
    if (versions === undefined) return;
    const removed = await versions.expireNoncurrent(NONCURRENT_EXPIRATIONS);
    observe?.('noncurrent-versions', removed);
  };
  const guarded = (work: () => Promise<unknown>) => () =>
    work().catch((error: unknown) => logger.log('warn', 'sweep failed', { error: describeError(error) }));
  await guarded(() =>
    Promise.all([sweepSessions(), sweepOrphans(soleWriter ? 0 : orphanGraceSeconds), expireVersions()]),
  )();
  const timers = [
    setInterval(guarded(sweepSessions), SWEEP_INTERVAL_MS),
    setInterval(
      guarded(() => sweepOrphans(orphanGraceSeconds)),
      ORPHAN_SWEEP_INTERVAL_MS,
    ),
    setInterval(guarded(expireVersions), VERSION_EXPIRY_INTERVAL_MS),
  ];
  for (const timer of timers) timer.unref();
  return {
    stop() {
      for (const timer of timers) clearInterval(timer);
    },
  };
}
