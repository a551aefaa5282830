import {
  authenticatorFromEnv,
  makeDocumentCatalog,
  makeDocumentStore,
  makeObjectEraser,
  readSettings,
} from '@identities/aws';
import {
  type AuditEvent,
  type AuditTrail,
  makeAuditRecorder,
  makeDeleteEnrollmentPhotoHandler,
  makeDeleteFileDocumentHandler,
  makeEraseFileDocumentsHandler,
  makeLogger,
  makeUpdateFileDocumentHandler,
  PERMISSIONS,
} from '@identities/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Faults } from './support/faults.ts';
import {
  deleteDetectionPhoto,
  deleteEnrollmentPhoto,
  deleteFileDocument,
  eraseFileDocuments,
  getFileDocument,
  updateFileDocument,
  uploadFileDocument,
} from './support/functions.ts';
import { apiEvent, invoke } from './support/lambda.ts';
import { multipart } from './support/multipart.ts';
import {
  auditTrail,
  bucket,
  dynamoClient,
  jpegBytes,
  listKeys,
  newPersonId,
  putObject,
  s3Client,
  sessionStore,
} from './support/storage.ts';
import { bearer, token } from './support/tokens.ts';

const table = readSettings(process.env).storage.table ?? '';
const USER_AGENT = 'records-changes/1.0';
let jwt: string;
beforeAll(async () => {
  jwt = await token({ subject: 'officer-9', claims: { permissions: Object.values(PERMISSIONS) } });
});

const headers = (extra: Record<string, string> = {}) => ({ ...bearer(jwt), 'User-Agent': USER_AGENT, ...extra });
const documentPath = (personId: string, documentId = '') =>
  `/api/v1/people/${personId}/fileDocuments${documentId === '' ? '' : `/${documentId}`}`;

