import { createHash, randomUUID } from 'node:crypto';
import {
  DocumentNotFoundError,
  makeCompleteUploadSession,
  makeDeleteDocument,
  makeDeletePhotos,
  makeErasePersonDocuments,
  makeGetDocument,
  makeLogger,
  makeUploadDocument,
  ORPHAN_GRACE_SECONDS,
  PhotoNotFoundError,
  type UploadSession,
  UploadSessionNotFoundError,
} from '@identities/core';
import { describe, expect, it } from 'vitest';
import { memoryMetadata, memoryVersionedObjects } from '../support/memory-ports.ts';

const logger = makeLogger('silent');

/** A clock the test moves: erasure budgets and upload grace times are read from it. */
function testClock(start = Date.parse('2026-06-01T10:00:00Z')) {
  let now = start;
  return { now: () => new Date(now), advance: (ms: number) => (now += ms) };
}

function world(clock = testClock()) {
  const objects = memoryVersionedObjects(clock.now);
  const metadata = memoryMetadata(clock.now);
  const deps = { ...metadata, objects, eraser: objects, logger, clock: clock.now };
  const upload = makeUploadDocument(deps);
  const put = (personId: string, publicId: string, text = `%PDF ${publicId}`) => {
    const bytes = Buffer.from(text);
    return upload(
      {
        personId,
        name: publicId,
        description: undefined,
        publicId,
        file: {
          fileName: `${publicId}.pdf`,
          contentType: 'application/pdf',
          bytes,
          sha256: createHash('sha256').update(bytes).digest(),
        },
      },
      'clerk',
    );
  };
  return { clock, objects, metadata, deps, put };
}

const sha = (text: string) => createHash('sha256').update(text).digest();

describe('deleting one document', () => {
  it('removes every version of its bytes, delete markers included, then its item; a second delete is a 404', async () => {
    const { objects, deps, put } = world();
    const personId = randomUUID();
    const record = await put(personId, 'card');
    // Older versions and a delete marker under the same key, as a versioned bucket keeps them.
    await objects.put(record.objectKey, Buffer.from('older'), { contentType: 'application/pdf', sha256: sha('older') });
    await objects.delete(record.objectKey);
    await objects.put(record.objectKey, Buffer.from('%PDF card'), { contentType: 'application/pdf', sha256: sha('x') });
    const kept = await put(personId, 'kept');
    const remove = makeDeleteDocument(deps);
    const outcome = await remove(personId, 'card');
    expect(outcome).toMatchObject({ record: { documentId: 'card' }, versions: 4 });
    expect(objects.versionCount(record.objectKey)).toBe(0);
    expect(await deps.documents.get(personId, 'card')).toBeUndefined();
    await expect(remove(personId, 'card')).rejects.toBeInstanceOf(DocumentNotFoundError);
    expect(objects.versionCount(kept.objectKey)).toBe(1);
  });

  it('leaves, when stopped between bytes and item, a document that answers 404 and that a repeated delete removes', async () => {
    const { objects, deps, put } = world();
    const personId = randomUUID();
    const record = await put(personId, 'card');
    const failingOnce = {
      ...deps.catalog,
      remove: async () => {
        throw new Error('the process died');
      },
    };
    await expect(makeDeleteDocument({ ...deps, catalog: failingOnce })(personId, 'card')).rejects.toThrow(/died/);
    expect(objects.versionCount(record.objectKey)).toBe(0);
    const document = await makeGetDocument(deps)(personId, 'card');
    await expect(document.read()).rejects.toBeInstanceOf(DocumentNotFoundError);
    await makeDeleteDocument(deps)(personId, 'card');
    expect(await deps.documents.get(personId, 'card')).toBeUndefined();
  });

  it('leaves a document uploaded again under the id alone when a stale deletion finishes', async () => {
    const { objects, deps, put, metadata } = world();
    const personId = randomUUID();
    const old = await put(personId, 'card');
    await metadata.catalog.remove(old);
    const fresh = await put(personId, 'card', '%PDF new');
    // A deletion that read the old record before the new upload finishes now: the new one stays.
    await metadata.catalog.remove(old);
    expect((await deps.documents.get(personId, 'card'))?.objectKey).toBe(fresh.objectKey);
    expect(objects.versionCount(fresh.objectKey)).toBe(1);
  });
});

