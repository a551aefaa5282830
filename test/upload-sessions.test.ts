import { createHash } from 'node:crypto';
import { makeUploadSessionStore } from '@identities/aws';
import {
  documentObjectKey,
  makeCompleteUploadSession,
  makeLogger,
  makeSweepOrphanDocuments,
  makeSweepOrphanDocumentsHandler,
  makeSweepUploadSessions,
  type ObjectStore,
  PERMISSIONS,
  stagingKey,
} from '@identities/core';
import { describe, expect, it } from 'vitest';
import {
  completeUploadSession as complete,
  downloadFileDocument as download,
  startUploadSession as start,
  uploadFileDocument as upload,
} from './support/functions.ts';
import { apiEvent, invoke } from './support/lambda.ts';
import { uploadEvent } from './support/multipart.ts';
import {
  documentStore,
  dynamoClient,
  everyByte,
  listKeys,
  newPersonId,
  objectStore,
  putObject,
} from './support/storage.ts';
import { bearer, bothPermissions, token } from './support/tokens.ts';

const SESSIONS = '/api/v1/people/fileDocuments/uploadSessions';

interface Started {
  documentId: string;
  expiresAt: string;
  upload: { url: string; fields: Record<string, string>; fileField: string };
  complete: { url: string; body: { personId: string } };
}

async function startSession(body: Record<string, unknown>, jwt?: string) {
  return invoke(
    start,
    apiEvent({
      method: 'POST',
      path: SESSIONS,
      headers: { ...bearer(jwt ?? (await bothPermissions())), 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify(body)),
    }),
  );
}

async function postForm(started: Started, bytes: Buffer, contentType = 'application/pdf') {
  const form = new FormData();
  for (const [name, value] of Object.entries(started.upload.fields)) form.set(name, value);
  form.set(started.upload.fileField, new Blob([bytes], { type: contentType }), 'file');
  return fetch(started.upload.url, { method: 'POST', body: form });
}

async function completeSession(documentId: string, personId: string, jwt?: string) {
  return invoke(
    complete,
    apiEvent({
      method: 'POST',
      path: `${SESSIONS}/${documentId}/complete`,
      headers: { ...bearer(jwt ?? (await bothPermissions())), 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ personId })),
    }),
  );
}

async function fetchDocument(personId: string, documentId: string) {
  return invoke(
    download,
    apiEvent({
      path: `/api/v1/people/${personId}/fileDocuments/${documentId}/data`,
      headers: bearer(await bothPermissions()),
    }),
  );
}

const sessionFor = (personId: string, bytes: Buffer, extra: Record<string, unknown> = {}) => ({
  personId,
  name: 'Passport scan',
  fileName: 'passport.pdf',
  contentType: 'application/pdf',
  size: bytes.length,
  ...extra,
});

