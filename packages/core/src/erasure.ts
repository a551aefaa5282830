import { DocumentNotFoundError } from './documents.ts';
import { detectionPhotoKey, facePhotosPrefix, parseDocumentObjectKey, personDocumentsPrefix } from './keys.ts';
import { PhotoNotFoundError } from './photos.ts';
import type {
  DocumentCatalog,
  DocumentRecord,
  DocumentStore,
  ObjectEraser,
  ObjectVersion,
  UploadSessionStore,
} from './ports.ts';
import { ORPHAN_GRACE_SECONDS } from './upload-session-timing.ts';

/**
 * Erasure for good. The bucket is versioned, so a plain delete only hides bytes behind a delete marker
 * for the 90 days noncurrent versions are kept: every version and marker of what goes is deleted by its
 * version id. Bytes go before the metadata that points to them, so a crash half-way leaves a document
 * whose bytes are gone (its download answers 404) and whose item a repeated request removes, never bytes
 * that nothing leads back to.
 */

/** How many storage calls an erasure keeps in flight. */
const ERASURE_CONCURRENCY = 8;

/**
 * How long one request erases a person's documents before it answers 202 (repeat the request to go on):
 * a buffered API Gateway integration is cut at 29 s.
 */
export const ERASURE_BUDGET_MS = 20_000;

/** Deletes each version (and delete marker), a few at a time; returns how many it deleted. */
async function deleteVersions(eraser: ObjectEraser, versions: readonly ObjectVersion[]): Promise<number> {
  await eachLimited(versions, ERASURE_CONCURRENCY, (version) => eraser.deleteVersion(version.key, version.versionId));
  return versions.length;
}

/** Every version of exactly this key (a listing by prefix also finds longer keys: they stay). */
export async function eraseKey(eraser: ObjectEraser, key: string): Promise<number> {
  const versions = (await eraser.versionsUnder(key)).filter((version) => version.key === key);
  return deleteVersions(eraser, versions);
}

/** What a photo deletion removed: how many versions (and delete markers) of how many photos. */
/** Runs after a change's checks, before anything changes: a rejection stops the change with nothing changed. */
export type BeforeChange = () => Promise<void>;
const nothing: BeforeChange = async () => {};

export interface PhotoErasure {
  readonly faceId: string;
  readonly detectionId?: string;
  readonly keys: number;
  readonly versions: number;
}

/**
 * Deletes a face's photos. A face's enrollment photo goes with every detection photo of it; 404 when
 * nothing of the face is stored, not even an old version (so a repeated request after a failure still
 * finishes the erasure). Ids must have passed `isSafeId`.
 */
export function makeDeletePhotos(deps: { readonly eraser: ObjectEraser }) {
  const { eraser } = deps;
  return {
    /** `beforeChange` runs once the photos are found, before any is deleted (the access trail's event). */
    async face(faceId: string, beforeChange: BeforeChange = nothing): Promise<PhotoErasure> {
      const versions = await eraser.versionsUnder(facePhotosPrefix(faceId));
      if (versions.length === 0) throw new PhotoNotFoundError();
      await beforeChange();
      const keys = new Set(versions.map((version) => version.key)).size;
      return { faceId, keys, versions: await deleteVersions(eraser, versions) };
    },
    async detection(faceId: string, detectionId: string, beforeChange: BeforeChange = nothing): Promise<PhotoErasure> {
      const versions = await eraser.versionsUnder(detectionPhotoKey(faceId, detectionId));
      const own = versions.filter((version) => version.key === detectionPhotoKey(faceId, detectionId));
      if (own.length === 0) throw new PhotoNotFoundError();
      await beforeChange();
      return { faceId, detectionId, keys: 1, versions: await deleteVersions(eraser, own) };
    },
  };
}

export interface DocumentErasureDeps {
  readonly documents: DocumentStore;
  readonly catalog: DocumentCatalog;
  readonly eraser: ObjectEraser;
}

/** What deleting one document removed. */
export interface DocumentErasure {
  readonly record: DocumentRecord;
  readonly versions: number;
}

async function eraseDocument(deps: DocumentErasureDeps, record: DocumentRecord): Promise<number> {
  const versions = await eraseKey(deps.eraser, record.objectKey);
  await deps.catalog.remove(record);
  return versions;
}

/** Deletes one document: every version of its bytes, then its item. `DocumentNotFoundError` when there is none. */
export function makeDeleteDocument(deps: DocumentErasureDeps) {
  return async (
    personId: string,
    documentId: string,
    beforeChange: BeforeChange = nothing,
  ): Promise<DocumentErasure> => {
    const record = await deps.documents.get(personId, documentId);
    if (record === undefined) throw new DocumentNotFoundError();
    await beforeChange();
    return { record, versions: await eraseDocument(deps, record) };
  };
}