function session(personId: string, documentId: string, now: Date): UploadSession {
  const uploadId = randomUUID();
  return {
    personId,
    documentId,
    uploadId,
    name: 'Passport',
    description: undefined,
    fileName: 'p.pdf',
    contentType: 'application/pdf',
    size: 8,
    stagingKey: `uploads/${uploadId}`,
    createdAt: now.toISOString(),
    createdBy: 'clerk',
    expiresAt: new Date(now.getTime() + 3_600_000),
  };
}

describe("erasing a person's documents", () => {
  it('erases every document, pending session and old leftover of the person, and nothing of anyone else', async () => {
    const { objects, deps, put, clock } = world();
    const personId = randomUUID();
    const other = randomUUID();
    for (let index = 0; index < 250; index++) await put(personId, `doc-${index}`);
    const otherRecord = await put(other, 'theirs');
    const pending = session(personId, 'passport', clock.now());
    await deps.sessions.reserve(pending);
    await objects.put(pending.stagingKey, Buffer.from('staged!!'), { contentType: 'x/y', sha256: sha('s') });
    const leftover = `people/${personId}/documents/gone/${randomUUID()}`;
    await objects.put(leftover, Buffer.from('left'), { contentType: 'x/y', sha256: sha('l') });
    await objects.delete(leftover);
    clock.advance((ORPHAN_GRACE_SECONDS + 1) * 1000);

    const outcome = await makeErasePersonDocuments(deps)(personId);
    expect(outcome).toMatchObject({ personId, complete: true, documents: 250, sessions: 1, inFlight: 0 });
    expect(outcome.versions).toBe(250 + 1 + 2);
    expect(objects.versionCount(`people/${personId}/`)).toBe(0);
    expect(objects.versionCount(pending.stagingKey)).toBe(0);
    expect(await deps.catalog.itemsOf(personId, 10)).toEqual([]);
    expect(objects.versionCount(otherRecord.objectKey)).toBe(1);
    expect(await deps.documents.get(other, 'theirs')).toBeDefined();
    // Idempotent: nothing left is nothing to do.
    expect(await makeErasePersonDocuments(deps)(personId)).toMatchObject({ complete: true, documents: 0, versions: 0 });
  });

  it('finishes, when resumed, an erasure stopped half-way by a failing store', async () => {
    const { objects, deps, put } = world();
    const personId = randomUUID();
    for (let index = 0; index < 40; index++) await put(personId, `doc-${index}`);
    let deletions = 0;
    const failing = {
      ...objects,
      deleteVersion: async (key: string, versionId: string) => {
        if (++deletions > 15) throw new Error('storage went away');
        return objects.deleteVersion(key, versionId);
      },
    };
    await expect(makeErasePersonDocuments({ ...deps, eraser: failing })(personId)).rejects.toThrow(/went away/);
    const left = await deps.catalog.itemsOf(personId, 100);
    expect(left.length).toBeGreaterThan(0);
    expect(left.length).toBeLessThan(40);
    // No document is left with its item gone and its bytes still there.
    for (const key of ['doc-0', 'doc-39'])
      expect(objects.versionCount(`people/${personId}/documents/${key}/`)).toBeLessThanOrEqual(1);
    const resumed = await makeErasePersonDocuments(deps)(personId);
    expect(resumed.complete).toBe(true);
    expect(await deps.catalog.itemsOf(personId, 100)).toEqual([]);
    expect(objects.versionCount(`people/${personId}/`)).toBe(0);
  });

  it('stops when its time is up and says so; repeated, it goes on until complete', async () => {
    const clock = testClock();
    const { deps, put, objects } = world(clock);
    const personId = randomUUID();
    for (let index = 0; index < 250; index++) await put(personId, `doc-${index}`);
    // Each version takes 100 ms to delete: a round of 100 documents, 10 s of the 20 s budget.
    const slow = {
      ...objects,
      deleteVersion: async (key: string, versionId: string) => {
        clock.advance(100);
        return objects.deleteVersion(key, versionId);
      },
    };
    const erase = makeErasePersonDocuments({ ...deps, eraser: slow, budgetMs: 20_000 });
    const first = await erase(personId);
    expect(first).toMatchObject({ complete: false, documents: 200 });
    const second = await erase(personId);
    expect(second).toMatchObject({ complete: true, documents: 50 });
    expect(objects.versionCount(`people/${personId}/`)).toBe(0);
  });

  it('leaves bytes of an upload in flight to it, so the document it then records is whole', async () => {
    const { objects, deps, clock, put } = world();
    const personId = randomUUID();
    await put(personId, 'old');
    // An upload has stored its bytes and not yet its item when the erasure reads the partition.
    const inFlightKey = `people/${personId}/documents/new/${randomUUID()}`;
    await objects.put(inFlightKey, Buffer.from('%PDF new'), { contentType: 'application/pdf', sha256: sha('n') });
    const outcome = await makeErasePersonDocuments(deps)(personId);
    expect(outcome).toMatchObject({ complete: true, documents: 1, inFlight: 1 });
    expect(objects.versionCount(inFlightKey)).toBe(1);
    await deps.documents.create({
      personId,
      documentId: 'new',
      name: 'new',
      description: undefined,
      fileName: 'new.pdf',
      contentType: 'application/pdf',
      size: 8,
      sha256: '0'.repeat(64),
      objectKey: inFlightKey,
      createdAt: clock.now().toISOString(),
      createdBy: 'clerk',
    });
    const document = await makeGetDocument(deps)(personId, 'new');
    expect(Buffer.concat(await (await document.read()).toArray()).toString()).toBe('%PDF new');
  });

  it('erases a document uploaded while it runs in full, or not at all: never its item without its bytes', async () => {
    const { objects, deps, put } = world();
    const personId = randomUUID();
    for (let index = 0; index < 120; index++) await put(personId, `doc-${index}`);
    let rounds = 0;
    const racing = {
      ...deps.catalog,
      itemsOf: async (id: string, limit: number) => {
        // Between two rounds, a client uploads again under an id the first round erased.
        if (rounds++ === 1) await put(personId, 'doc-0', '%PDF again');
        return deps.catalog.itemsOf(id, limit);
      },
    };
    expect((await makeErasePersonDocuments({ ...deps, catalog: racing })(personId)).complete).toBe(true);
    expect(await deps.documents.get(personId, 'doc-0')).toBeUndefined();
    expect(objects.versionCount(`people/${personId}/`)).toBe(0);
  });

  it('removes a pending session, so completing it afterwards is a 404 and stores nothing', async () => {
    const { objects, deps, clock } = world();
    const personId = randomUUID();
    const pending = session(personId, 'passport', clock.now());
    await deps.sessions.reserve(pending);
    await objects.put(pending.stagingKey, Buffer.from('staged!!'), { contentType: 'x/y', sha256: sha('s') });
    await makeErasePersonDocuments(deps)(personId);
    await expect(makeCompleteUploadSession(deps)(personId, 'passport')).rejects.toBeInstanceOf(
      UploadSessionNotFoundError,
    );
    expect(objects.versionCount(`people/${personId}/`)).toBe(0);
    expect(objects.versionCount(pending.stagingKey)).toBe(0);
  });
});

