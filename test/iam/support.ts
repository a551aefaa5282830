import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import {
  makeAuditStore,
  makeDocumentStore,
  makeRoleStore,
  makeS3Client,
  makeUploadSessionStore,
  objectStoreOf,
  readAuthSettings,
  type Settings,
  type StorageSettings,
  tableOf,
} from '@identities/aws';
import {
  type Logger,
  makeLogger,
  makeSweepOrphanDocuments,
  makeSweepOrphanDocumentsHandler,
  makeSweepUploadSessions,
  PERMISSIONS,
  type RouteId,
} from '@identities/core';
import { type PolicyStatement, ROUTE_HANDLERS, STAND_IN_REGION, type StandIns, startStandIns } from '@identities/local';
import { expect } from 'vitest';
import { apiEvent, invoke } from '../support/lambda.ts';
import { uploadEvent } from '../support/multipart.ts';
import { jpegBytes } from '../support/storage.ts';
import { bearer, token } from '../support/tokens.ts';

/** Stores of this file's own, enforcing each principal's policy; `policies` may replace some, at any time. */
export async function startPolicedStores() {
  const scratchDir = await mkdtemp(join(tmpdir(), 'identities-iam-'));
  const denials: Record<string, unknown>[] = [];
  const logger: Logger = {
    log(_level, message, fields) {
      if (message === 'store request denied') denials.push(fields ?? {});
    },
  };
  const policies = new Map<string, readonly PolicyStatement[]>();
  const standIns = await startStandIns({
    scratchDir,
    bucket: 'identities-iam',
    table: 'identities-iam',
    logger,
    policies,
  });
  return { standIns, denials, policies };
}

/** The storage settings of one principal (or the install itself, to arrange data), as the server gives them. */
export function storageAs(standIns: StandIns, principal?: string): StorageSettings {
  return {
    region: STAND_IN_REGION,
    bucket: standIns.bucket,
    table: standIns.table,
    s3Endpoint: standIns.s3Endpoint,
    dynamoEndpoint: standIns.dynamoEndpoint,
    s3PublicEndpoint: standIns.s3Endpoint,
    credentials: principal === undefined ? standIns.credentials : standIns.principals.of(principal).credentials,
  };
}

function settingsAs(standIns: StandIns, principal?: string): Settings {
  return {
    storage: storageAs(standIns, principal),
    auth: readAuthSettings(process.env),
    logLevel: 'silent',
    corsOrigins: [],
    // Photo downloads audited, so the photo functions use their grant to write access events.
    audit: { retentionDays: 400, photoDownloads: true },
  };
}

/** A route's function as a cold start makes it (fresh clients, empty role cache), signing as itself. */
const fn = (standIns: StandIns, id: RouteId, principal: string | undefined = id) =>
  ROUTE_HANDLERS[id](settingsAs(standIns, principal));

const SESSIONS = '/api/v1/people/fileDocuments/uploadSessions';
const FAR_FUTURE = () => new Date(Date.now() + 365 * 24 * 3600 * 1000);

/** A token whose permissions come from a role, so every route must read the role's item. */
async function roleToken(standIns: StandIns) {
  const role = `files-${randomUUID()}`;
  const { client, name } = tableOf(storageAs(standIns));
  await makeRoleStore(client, name).put({ name: role, permissions: Object.values(PERMISSIONS) });
  client.destroy();
  return token({ claims: { roles: [role] } });
}

async function putAsInstall(standIns: StandIns, key: string, body: Buffer) {
  const s3 = makeS3Client({ ...storageAs(standIns), endpoint: standIns.s3Endpoint });
  try {
    await s3.send(new PutObjectCommand({ Bucket: standIns.bucket, Key: key, Body: body, ContentType: 'image/jpeg' }));
  } finally {
    s3.destroy();
  }
}

async function uploadDocument(standIns: StandIns, principal: string | undefined, personId: string, documentId: string) {
  const response = await invoke(
    fn(standIns, 'UploadFileDocument', principal),
    uploadEvent(
      [
        { name: 'personId', value: personId },
        { name: 'name', value: 'ID card' },
        { name: 'publicId', value: documentId },
        { name: 'file', filename: 'id.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.7 card') },
      ],
      await roleToken(standIns),
    ),
  );
  return response;
}

