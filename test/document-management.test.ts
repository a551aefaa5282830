import { randomUUID } from 'node:crypto';
import {
  authenticatorFromEnv,
  dynamoSettings,
  makeAuditStore,
  makeDocumentCatalog,
  makeDocumentStore,
  makeDynamoClient,
  makeObjectEraser,
  makeS3Client,
  makeUploadSessionStore,
  s3Settings,
} from '@identities/aws';
import {
  encodeCursor,
  makeAuditRecorder,
  makeEraseFileDocumentsHandler,
  makeLogger,
  type ObjectEraser,
  PERMISSIONS,
} from '@identities/core';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import {
  deleteFileDocument,
  downloadFileDocument,
  eraseFileDocuments,
  getFileDocument,
  listFileDocuments,
  updateFileDocument,
  uploadFileDocument,
} from './support/functions.ts';
import { apiEvent, invoke } from './support/lambda.ts';
import { multipart } from './support/multipart.ts';
import { listKeys, newPersonId, sessionStore } from './support/storage.ts';
import { bearer, token } from './support/tokens.ts';

/** Every version and delete marker under a prefix, as the run's own key lists them. */
const installEraser = makeObjectEraser(makeS3Client(s3Settings(process.env)), s3Settings(process.env).bucket);
const versionsUnder = async (prefix: string) => (await installEraser.versionsUnder(prefix)).length;

/** The erasure function's stores, signing with its own key, so a fault's aftermath is one it may clean up. */
function eraseFunctionStores() {
  const credentials = inject('principalKeys').EraseFileDocuments;
  if (credentials === undefined) throw new Error('no key for EraseFileDocuments');
  const dynamo = dynamoSettings(process.env);
  const table = makeDynamoClient({ ...dynamo, credentials });
  const s3 = s3Settings(process.env);
  return {
    documents: makeDocumentStore(table, dynamo.table),
    catalog: makeDocumentCatalog(table, dynamo.table),
    sessions: makeUploadSessionStore(table, dynamo.table),
    eraser: makeObjectEraser(makeS3Client({ ...s3, credentials }), s3.bucket),
    audit: makeAuditRecorder({
      trail: makeAuditStore(table, dynamo.table),
      retentionDays: 400,
      logger: makeLogger('silent'),
    }),
  };
}

const documentsPath = (personId: string) => `/api/v1/people/${personId}/fileDocuments`;
const documentPath = (personId: string, documentId: string) => `${documentsPath(personId)}/${documentId}`;

let jwt: string;
beforeAll(async () => {
  jwt = await token({ subject: 'clerk-1', claims: { permissions: Object.values(PERMISSIONS) } });
});

async function upload(personId: string, publicId: string, fields: { name?: string; description?: string } = {}) {
  const form = multipart([
    { name: 'personId', value: personId },
    { name: 'name', value: fields.name ?? `Document ${publicId}` },
    ...(fields.description === undefined ? [] : [{ name: 'description', value: fields.description }]),
    { name: 'publicId', value: publicId },
    {
      name: 'file',
      filename: `${publicId}.pdf`,
      contentType: 'application/pdf',
      data: Buffer.from(`%PDF ${publicId}`),
    },
  ]);
  const response = await invoke(
    uploadFileDocument,
    apiEvent({
      method: 'POST',
      path: '/api/v1/people/fileDocuments/upload',
      headers: { ...bearer(jwt), 'Content-Type': form.contentType },
      body: form.body,
    }),
  );
  expect(response.statusCode).toBe(200);
}

const list = (personId: string, query = '') =>
  invoke(listFileDocuments, apiEvent({ path: `${documentsPath(personId)}${query}`, headers: bearer(jwt) }));

const describeOne = (personId: string, documentId: string, headers: Record<string, string> = {}) =>
  invoke(
    getFileDocument,
    apiEvent({ path: documentPath(personId, documentId), headers: { ...bearer(jwt), ...headers } }),
  );

const patch = (personId: string, documentId: string, body: unknown, headers: Record<string, string> = {}) =>
  invoke(
    updateFileDocument,
    apiEvent({
      method: 'PATCH',
      path: documentPath(personId, documentId),
      headers: { ...bearer(jwt), 'Content-Type': 'application/merge-patch+json', ...headers },
      body: Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)),
    }),
  );