describe('deleting photos', () => {
  async function photos() {
    const objects = memoryVersionedObjects();
    const jpeg = { contentType: 'image/jpeg', sha256: sha('p') };
    for (const key of [
      'faces/f1/enrollment.jpg',
      'faces/f1/enrollment.jpg',
      'faces/f1/detections/d1.jpg',
      'faces/f1/detections/d10.jpg',
      'faces/f10/enrollment.jpg',
    ]) {
      await objects.put(key, Buffer.from('jpeg'), jpeg);
    }
    return { objects, remove: makeDeletePhotos({ eraser: objects }) };
  }

  it("erases a face's enrollment photo and every detection photo, every version, and no other face's", async () => {
    const { objects, remove } = await photos();
    expect(await remove.face('f1')).toEqual({ faceId: 'f1', keys: 3, versions: 4 });
    expect(objects.versionCount('faces/f1/')).toBe(0);
    expect(objects.versionCount('faces/f10/')).toBe(1);
    await expect(remove.face('f1')).rejects.toBeInstanceOf(PhotoNotFoundError);
  });

  it('erases one detection photo, not another whose id it prefixes; 404 when there is none', async () => {
    const { objects, remove } = await photos();
    expect(await remove.detection('f1', 'd1')).toMatchObject({ versions: 1 });
    expect(objects.versionCount('faces/f1/detections/d10.jpg')).toBe(1);
    await expect(remove.detection('f1', 'd1')).rejects.toBeInstanceOf(PhotoNotFoundError);
    await expect(remove.detection('f9', 'd1')).rejects.toBeInstanceOf(PhotoNotFoundError);
  });

  it('still finishes a face deleted half-way: only old versions left is not a 404', async () => {
    const { objects, remove } = await photos();
    await objects.delete('faces/f1/enrollment.jpg');
    await objects.delete('faces/f1/detections/d1.jpg');
    await objects.delete('faces/f1/detections/d10.jpg');
    expect((await remove.face('f1')).versions).toBe(7);
    expect(objects.versionCount('faces/f1/')).toBe(0);
  });
});