describe('upload sessions', () => {
  it('starts with 201, a presigned POST for exactly that file, and a completion link', async () => {
    const personId = newPersonId();
    const bytes = everyByte(10);
    const response = await startSession(sessionFor(personId, bytes, { publicId: 'passport' }));
    expect(response.statusCode).toBe(201);
    const started = response.json() as unknown as Started;
    expect(started.documentId).toBe('passport');
    expect(started.upload.fields.key).toMatch(/^uploads\//);
    const policy = JSON.parse(Buffer.from(started.upload.fields.Policy ?? '', 'base64').toString()) as {
      conditions: unknown[];
      expiration: string;
    };
    expect(policy.conditions).toContainEqual(['content-length-range', bytes.length, bytes.length]);
    expect(policy.conditions).toContainEqual(['eq', '$Content-Type', 'application/pdf']);
    expect(new Date(policy.expiration).getTime() - Date.now()).toBeLessThanOrEqual(15 * 60 * 1000);
    expect(started.complete.url).toBe('uploadSessions/passport/complete');
    expect(response.headers.location).toBe(`../${personId}/fileDocuments/passport/data`);
  });

  it('stores the document on completion, byte-exact with its SHA-256, and only then serves it', async () => {
    const personId = newPersonId();
    const bytes = everyByte(50);
    const started = (await startSession(sessionFor(personId, bytes))).json() as unknown as Started;
    expect((await fetchDocument(personId, started.documentId)).statusCode).toBe(404);
    expect((await postForm(started, bytes)).ok).toBe(true);
    expect((await fetchDocument(personId, started.documentId)).statusCode).toBe(404);

    const done = await completeSession(started.documentId, personId);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ size: bytes.length, sha256: createHash('sha256').update(bytes).digest('hex') });
    const fetched = await fetchDocument(personId, started.documentId);
    expect(fetched.statusCode).toBe(200);
    expect(fetched.body.equals(bytes)).toBe(true);
    expect(fetched.headers['content-disposition']).toBe('attachment; filename="passport.pdf"');
    expect(await listKeys(started.upload.fields.key ?? 'missing')).toEqual([]);
  });

  it('answers 409 for completing twice, and keeps the document', async () => {
    const personId = newPersonId();
    const bytes = everyByte(2);
    const started = (await startSession(sessionFor(personId, bytes))).json() as unknown as Started;
    await postForm(started, bytes);
    expect((await completeSession(started.documentId, personId)).statusCode).toBe(200);
    const again = await completeSession(started.documentId, personId);
    expect(again.statusCode).toBe(409);
    expect((await fetchDocument(personId, started.documentId)).body.equals(bytes)).toBe(true);
  });

  it('answers 409 while the file has not been uploaded, and the session stays usable', async () => {
    const personId = newPersonId();
    const bytes = everyByte(2);
    const started = (await startSession(sessionFor(personId, bytes))).json() as unknown as Started;
    const early = await completeSession(started.documentId, personId);
    expect(early.statusCode).toBe(409);
    expect(String(early.json().detail)).toMatch(/not been uploaded/);
    await postForm(started, bytes);
    expect((await completeSession(started.documentId, personId)).statusCode).toBe(200);
  });

  it('answers 400 when the stored file is not the declared size (the stand-in accepts it; completion checks)', async () => {
    const personId = newPersonId();
    const bytes = everyByte(2);
    const started = (await startSession(sessionFor(personId, bytes))).json() as unknown as Started;
    await putObject(started.upload.fields.key ?? '', Buffer.concat([bytes, Buffer.from('extra')]), 'application/pdf');
    const response = await completeSession(started.documentId, personId);
    expect(response.statusCode).toBe(400);
    expect(String(response.json().detail)).toMatch(/declared/);
    expect((await fetchDocument(personId, started.documentId)).statusCode).toBe(404);
  });

  it("answers 404 for another person's id, and changes nothing", async () => {
    const personId = newPersonId();
    const bytes = everyByte(2);
    const started = (await startSession(sessionFor(personId, bytes))).json() as unknown as Started;
    await postForm(started, bytes);
    expect((await completeSession(started.documentId, newPersonId())).statusCode).toBe(404);
    expect((await completeSession(started.documentId, personId)).statusCode).toBe(200);
  });

  it('reserves the id: a multipart upload or a second session with it gets 409', async () => {
    const personId = newPersonId();
    const bytes = everyByte(2);
    expect((await startSession(sessionFor(personId, bytes, { publicId: 'taken' }))).statusCode).toBe(201);
    expect((await startSession(sessionFor(personId, bytes, { publicId: 'taken' }))).statusCode).toBe(409);
    const response = await invoke(
      upload,
      uploadEvent(
        [
          { name: 'personId', value: personId },
          { name: 'name', value: 'x' },
          { name: 'publicId', value: 'taken' },
          { name: 'file', filename: 'x.pdf', data: bytes },
        ],
        await bothPermissions(),
      ),
    );
    expect(response.statusCode).toBe(409);
  });

  it.each<[string, Record<string, unknown> | string, string]>([
    ['a body that is not JSON', 'not json', 'application/json'],
    ['a JSON array', '[]', 'application/json'],
    ['another content type', '{}', 'text/plain'],
    ['no size', { personId: newPersonId(), name: 'x', fileName: 'a.pdf' }, 'application/json'],
    ['a size of 0', { personId: newPersonId(), name: 'x', fileName: 'a.pdf', size: 0 }, 'application/json'],
    [
      'a size over 200 MiB',
      { personId: newPersonId(), name: 'x', fileName: 'a.pdf', size: 200 * 1024 * 1024 + 1 },
      'application/json',
    ],
    ['a fractional size', { personId: newPersonId(), name: 'x', fileName: 'a.pdf', size: 1.5 }, 'application/json'],
    ['no file name', { personId: newPersonId(), name: 'x', size: 10 }, 'application/json'],
    ['no personId', { name: 'x', fileName: 'a.pdf', size: 10 }, 'application/json'],
    ['no name', { personId: newPersonId(), fileName: 'a.pdf', size: 10 }, 'application/json'],
    [
      'a bad publicId',
      { personId: newPersonId(), name: 'x', fileName: 'a.pdf', size: 10, publicId: '../x' },
      'application/json',
    ],
    [
      'a name that is not a string',
      { personId: newPersonId(), name: 7, fileName: 'a.pdf', size: 10 },
      'application/json',
    ],
  ])('answers 400 for %s', async (_, body, contentType) => {
    const response = await invoke(
      start,
      apiEvent({
        method: 'POST',
        path: SESSIONS,
        headers: { ...bearer(await bothPermissions()), 'Content-Type': contentType },
        body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
      }),
    );
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
  });

  it('answers 403 without Add Identity Files, for starting and for completing', async () => {
    const readOnly = await token({ claims: { permissions: [PERMISSIONS.readFiles] } });
    const personId = newPersonId();
    expect((await startSession(sessionFor(personId, everyByte(1)), readOnly)).statusCode).toBe(403);
    expect((await completeSession('x', personId, readOnly)).statusCode).toBe(403);
  });

  it('answers 410 for an expired session and the sweep removes it with its staged bytes', async () => {
    const personId = newPersonId();
    const bytes = everyByte(2);
    const started = (await startSession(sessionFor(personId, bytes))).json() as unknown as Started;
    await postForm(started, bytes);
    const sessions = makeUploadSessionStore(dynamoClient, process.env.TABLE_NAME ?? '');
    const later = new Date(Date.now() + 2 * 3600 * 1000);
    const completeLater = makeCompleteUploadSession({
      sessions,
      objects: objectStore,
      logger: makeLogger('silent'),
      clock: () => later,
    });
    await expect(completeLater(personId, started.documentId)).rejects.toMatchObject({ statusCode: 410 });

    // The stores are shared with other test files: this sweep sees only this test's session and bytes.
    const staged = started.upload.fields.key ?? '';
    const sweep = makeSweepUploadSessions({
      sessions: {
        ...sessions,
        expired: async (now) => (await sessions.expired(now)).filter((session) => session.personId === personId),
      },
      objects: {
        ...objectStore,
        listOlderThan: async (prefix, before) =>
          (await objectStore.listOlderThan(prefix, before)).filter((key) => key === staged),
      },
      logger: makeLogger('silent'),
      clock: () => later,
    });
    const swept = await sweep();
    expect(swept.sessions).toBeGreaterThanOrEqual(1);
    expect(await sessions.find(personId, started.documentId)).toBeUndefined();
    expect(await listKeys(stagingKey(started.upload.fields.key?.slice('uploads/'.length) ?? ''))).toEqual([]);
  });

  it('sweeps document objects nothing points to, but not young ones that may be in flight', async () => {
    const personId = newPersonId();
    const orphan = documentObjectKey(personId, 'gone', 'upload-1');
    await putObject(orphan, Buffer.from('orphan'), 'application/pdf');
    // The stores are shared with other test files: this sweep sees only this test's person.
    const objects: ObjectStore = {
      ...objectStore,
      listOlderThan: (prefix, before) => objectStore.listOlderThan(`${prefix}${personId}/`, before),
    };
    const sweep = makeSweepOrphanDocuments({ objects, documents: documentStore, logger: makeLogger('silent') });
    await sweep(3600);
    expect(await listKeys(`people/${personId}/`)).toEqual([orphan]);
    const later = makeSweepOrphanDocuments({
      objects,
      documents: documentStore,
      logger: makeLogger('silent'),
      clock: () => new Date(Date.now() + 2 * 3600 * 1000),
    });
    await later(3600);
    expect(await listKeys(`people/${personId}/`)).toEqual([]);
  });
});