async function upload(personId: string, publicId: string) {
  const form = multipart([
    { name: 'personId', value: personId },
    { name: 'name', value: `Document ${publicId}` },
    { name: 'publicId', value: publicId },
    { name: 'file', filename: `${publicId}.pdf`, contentType: 'application/pdf', data: Buffer.from('%PDF card') },
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

const patchEvent = (personId: string, documentId: string, ifMatch = '*') =>
  apiEvent({
    method: 'PATCH',
    path: documentPath(personId, documentId),
    headers: headers({ 'Content-Type': 'application/merge-patch+json', 'If-Match': ifMatch }),
    body: Buffer.from(JSON.stringify({ description: 'Checked' })),
  });
const deleteEvent = (path: string) => apiEvent({ method: 'DELETE', path, headers: headers() });

/** The events of a person (or a face), newest first, with the fields a change records. */
async function eventsOf(of: { personId: string } | { faceId: string }) {
  const { items } = await auditTrail.list(of, { limit: 100, after: undefined });
  return items.map((event: AuditEvent) => ({
    action: event.action,
    subject: event.subject,
    method: event.method,
    documentId: event.documentId,
    detectionId: event.detectionId,
    status: event.status,
    bytesSent: event.bytesSent,
    userAgent: event.userAgent,
    hasRequestId: event.requestId.length > 0,
    hasSourceIp: event.sourceIp.length > 0,
  }));
}

/** Events recorded within one millisecond are ordered by their sort key's random suffix: compare them as a set. */
const unordered = (events: readonly object[]) => events.map((event) => JSON.stringify(event)).sort();

const change = (action: string, method: string, status: number, ids: Record<string, string | undefined> = {}) => ({
  action,
  subject: 'officer-9',
  method,
  documentId: undefined,
  detectionId: undefined,
  status,
  bytesSent: 0,
  userAgent: USER_AGENT,
  hasRequestId: true,
  hasSourceIp: true,
  ...ids,
});

describe('changes recorded in the access trail', () => {
  it('records a metadata change, its stale If-Match, a deletion, a repeated deletion and an erasure', async () => {
    const personId = newPersonId();
    await upload(personId, 'card-1');
    await upload(personId, 'card-2');
    expect((await invoke(updateFileDocument, patchEvent(personId, 'card-1'))).statusCode).toBe(200);
    expect((await invoke(updateFileDocument, patchEvent(personId, 'card-1', '"m-stale"'))).statusCode).toBe(412);
    expect((await invoke(deleteFileDocument, deleteEvent(documentPath(personId, 'card-1')))).statusCode).toBe(204);
    expect((await invoke(deleteFileDocument, deleteEvent(documentPath(personId, 'card-1')))).statusCode).toBe(404);
    expect((await invoke(eraseFileDocuments, deleteEvent(documentPath(personId)))).statusCode).toBe(204);
    const events = (await eventsOf({ personId })).filter((event) => event.action !== 'document.upload');
    expect(unordered(events)).toEqual(
      unordered([
        change('person.erase', 'DELETE', 204),
        change('document.delete', 'DELETE', 404, { documentId: 'card-1' }),
        change('document.delete', 'DELETE', 204, { documentId: 'card-1' }),
        change('document.update', 'PATCH', 412, { documentId: 'card-1' }),
        change('document.update', 'PATCH', 200, { documentId: 'card-1' }),
      ]),
    );
    // The erasure removed the documents and kept every event, the uploads' included.
    expect(
      (await invoke(getFileDocument, apiEvent({ path: documentPath(personId, 'card-2'), headers: headers() })))
        .statusCode,
    ).toBe(404);
    expect((await eventsOf({ personId })).filter((event) => event.action === 'document.upload')).toHaveLength(2);
  });

  it('records photo deletions under the face, a detection photo with its id and a missing one as 404', async () => {
    const faceId = `face-${newPersonId()}`;
    await putObject(`faces/${faceId}/enrollment.jpg`, jpegBytes());
    await putObject(`faces/${faceId}/detections/det-1.jpg`, jpegBytes());
    await putObject(`faces/${faceId}/detections/det-2.jpg`, jpegBytes());
    const detection = (id: string) => deleteEvent(`/api/v1/people/detectionPhoto/${faceId}/${id}`);
    expect((await invoke(deleteDetectionPhoto, detection('det-1'))).statusCode).toBe(204);
    expect((await invoke(deleteDetectionPhoto, detection('det-9'))).statusCode).toBe(404);
    const face = deleteEvent(`/api/v1/people/enrollmentPhoto/${faceId}`);
    expect((await invoke(deleteEnrollmentPhoto, face)).statusCode).toBe(204);
    expect(unordered(await eventsOf({ faceId }))).toEqual(
      unordered([
        change('photo.delete', 'DELETE', 204),
        change('photo.delete', 'DELETE', 404, { detectionId: 'det-9' }),
        change('photo.delete', 'DELETE', 204, { detectionId: 'det-1' }),
      ]),
    );
  });
});

/** The trail, its writes failing as the fault plan says. */
function faultyTrail(faults: Faults): AuditTrail {
  return {
    async append(event, expiresAt) {
      faults.check('trail.append', 'The metadata table');
      return auditTrail.append(event, expiresAt);
    },
    list: (of, page) => auditTrail.list(of, page),
  };
}

describe('changes fail closed when the trail cannot be written', () => {
  const deps = () => ({
    auth: authenticatorFromEnv(process.env),
    logger: makeLogger('silent'),
    documents: makeDocumentStore(dynamoClient, table),
    catalog: makeDocumentCatalog(dynamoClient, table),
    sessions: sessionStore,
    eraser: makeObjectEraser(s3Client, bucket),
    audit: makeAuditRecorder({
      trail: faultyTrail(new Faults().fail('trail.append', 'throttle')),
      retentionDays: 400,
      logger: makeLogger('silent'),
    }),
  });

  it.each(['update', 'delete', 'erase'] as const)('a %s answers 503 and changes nothing', async (kind) => {
    const personId = newPersonId();
    await upload(personId, 'card-1');
    const describeOne = () =>
      invoke(getFileDocument, apiEvent({ path: documentPath(personId, 'card-1'), headers: headers() }));
    const before = await describeOne();
    const handler =
      kind === 'update'
        ? makeUpdateFileDocumentHandler(deps())
        : kind === 'delete'
          ? makeDeleteFileDocumentHandler(deps())
          : makeEraseFileDocumentsHandler(deps());
    const event =
      kind === 'update'
        ? patchEvent(personId, 'card-1')
        : deleteEvent(documentPath(personId, kind === 'delete' ? 'card-1' : ''));
    const response = await invoke(handler, event);
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    const after = await describeOne();
    expect(after.statusCode).toBe(200);
    expect(after.body.toString()).toBe(before.body.toString());
    expect(after.headers.etag).toBe(before.headers.etag);
    expect(await listKeys(`people/${personId}/`)).toHaveLength(1);
    expect((await eventsOf({ personId })).map((recorded) => recorded.action)).toEqual(['document.upload']);
  });

  it('a photo deletion answers 503 and deletes nothing', async () => {
    const faceId = `face-${newPersonId()}`;
    await putObject(`faces/${faceId}/enrollment.jpg`, jpegBytes());
    const handler = makeDeleteEnrollmentPhotoHandler(deps());
    const response = await invoke(handler, deleteEvent(`/api/v1/people/enrollmentPhoto/${faceId}`));
    expect(response.statusCode).toBe(503);
    expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
    expect(await listKeys(`faces/${faceId}/`)).toEqual([`faces/${faceId}/enrollment.jpg`]);
    expect(await eventsOf({ faceId })).toEqual([]);
  });
});