interface Started {
  documentId: string;
  upload: { url: string; fields: Record<string, string>; fileField: string };
}

async function startSession(standIns: StandIns, principal: string | undefined, personId: string, bytes: Buffer) {
  const response = await invoke(
    fn(standIns, 'StartUploadSession', principal),
    apiEvent({
      method: 'POST',
      path: SESSIONS,
      headers: { ...bearer(await roleToken(standIns)), 'Content-Type': 'application/json' },
      body: Buffer.from(
        JSON.stringify({
          personId,
          name: 'Passport',
          fileName: 'p.pdf',
          contentType: 'application/pdf',
          size: bytes.length,
        }),
      ),
    }),
  );
  return response;
}

async function postForm(started: Started, bytes: Buffer) {
  const form = new FormData();
  for (const [name, value] of Object.entries(started.upload.fields)) form.set(name, value);
  form.set(started.upload.fileField, new Blob([bytes], { type: 'application/pdf' }), 'file');
  return fetch(started.upload.url, { method: 'POST', body: form });
}

async function completeSession(standIns: StandIns, documentId: string, personId: string) {
  return invoke(
    fn(standIns, 'CompleteUploadSession'),
    apiEvent({
      method: 'POST',
      path: `${SESSIONS}/${documentId}/complete`,
      headers: { ...bearer(await roleToken(standIns)), 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ personId })),
    }),
  );
}

/**
 * What each principal does, end to end: every request its code makes, each statement of its policy
 * used at least once. Passes with the principal's own policy; must fail with any statement taken away.
 */