/** How far an erasure of a person's documents got. */
export interface PersonErasure {
  readonly personId: string;
  /** Nothing of the person's documents is left (bytes younger than an upload's grace aside: see below). */
  readonly complete: boolean;
  readonly documents: number;
  readonly sessions: number;
  /** Object versions and delete markers deleted, leftovers included. */
  readonly versions: number;
  /** Versions younger than the grace time that no document names: an upload in flight, left to it. */
  readonly inFlight: number;
}

/** Items read per round: each round's items are erased before the next round reads the partition again. */
const ROUND_ITEMS = 100;

/**
 * Erases every document of a person: each document's bytes (every version) then its item, each pending
 * upload session's staged bytes then its item, then the bytes under the person's folder that no document
 * names (an upload's leftovers), every version of them. Other items of the person (the audit trail) stay.
 *
 * Idempotent and resumable: it reads the partition again each round, so a repeated request after a crash
 * or a 202 finds whatever is left and finishes it. It stops starting rounds once `budgetMs` has passed
 * and says it is not complete. Bytes younger than `graceSeconds` that no document names yet belong to an
 * upload still in flight and are left to it (it becomes a document a later erasure removes, or the
 * upload's clean-up takes them). A document uploaded after the request answered is never touched by it.
 */
export function makeErasePersonDocuments(
  deps: DocumentErasureDeps & {
    readonly sessions: Pick<UploadSessionStore, 'remove'>;
    readonly clock?: () => Date;
    readonly budgetMs?: number;
    readonly graceSeconds?: number;
  },
) {
  const clock = deps.clock ?? (() => new Date());
  const budgetMs = deps.budgetMs ?? ERASURE_BUDGET_MS;
  const graceSeconds = deps.graceSeconds ?? ORPHAN_GRACE_SECONDS;
  return async (personId: string): Promise<PersonErasure> => {
    const started = clock().getTime();
    const inTime = () => clock().getTime() - started < budgetMs;
    let documents = 0;
    let sessions = 0;
    let versions = 0;
    let inFlight = 0;
    const outcome = (complete: boolean): PersonErasure => ({
      personId,
      complete,
      documents,
      sessions,
      versions,
      inFlight,
    });

    for (;;) {
      if (!inTime()) return outcome(false);
      const items = await deps.catalog.itemsOf(personId, ROUND_ITEMS);
      if (items.length === 0) break;
      await eachLimited(items, ERASURE_CONCURRENCY, async (item) => {
        // Counted after each await: `versions += await …` would add to a total read before it.
        if (item.kind === 'document') {
          const erased = await eraseDocument(deps, item.record);
          versions += erased;
          documents++;
        } else {
          const erased = await eraseKey(deps.eraser, item.session.stagingKey);
          await deps.sessions.remove(item.session);
          versions += erased;
          sessions++;
        }
      });
    }

    if (!inTime()) return outcome(false);
    // Bytes no document names: an upload that stopped between its bytes and its item, an upload's own
    // clean-up (a delete that left the versions behind), or the versions of a replaced object.
    const leftovers = await deps.eraser.versionsUnder(personDocumentsPrefix(personId));
    const cutoff = clock().getTime() - graceSeconds * 1000;
    const owners = new Map<string, Promise<string | undefined>>();
    const ownerKey = (personIdOf: string, documentId: string) => {
      let found = owners.get(documentId);
      if (found === undefined) {
        found = deps.documents.get(personIdOf, documentId).then((record) => record?.objectKey);
        owners.set(documentId, found);
      }
      return found;
    };
    const doomed: ObjectVersion[] = [];
    for (const version of leftovers) {
      const owner = parseDocumentObjectKey(version.key);
      // A key of a document created after this request read the partition: it is not this erasure's.
      if (owner !== undefined && (await ownerKey(owner.personId, owner.documentId)) === version.key) continue;
      if (version.lastModified !== undefined && version.lastModified.getTime() > cutoff) {
        inFlight++;
        continue;
      }
      doomed.push(version);
    }
    const erased = await deleteVersions(deps.eraser, doomed);
    versions += erased;
    return outcome(true);
  };
}

/** Runs `task` on every item, at most `limit` at a time; the first failure is thrown once all settle. */
async function eachLimited<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (next < items.length && failure === undefined) {
      const item = items[next++] as T;
      try {
        await task(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  if (failure !== undefined) throw failure.error;
}