describe('the scheduled orphan sweep', () => {
  it('removes document bytes no document points to, once they are older than an hour', async () => {
    const makeHandler = makeSweepOrphanDocumentsHandler;
    const personId = newPersonId();
    const kept = await storedDocument(personId);
    const orphan = documentObjectKey(personId, 'gone', 'upload-1');
    await putObject(orphan, Buffer.from('orphan'), 'application/pdf');
    // The stores are shared with other test files: this sweep sees only this test's person.
    const objects: ObjectStore = {
      ...objectStore,
      listOlderThan: (prefix, before) => objectStore.listOlderThan(`${prefix}${personId}/`, before),
    };
    const now = makeHandler({ objects, documents: documentStore, logger: makeLogger('silent') });
    expect(await now()).toEqual({ removed: 0 });
    const later = makeHandler({
      objects,
      documents: documentStore,
      logger: makeLogger('silent'),
      clock: () => new Date(Date.now() + 2 * 3600 * 1000),
    });
    expect(await later()).toEqual({ removed: 1 });
    expect(await listKeys(`people/${personId}/`)).toEqual([kept]);
  });
});

/** A document stored through the real upload handler; its object key. */
async function storedDocument(personId: string): Promise<string> {
  const response = await invoke(
    upload,
    uploadEvent(
      [
        { name: 'personId', value: personId },
        { name: 'name', value: 'Kept' },
        { name: 'publicId', value: 'kept' },
        { name: 'file', filename: 'kept.pdf', data: everyByte(1) },
      ],
      await bothPermissions(),
    ),
  );
  expect(response.statusCode).toBe(200);
  return (await documentStore.get(personId, 'kept'))?.objectKey ?? '';
}