export const SCENARIOS: Readonly<Record<string, (standIns: StandIns) => Promise<void>>> = {
  async EnrollmentPhoto(standIns) {
    const faceId = `face-${randomUUID()}`;
    await putAsInstall(standIns, `faces/${faceId}/enrollment.jpg`, jpegBytes());
    const handler = fn(standIns, 'EnrollmentPhoto');
    const auth = bearer(await token());
    const path = (id: string) => `/api/v1/people/enrollmentPhoto/${id}`;
    expect((await invoke(handler, apiEvent({ path: path(faceId), headers: auth }))).statusCode).toBe(200);
    const head = (id: string) =>
      invoke(handler, { ...apiEvent({ path: path(id), headers: auth }), httpMethod: 'HEAD' });
    expect((await head(faceId)).statusCode).toBe(200);
    expect((await invoke(handler, apiEvent({ path: path(`${faceId}-missing`), headers: auth }))).statusCode).toBe(404);
    expect((await head(`${faceId}-missing`)).statusCode).toBe(404);
  },

  async DetectionPhoto(standIns) {
    const faceId = `face-${randomUUID()}`;
    await putAsInstall(standIns, `faces/${faceId}/detections/d1.jpg`, jpegBytes());
    const handler = fn(standIns, 'DetectionPhoto');
    const auth = bearer(await token());
    const path = (id: string) => `/api/v1/people/detectionPhoto/${faceId}/${id}`;
    expect((await invoke(handler, apiEvent({ path: path('d1'), headers: auth }))).statusCode).toBe(200);
    expect((await invoke(handler, apiEvent({ path: path('d2'), headers: auth }))).statusCode).toBe(404);
  },

  async UploadFileDocument(standIns) {
    const response = await uploadDocument(standIns, 'UploadFileDocument', randomUUID(), `doc-${randomUUID()}`);
    expect(response.statusCode).toBe(200);
  },

  async DownloadFileDocument(standIns) {
    const personId = randomUUID();
    const documentId = `doc-${randomUUID()}`;
    expect((await uploadDocument(standIns, undefined, personId, documentId)).statusCode).toBe(200);
    const handler = fn(standIns, 'DownloadFileDocument');
    const auth = bearer(await roleToken(standIns));
    const path = (id: string) => `/api/v1/people/${personId}/fileDocuments/${id}/data`;
    const found = await invoke(handler, apiEvent({ path: path(documentId), headers: auth }));
    expect(found.statusCode).toBe(200);
    expect(found.body.toString()).toBe('%PDF-1.7 card');
    expect((await invoke(handler, apiEvent({ path: path(`${documentId}-missing`), headers: auth }))).statusCode).toBe(
      404,
    );
  },

  async AuditTrail(standIns) {
    const personId = randomUUID();
    const documentId = `doc-${randomUUID()}`;
    expect((await uploadDocument(standIns, undefined, personId, documentId)).statusCode).toBe(200);
    const response = await invoke(
      fn(standIns, 'AuditTrail'),
      apiEvent({ path: `/api/v1/people/${personId}/auditTrail`, headers: bearer(await roleToken(standIns)) }),
    );
    expect(response.statusCode).toBe(200);
    expect((response.json() as { items: { action: string }[] }).items.map((event) => event.action)).toEqual([
      'document.upload',
    ]);
  },

  async FileDocumentLink(standIns) {
    const personId = randomUUID();
    const documentId = `doc-${randomUUID()}`;
    expect((await uploadDocument(standIns, undefined, personId, documentId)).statusCode).toBe(200);
    const handler = fn(standIns, 'FileDocumentLink');
    const auth = bearer(await roleToken(standIns));
    const path = (id: string) => `/api/v1/people/${personId}/fileDocuments/${id}/links`;
    const issued = await invoke(handler, apiEvent({ method: 'POST', path: path(documentId), headers: auth }));
    expect(issued.statusCode).toBe(201);
    // The link carries the function's own right to read the document's bytes: storage authorises it so.
    const fetched = await fetch(String(issued.json().url));
    expect(fetched.status).toBe(200);
    expect(await fetched.text()).toBe('%PDF-1.7 card');
    const missing = await invoke(
      handler,
      apiEvent({ method: 'POST', path: path(`${documentId}-missing`), headers: auth }),
    );
    expect(missing.statusCode).toBe(404);
  },

  async EnrollmentPhotoLink(standIns) {
    const faceId = `face-${randomUUID()}`;
    await putAsInstall(standIns, `faces/${faceId}/enrollment.jpg`, jpegBytes());
    const handler = fn(standIns, 'EnrollmentPhotoLink');
    const auth = bearer(await token());
    const path = (id: string) => `/api/v1/people/enrollmentPhoto/${id}/links`;
    const issued = await invoke(handler, apiEvent({ method: 'POST', path: path(faceId), headers: auth }));
    expect(issued.statusCode).toBe(201);
    expect((await fetch(String(issued.json().url))).status).toBe(200);
    const missing = await invoke(handler, apiEvent({ method: 'POST', path: path(`${faceId}-missing`), headers: auth }));
    expect(missing.statusCode).toBe(404);
  },

  async DetectionPhotoLink(standIns) {
    const faceId = `face-${randomUUID()}`;
    await putAsInstall(standIns, `faces/${faceId}/detections/d1.jpg`, jpegBytes());
    const handler = fn(standIns, 'DetectionPhotoLink');
    const auth = bearer(await token());
    const path = (id: string) => `/api/v1/people/detectionPhoto/${faceId}/${id}/links`;
    const issued = await invoke(handler, apiEvent({ method: 'POST', path: path('d1'), headers: auth }));
    expect(issued.statusCode).toBe(201);
    expect((await fetch(String(issued.json().url))).status).toBe(200);
    const missing = await invoke(handler, apiEvent({ method: 'POST', path: path('d2'), headers: auth }));
    expect(missing.statusCode).toBe(404);
  },

  async StartUploadSession(standIns) {
    const bytes = Buffer.from('%PDF-1.7 passport');
    const response = await startSession(standIns, 'StartUploadSession', randomUUID(), bytes);
    expect(response.statusCode).toBe(201);
    // The form carries the function's own right to put its key: S3 authorises it against the signer.
    expect((await postForm(response.json() as unknown as Started, bytes)).status).toBe(204);
  },

  async CompleteUploadSession(standIns) {
    const bytes = Buffer.from('%PDF-1.7 passport');
    const personId = randomUUID();
    const started = (await startSession(standIns, undefined, personId, bytes)).json() as unknown as Started;
    // Completed before its bytes arrived: 409, as the README promises.
    expect((await completeSession(standIns, started.documentId, personId)).statusCode).toBe(409);
    expect((await postForm(started, bytes)).status).toBe(204);
    expect((await completeSession(standIns, started.documentId, personId)).statusCode).toBe(200);
  },

  async DeleteEnrollmentPhoto(standIns) {
    const faceId = `face-${randomUUID()}`;
    await putAsInstall(standIns, `faces/${faceId}/enrollment.jpg`, jpegBytes());
    await putAsInstall(standIns, `faces/${faceId}/detections/d1.jpg`, jpegBytes());
    const handler = fn(standIns, 'DeleteEnrollmentPhoto');
    const event = async () =>
      apiEvent({
        method: 'DELETE',
        path: `/api/v1/people/enrollmentPhoto/${faceId}`,
        headers: bearer(await roleToken(standIns)),
      });
    expect((await invoke(handler, await event())).statusCode).toBe(204);
    expect((await invoke(handler, await event())).statusCode).toBe(404);
  },

  async DeleteDetectionPhoto(standIns) {
    const faceId = `face-${randomUUID()}`;
    await putAsInstall(standIns, `faces/${faceId}/detections/d1.jpg`, jpegBytes());
    const handler = fn(standIns, 'DeleteDetectionPhoto');
    const event = async () =>
      apiEvent({
        method: 'DELETE',
        path: `/api/v1/people/detectionPhoto/${faceId}/d1`,
        headers: bearer(await roleToken(standIns)),
      });
    expect((await invoke(handler, await event())).statusCode).toBe(204);
    expect((await invoke(handler, await event())).statusCode).toBe(404);
  },

  async ListFileDocuments(standIns) {
    const personId = randomUUID();
    const documentId = `doc-${randomUUID()}`;
    expect((await uploadDocument(standIns, undefined, personId, documentId)).statusCode).toBe(200);
    const response = await invoke(
      fn(standIns, 'ListFileDocuments'),
      apiEvent({ path: `/api/v1/people/${personId}/fileDocuments`, headers: bearer(await roleToken(standIns)) }),
    );
    expect(response.statusCode).toBe(200);
    expect((response.json().items as { id: string }[]).map((item) => item.id)).toEqual([documentId]);
  },

  async GetFileDocument(standIns) {
    const personId = randomUUID();
    const documentId = `doc-${randomUUID()}`;
    expect((await uploadDocument(standIns, undefined, personId, documentId)).statusCode).toBe(200);
    const response = await invoke(
      fn(standIns, 'GetFileDocument'),
      apiEvent({
        path: `/api/v1/people/${personId}/fileDocuments/${documentId}`,
        headers: bearer(await roleToken(standIns)),
      }),
    );
    expect(response.statusCode).toBe(200);
  },

  async UpdateFileDocument(standIns) {
    const personId = randomUUID();
    const documentId = `doc-${randomUUID()}`;
    expect((await uploadDocument(standIns, undefined, personId, documentId)).statusCode).toBe(200);
    const response = await invoke(
      fn(standIns, 'UpdateFileDocument'),
      apiEvent({
        method: 'PATCH',
        path: `/api/v1/people/${personId}/fileDocuments/${documentId}`,
        headers: {
          ...bearer(await roleToken(standIns)),
          'Content-Type': 'application/merge-patch+json',
          'If-Match': '*',
        },
        body: Buffer.from(JSON.stringify({ name: 'Renamed' })),
      }),
    );
    expect(response.statusCode).toBe(200);
  },

  async DeleteFileDocument(standIns) {
    const personId = randomUUID();
    const documentId = `doc-${randomUUID()}`;
    expect((await uploadDocument(standIns, undefined, personId, documentId)).statusCode).toBe(200);
    const handler = fn(standIns, 'DeleteFileDocument');
    const event = async () =>
      apiEvent({
        method: 'DELETE',
        path: `/api/v1/people/${personId}/fileDocuments/${documentId}`,
        headers: bearer(await roleToken(standIns)),
      });
    expect((await invoke(handler, await event())).statusCode).toBe(204);
    expect((await invoke(handler, await event())).statusCode).toBe(404);
  },

  async EraseFileDocuments(standIns) {
    const personId = randomUUID();
    expect((await uploadDocument(standIns, undefined, personId, `doc-${randomUUID()}`)).statusCode).toBe(200);
    // A pending session with its staged bytes, and bytes no document names (an upload's leftovers).
    const bytes = Buffer.from('%PDF-1.7 passport');
    const started = (await startSession(standIns, undefined, personId, bytes)).json() as unknown as Started;
    expect((await postForm(started, bytes)).status).toBe(204);
    await putAsInstall(standIns, `people/${personId}/documents/gone/${randomUUID()}`, Buffer.from('left'));
    const response = await invoke(
      fn(standIns, 'EraseFileDocuments'),
      apiEvent({
        method: 'DELETE',
        path: `/api/v1/people/${personId}/fileDocuments`,
        headers: bearer(await roleToken(standIns)),
      }),
    );
    expect(response.statusCode).toBe(204);
  },

  async SweepOrphanDocuments(standIns) {
    const storage = storageAs(standIns, 'SweepOrphanDocuments');
    const orphan = `people/${randomUUID()}/documents/d/${randomUUID()}`;
    await putAsInstall(standIns, orphan, Buffer.from('left behind'));
    const { client, name } = tableOf(storage);
    const sweep = makeSweepOrphanDocumentsHandler({
      objects: objectStoreOf(storage),
      documents: makeDocumentStore(client, name),
      logger: makeLogger('silent'),
      clock: FAR_FUTURE,
    });
    await sweep();
    expect(await objectStoreOf(storageAs(standIns)).head(orphan)).toBeUndefined();
  },

  async Operator(standIns) {
    const storage = storageAs(standIns, 'Operator');
    const { client, name } = tableOf(storage);
    const roles = makeRoleStore(client, name);
    // The CLI's role commands, and the gateway's permission check before a body is read.
    const role = `operators-${randomUUID()}`;
    await roles.put({ name: role, permissions: [PERMISSIONS.readFiles] });
    expect((await roles.list()).map((listed) => listed.name)).toContain(role);
    expect(await roles.permissionsOf(role)).toEqual([PERMISSIONS.readFiles]);
    // The CLI's photo put and the server's sample photo: a HEAD first, a missing key a 404.
    const objects = objectStoreOf(storage);
    const faceId = `face-${randomUUID()}`;
    expect(await objects.head(`faces/${faceId}/enrollment.jpg`)).toBeUndefined();
    const s3 = makeS3Client({ ...storage, endpoint: storage.s3Endpoint });
    await s3.send(
      new PutObjectCommand({ Bucket: standIns.bucket, Key: `faces/${faceId}/enrollment.jpg`, Body: jpegBytes() }),
    );
    s3.destroy();
    expect(await objects.head(`faces/${faceId}/enrollment.jpg`)).toBeDefined();
    // The server's sweeps: an expired session with its staged bytes, and document bytes no document has.
    const bytes = Buffer.from('%PDF-1.7 passport');
    const started = (await startSession(standIns, undefined, randomUUID(), bytes)).json() as unknown as Started;
    expect((await postForm(started, bytes)).status).toBe(204);
    const sweepSessions = makeSweepUploadSessions({
      sessions: makeUploadSessionStore(client, name),
      objects,
      logger: makeLogger('silent'),
      clock: FAR_FUTURE,
    });
    expect((await sweepSessions()).sessions).toBeGreaterThanOrEqual(1);
    expect(await objectStoreOf(storageAs(standIns)).head(started.upload.fields.key ?? '')).toBeUndefined();
    const orphan = `people/${randomUUID()}/documents/d/${randomUUID()}`;
    await putAsInstall(standIns, orphan, Buffer.from('left behind'));
    const sweepOrphans = makeSweepOrphanDocuments({
      objects,
      documents: makeDocumentStore(client, name),
      logger: makeLogger('silent'),
      clock: FAR_FUTURE,
    });
    expect(await sweepOrphans(0)).toBeGreaterThanOrEqual(1);
    // identities audit: a person's trail and a face's.
    const trail = makeAuditStore(client, name);
    expect((await trail.list({ personId: randomUUID() }, { limit: 10, after: undefined })).items).toEqual([]);
    expect((await trail.list({ faceId }, { limit: 10, after: undefined })).items).toEqual([]);
  },
};
