import type { Logger } from '../log.ts';
import type { DocumentStore, ObjectStore } from '../ports.ts';
import { makeSweepOrphanDocuments } from '../sweeps.ts';
import { ORPHAN_GRACE_SECONDS } from '../upload-session-timing.ts';

/** Scheduled daily: removes document bytes that no document points to. */
export function makeSweepOrphanDocumentsHandler(deps: {
  readonly objects: ObjectStore;
  readonly documents: DocumentStore;
  readonly logger: Logger;
  readonly clock?: () => Date;
}) {
  const sweep = makeSweepOrphanDocuments(deps);
  return async (): Promise<{ removed: number }> => ({ removed: await sweep(ORPHAN_GRACE_SECONDS) });
}
