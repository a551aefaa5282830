import { DOCUMENT_PREFIX, parseDocumentObjectKey, UPLOAD_PREFIX } from './keys.ts';
import type { Logger } from './log.ts';
import type { DocumentStore, ObjectStore, UploadSessionStore } from './ports.ts';
import { SESSION_TTL_SECONDS } from './upload-session-timing.ts';

/**
 * Removes what upload sessions left behind: sessions whose time ran out (item and staged object), and
 * staged objects older than any live session could be. In the cloud DynamoDB's TTL and a bucket
 * lifecycle rule do the same; local and on-prem servers run this every minute.
 */
export function makeSweepUploadSessions(deps: {
  readonly sessions: UploadSessionStore;
  readonly objects: ObjectStore;
  readonly logger: Logger;
  readonly clock?: () => Date;
}) {
  const clock = deps.clock ?? (() => new Date());
  return async (): Promise<{ sessions: number; objects: number }> => {
    const now = clock();
    const expired = await deps.sessions.expired(now);
    for (const session of expired) {
      await deps.objects.delete(session.stagingKey);
      await deps.sessions.remove(session);
    }
    const cutoff = new Date(now.getTime() - (SESSION_TTL_SECONDS + 300) * 1000);
    const leftovers = await deps.objects.listOlderThan(UPLOAD_PREFIX, cutoff);
    for (const key of leftovers) await deps.objects.delete(key);
    if (expired.length + leftovers.length > 0) {
      deps.logger.log('info', 'swept upload sessions', { sessions: expired.length, objects: leftovers.length });
    }
    return { sessions: expired.length, objects: leftovers.length };
  };
}

/**
 * Removes document objects no document points to: what a process killed between writing an upload's
 * bytes and its metadata leaves behind (they were never visible: downloads go through the metadata).
 * Objects younger than the grace time may belong to an upload still in flight and are left alone.
 */
export function makeSweepOrphanDocuments(deps: {
  readonly objects: ObjectStore;
  readonly documents: DocumentStore;
  readonly logger: Logger;
  readonly clock?: () => Date;
}) {
  const clock = deps.clock ?? (() => new Date());
  return async (graceSeconds: number): Promise<number> => {
    const keys = await deps.objects.listOlderThan(DOCUMENT_PREFIX, new Date(clock().getTime() - graceSeconds * 1000));
    let removed = 0;
    for (const key of keys) {
      const owner = parseDocumentObjectKey(key);
      if (owner === undefined) continue;
      const record = await deps.documents.get(owner.personId, owner.documentId);
      if (record?.objectKey === key) continue;
      await deps.objects.delete(key);
      removed++;
    }
    if (removed > 0) deps.logger.log('info', 'swept orphaned document objects', { objects: removed });
    return removed;
  };
}