const remove = (personId: string, documentId: string, authorization = jwt) =>
  invoke(
    deleteFileDocument,
    apiEvent({ method: 'DELETE', path: documentPath(personId, documentId), headers: bearer(authorization) }),
  );

describe('GET /api/v1/people/{personId}/fileDocuments', () => {
  it('answers an empty page for a person without documents', async () => {
    const response = await list(newPersonId());
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.json()).toEqual({ items: [], nextCursor: null });
    expect(response.headers.link).toBeUndefined();
  });

  it('lists the metadata newest first, in the shape every route uses', async () => {
    const personId = newPersonId();
    await upload(personId, 'first', { description: 'Front' });
    await new Promise((resolve) => setTimeout(resolve, 5));
    await upload(personId, 'second');
    const response = await list(personId);
    expect(response.statusCode).toBe(200);
    const { items, nextCursor } = response.json() as { items: Record<string, unknown>[]; nextCursor: unknown };
    expect(nextCursor).toBeNull();
    expect(items.map((item) => item.id)).toEqual(['second', 'first']);
    expect(items[1]).toEqual({
      id: 'first',
      personId,
      name: 'Document first',
      description: 'Front',
      fileName: 'first.pdf',
      contentType: 'application/pdf',
      size: Buffer.byteLength('%PDF first'),
      sha256: expect.stringMatching(/^[0-9a-f]{64}$/),
      createdAt: expect.any(String),
      createdBy: 'clerk-1',
      updatedAt: items[1]?.createdAt,
      updatedBy: 'clerk-1',
    });
    expect(items[0]?.description).toBeNull();
  });

  it('pages by limit and cursor: exactly one page, then pages that meet, with a Link to the next', async () => {
    const personId = newPersonId();
    for (const id of ['a', 'b', 'c']) {
      await upload(personId, id);
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    const whole = await list(personId, '?limit=3');
    expect((whole.json().items as unknown[]).length).toBe(3);
    expect(whole.json().nextCursor).toBeNull();

    const first = await list(personId, '?limit=2');
    const cursor = first.json().nextCursor as string;
    expect((first.json().items as { id: string }[]).map((item) => item.id)).toEqual(['c', 'b']);
    expect(first.headers.link).toBe(`<fileDocuments?limit=2&cursor=${encodeURIComponent(cursor)}>; rel="next"`);
    const second = await list(personId, `?limit=2&cursor=${encodeURIComponent(cursor)}`);
    expect((second.json().items as { id: string }[]).map((item) => item.id)).toEqual(['a']);
    expect(second.json().nextCursor).toBeNull();
  });

  it('answers 400 for a limit out of range, a tampered cursor, or another person’s cursor', async () => {
    const personId = newPersonId();
    await upload(personId, 'x');
    await upload(personId, 'y');
    for (const query of ['?limit=0', '?limit=101', '?limit=ten', '?limit=1&limit=2']) {
      expect((await list(personId, query)).statusCode, query).toBe(400);
    }
    expect((await list(personId, '?limit=100')).statusCode).toBe(200);
    expect((await list(personId, '?limit=1')).statusCode).toBe(200);
    const cursor = (await list(personId, '?limit=1')).json().nextCursor as string;
    const tampered = `${cursor.slice(0, -2)}${cursor.endsWith('A') ? 'B' : 'A'}${cursor.slice(-1)}`;
    const bad = await list(personId, `?cursor=${encodeURIComponent(tampered)}`);
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toBe('application/problem+json');
    expect((await list(newPersonId(), `?cursor=${encodeURIComponent(cursor)}`)).statusCode).toBe(400);
    // A cursor with a valid checksum but a position no list makes is refused by the store too.
    const forged = encodeCursor(`documents:${personId}`, 'not-a-position');
    expect((await list(personId, `?cursor=${encodeURIComponent(forged)}`)).statusCode).toBe(400);
  });

  it('answers 400 for a person id that is not a GUID', async () => {
    expect((await list('not-a-guid')).statusCode).toBe(400);
  });

  it('does not list a document reserved by an upload session that was never completed', async () => {
    const personId = newPersonId();
    await upload(personId, 'done');
    const uploadId = randomUUID();
    await sessionStore.reserve({
      personId,
      documentId: 'pending',
      uploadId,
      name: 'Passport',
      description: undefined,
      fileName: 'p.pdf',
      contentType: 'application/pdf',
      size: 10,
      stagingKey: `uploads/${uploadId}`,
      createdAt: new Date().toISOString(),
      createdBy: 'clerk-1',
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const ids = ((await list(personId)).json().items as { id: string }[]).map((item) => item.id);
    expect(ids).toEqual(['done']);
    expect((await describeOne(personId, 'pending')).statusCode).toBe(404);
  });
});

describe('GET /api/v1/people/{personId}/fileDocuments/{documentId}', () => {
  it('answers 200 with the metadata and an ETag; 304 when If-None-Match holds', async () => {
    const personId = newPersonId();
    await upload(personId, 'card');
    const response = await describeOne(personId, 'card');
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({ id: 'card', personId, name: 'Document card' });
    const etag = response.headers.etag ?? '';
    expect(etag).toMatch(/^"m-[A-Za-z0-9_-]+"$/);
    expect((await describeOne(personId, 'card', { 'If-None-Match': etag })).statusCode).toBe(304);
    expect((await describeOne(personId, 'card', { 'If-None-Match': '"other"' })).statusCode).toBe(200);
  });

  it('answers 404 for an unknown document, another person’s, or ids that cannot exist', async () => {
    const personId = newPersonId();
    await upload(personId, 'mine');
    expect((await describeOne(personId, 'other')).statusCode).toBe(404);
    expect((await describeOne(newPersonId(), 'mine')).statusCode).toBe(404);
    expect((await describeOne('not-a-guid', 'mine')).statusCode).toBe(404);
    expect((await describeOne(personId, '..')).statusCode).toBe(404);
  });
});

describe('PATCH /api/v1/people/{personId}/fileDocuments/{documentId}', () => {
  it('changes the name and removes the description with a merge patch, under If-Match', async () => {
    const personId = newPersonId();
    await upload(personId, 'card', { description: 'Front' });
    const etag = (await describeOne(personId, 'card')).headers.etag ?? '';
    const response = await patch(
      personId,
      'card',
      { name: '  ID card (new) ', description: null },
      { 'If-Match': etag },
    );
    expect(response.statusCode).toBe(200);
    expect(response.json()).toMatchObject({
      id: 'card',
      name: 'ID card (new)',
      description: null,
      updatedBy: 'clerk-1',
    });
    expect(response.headers.etag).not.toBe(etag);
    const again = await describeOne(personId, 'card');
    expect(again.json()).toMatchObject({ name: 'ID card (new)', description: null });
    expect(again.headers.etag).toBe(response.headers.etag);
    // The bytes are the same document's.
    const data = await invoke(
      downloadFileDocument,
      apiEvent({ path: `${documentPath(personId, 'card')}/data`, headers: bearer(jwt) }),
    );
    expect(data.body.toString()).toBe('%PDF card');
  });

  it('answers 412 for a stale If-Match, and applies only one of two changes made from one read', async () => {
    const personId = newPersonId();
    await upload(personId, 'card');
    const etag = (await describeOne(personId, 'card')).headers.etag ?? '';
    const outcomes = await Promise.all([
      patch(personId, 'card', { name: 'One' }, { 'If-Match': etag }),
      patch(personId, 'card', { name: 'Two' }, { 'If-Match': etag }),
    ]);
    expect(outcomes.map((outcome) => outcome.statusCode).sort()).toEqual([200, 412]);
    const winner = outcomes.find((outcome) => outcome.statusCode === 200)?.json().name;
    expect((await describeOne(personId, 'card')).json().name).toBe(winner);
    expect((await patch(personId, 'card', { name: 'Three' }, { 'If-Match': etag })).statusCode).toBe(412);
    expect((await patch(personId, 'card', { name: 'Any' }, { 'If-Match': '*' })).statusCode).toBe(200);
  });

  it('answers 428 without If-Match, 415 for another media type, 400 for what it cannot change', async () => {
    const personId = newPersonId();
    await upload(personId, 'card');
    const etag = (await describeOne(personId, 'card')).headers.etag ?? '';
    const required = await patch(personId, 'card', { name: 'x' });
    expect(required.statusCode).toBe(428);
    expect(required.headers['content-type']).toBe('application/problem+json');
    const json = await patch(personId, 'card', { name: 'x' }, { 'If-Match': etag, 'Content-Type': 'application/json' });
    expect(json.statusCode).toBe(415);
    expect(json.headers['accept-patch']).toBe('application/merge-patch+json');
    for (const body of [
      '{"name":',
      '[]',
      '"name"',
      { name: null },
      { name: '   ' },
      { name: 'x'.repeat(257) },
      { description: 5 },
      { description: 'd'.repeat(2049) },
      { size: 1 },
      { sha256: 'x' },
      { name: '\ud800' },
    ]) {
      expect((await patch(personId, 'card', body, { 'If-Match': etag })).statusCode, JSON.stringify(body)).toBe(400);
    }
    expect((await patch(personId, 'card', 'x'.repeat(17 * 1024), { 'If-Match': etag })).statusCode).toBe(413);
    expect((await describeOne(personId, 'card')).headers.etag).toBe(etag);
  });

  it('answers 404 for a document that does not exist', async () => {
    expect((await patch(newPersonId(), 'none', { name: 'x' }, { 'If-Match': '*' })).statusCode).toBe(404);
  });
});

describe('DELETE /api/v1/people/{personId}/fileDocuments/{documentId}', () => {
  it('answers 204, then 404: metadata and every version of the bytes are gone', async () => {
    const personId = newPersonId();
    await upload(personId, 'card');
    await upload(personId, 'kept');
    expect((await remove(personId, 'card')).statusCode).toBe(204);
    expect((await describeOne(personId, 'card')).statusCode).toBe(404);
    expect(await listKeys(`people/${personId}/documents/card/`)).toEqual([]);
    expect(await versionsUnder(`people/${personId}/documents/card/`)).toBe(0);
    expect(await versionsUnder(`people/${personId}/documents/kept/`)).toBe(1);
    expect((await remove(personId, 'card')).statusCode).toBe(404);
    expect((await describeOne(personId, 'kept')).statusCode).toBe(200);
  });

  it('frees the id: an upload with the same publicId afterwards is a new document', async () => {
    const personId = newPersonId();
    await upload(personId, 'card', { name: 'Old' });
    expect((await remove(personId, 'card')).statusCode).toBe(204);
    await upload(personId, 'card', { name: 'New' });
    expect((await describeOne(personId, 'card')).json().name).toBe('New');
  });

  it('answers 403 to a caller who may only add and read', async () => {
    const personId = newPersonId();
    await upload(personId, 'card');
    const clerk = await token({ claims: { permissions: [PERMISSIONS.addFiles, PERMISSIONS.readFiles] } });
    expect((await remove(personId, 'card', clerk)).statusCode).toBe(403);
    expect((await describeOne(personId, 'card')).statusCode).toBe(200);
  });
});

describe('DELETE /api/v1/people/{personId}/fileDocuments', () => {
  const erase = (handler: Parameters<typeof invoke>[0], personId: string) =>
    invoke(handler, apiEvent({ method: 'DELETE', path: documentsPath(personId), headers: bearer(jwt) }));

  it('answers 204 for a person without documents, and 400 for a person id that is not a GUID', async () => {
    expect((await erase(eraseFileDocuments, newPersonId())).statusCode).toBe(204);
    expect((await erase(eraseFileDocuments, 'not-a-guid')).statusCode).toBe(400);
  });

  it('finishes, repeated, an erasure a failing store stopped half-way: no version of any document is left', async () => {
    const personId = newPersonId();
    for (let index = 0; index < 12; index++) await upload(personId, `doc-${index}`);
    const stores = eraseFunctionStores();
    let deletions = 0;
    const failing: ObjectEraser = {
      versionsUnder: (prefix) => stores.eraser.versionsUnder(prefix),
      async deleteVersion(key, versionId) {
        if (++deletions > 5)
          throw Object.assign(new Error('We encountered an internal error'), { name: 'InternalError' });
        return stores.eraser.deleteVersion(key, versionId);
      },
    };
    const faulty = makeEraseFileDocumentsHandler({
      ...stores,
      eraser: failing,
      auth: authenticatorFromEnv(process.env),
      logger: makeLogger('silent'),
    });
    const stopped = await erase(faulty, personId);
    expect(stopped.statusCode).toBe(500);
    expect(await versionsUnder(`people/${personId}/`)).toBeGreaterThan(0);
    const left = ((await list(personId, '?limit=100')).json().items as unknown[]).length;
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThan(12);
    expect((await erase(eraseFileDocuments, personId)).statusCode).toBe(204);
    expect(await versionsUnder(`people/${personId}/`)).toBe(0);
    expect((await list(personId)).json().items).toEqual([]);
  });
});
