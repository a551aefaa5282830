import { type AddressInfo, createServer, type Server, type Socket } from 'node:net';
import { S3Client } from '@aws-sdk/client-s3';
import {
  authenticatorFromEnv,
  makeObjectStore,
  makeS3Client,
  makeUploadSessionStore,
  makeUploadTargets,
  STORAGE_CLIENT_LIMITS,
} from '@identities/aws';
import {
  enrollmentPhotoKey,
  type Logger,
  makeCompleteUploadSessionHandler as makeComplete,
  makeDownloadFileDocumentHandler as makeDownload,
  makeEnrollmentPhotoHandler as makeEnrollmentPhoto,
  makeStartUploadSessionHandler as makeStart,
  makeUploadFileDocumentHandler as makeUpload,
} from '@identities/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Fault, Faults, faultyDocuments, faultyObjects, faultySessions, faultyTargets } from './support/faults.ts';
import { apiEvent, invoke } from './support/lambda.ts';
import { uploadEvent } from './support/multipart.ts';
import {
  bucket,
  documentStore,
  dynamoClient,
  everyByte,
  jpegBytes,
  listKeys,
  newPersonId,
  putObject,
  storesAs,
} from './support/storage.ts';
import { bearer, bothPermissions } from './support/tokens.ts';

/** What each failure of a storage call means to the client. */
const EXPECTED: Record<Exclude<Fault, 'reset-mid-stream'>, { status: number; retryAfter: boolean }> = {
  throttle: { status: 503, retryAfter: true },
  unreachable: { status: 503, retryAfter: true },
  timeout: { status: 504, retryAfter: false },
  'server-error': { status: 502, retryAfter: false },
  bug: { status: 500, retryAfter: false },
};
const KINDS = Object.keys(EXPECTED) as (keyof typeof EXPECTED)[];

/** Log lines, kept to check what the service says about failures. */
function capturingLogger(): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: (level, message, fields = {}) => lines.push({ level, message, ...fields }) };
}

const auth = authenticatorFromEnv(process.env);
/**
 * Each flow's stores as its own function reaches them, held to that function's policy: a fault's
 * clean-up (a delete, a release) must be one the function may make. The test's own checks, and the
 * staged bytes a client's form would post, use the run's key.
 */
const own = {
  upload: storesAs('UploadFileDocument'),
  download: storesAs('DownloadFileDocument'),
  photo: storesAs('EnrollmentPhoto'),
  start: storesAs('StartUploadSession'),
  complete: storesAs('CompleteUploadSession'),
};
let token: string;
beforeAll(async () => {
  token = await bothPermissions();
});

function expectFailure(
  response: { statusCode: number; headers: Record<string, string>; body: Buffer },
  kind: keyof typeof EXPECTED,
) {
  const { status, retryAfter } = EXPECTED[kind];
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  if (retryAfter) expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  const body = response.body.toString();
  expect(body).not.toMatch(/ECONNREFUSED|InternalError|ThrottlingException|TypeError|\bat \S+:\d+/);
}

function documentUpload(personId: string, publicId: string, bytes: Buffer) {
  return uploadEvent(
    [
      { name: 'personId', value: personId },
      { name: 'name', value: 'Doc' },
      { name: 'publicId', value: publicId },
      { name: 'file', filename: 'doc.pdf', contentType: 'application/pdf', data: bytes },
    ],
    token,
  );
}

describe('multipart upload under storage faults', () => {
  it.each(KINDS)('answers as fits when storing the bytes fails (%s), and records nothing', async (kind) => {
    const faults = new Faults().fail('objects.put', kind);
    const upload = makeUpload({
      auth,
      logger: capturingLogger(),
      objects: faultyObjects(own.upload.objects, faults),
      documents: faultyDocuments(own.upload.documents, faults),
      audit: own.upload.audit,
    });
    const personId = newPersonId();
    expectFailure(await invoke(upload, documentUpload(personId, 'doc', everyByte())), kind);
    expect(faults.calls).not.toContain('documents.create');
    expect(await listKeys(`people/${personId}/`)).toEqual([]);
  });

  it.each(KINDS)('removes the stored bytes when recording the document fails (%s)', async (kind) => {
    const faults = new Faults().fail('documents.create', kind);
    const upload = makeUpload({
      auth,
      logger: capturingLogger(),
      objects: faultyObjects(own.upload.objects, faults),
      documents: faultyDocuments(own.upload.documents, faults),
      audit: own.upload.audit,
    });
    const personId = newPersonId();
    expectFailure(await invoke(upload, documentUpload(personId, 'doc', everyByte())), kind);
    expect(await listKeys(`people/${personId}/`)).toEqual([]);
    expect(await documentStore.get(personId, 'doc')).toBeUndefined();
  });

  it('reports the original failure, and logs the orphan, when the clean-up fails too', async () => {
    const faults = new Faults().fail('documents.create', 'throttle').fail('objects.delete', 'unreachable');
    const logger = capturingLogger();
    const upload = makeUpload({
      auth,
      logger,
      objects: faultyObjects(own.upload.objects, faults),
      documents: faultyDocuments(own.upload.documents, faults),
      audit: own.upload.audit,
    });
    const personId = newPersonId();
    expectFailure(await invoke(upload, documentUpload(personId, 'doc', everyByte())), 'throttle');
    const orphan = logger.lines.find((line) => line.message === 'orphaned document object');
    expect(orphan).toMatchObject({
      level: 'error',
      objectKey: expect.stringMatching(new RegExp(`^people/${personId}/`)),
    });
    // Invisible to downloads (no item), and left for the sweep.
    expect(await documentStore.get(personId, 'doc')).toBeUndefined();
  });
});

describe('document download under storage faults', () => {
  const personId = newPersonId();
  const bytes = everyByte(64);
  beforeAll(async () => {
    const upload = makeUpload({ auth, logger: capturingLogger(), ...own.upload });
    expect((await invoke(upload, documentUpload(personId, 'doc', bytes))).statusCode).toBe(200);
  });
  const download = (faults: Faults) =>
    makeDownload({
      auth,
      logger: capturingLogger(),
      objects: faultyObjects(own.download.objects, faults),
      documents: faultyDocuments(own.download.documents, faults),
      audit: own.download.audit,
    });
  const event = () => apiEvent({ path: `/api/v1/people/${personId}/fileDocuments/doc/data`, headers: bearer(token) });

  it.each(KINDS)('answers as fits when reading the metadata fails (%s)', async (kind) => {
    expectFailure(await invoke(download(new Faults().fail('documents.get', kind)), event()), kind);
  });

  it.each(KINDS)('answers as fits when opening the bytes fails (%s)', async (kind) => {
    expectFailure(await invoke(download(new Faults().fail('objects.get', kind)), event()), kind);
  });

  it('aborts the response when the bytes stop part-way, never ending a short body cleanly', async () => {
    await expect(invoke(download(new Faults().fail('objects.get', 'reset-mid-stream')), event())).rejects.toThrow(
      /ECONNRESET/,
    );
  });

  it('serves normally once the fault is gone', async () => {
    const faults = new Faults().fail('objects.get', 'throttle', 1);
    expect((await invoke(download(faults), event())).statusCode).toBe(503);
    const second = await invoke(download(faults), event());
    expect(second.statusCode).toBe(200);
    expect(second.body.equals(bytes)).toBe(true);
  });
});

describe('photo download under storage faults', () => {
  const faceId = newPersonId();
  beforeAll(() => putObject(enrollmentPhotoKey(faceId), jpegBytes(20_000)));
  const photo = (faults: Faults) =>
    makeEnrollmentPhoto({ auth, logger: capturingLogger(), objects: faultyObjects(own.photo.objects, faults) });
  const event = (headers: Record<string, string> = {}) =>
    apiEvent({ path: `/api/v1/people/enrollmentPhoto/${faceId}`, headers: { ...bearer(token), ...headers } });

  it.each(KINDS)('answers as fits when reading fails (%s)', async (kind) => {
    expectFailure(await invoke(photo(new Faults().fail('objects.get', kind)), event()), kind);
  });

  it.each(KINDS)('answers as fits when the revalidation lookup fails (%s)', async (kind) => {
    expectFailure(
      await invoke(photo(new Faults().fail('objects.head', kind)), event({ 'If-None-Match': '"x"' })),
      kind,
    );
  });

  it('aborts the response when the bytes stop part-way', async () => {
    await expect(invoke(photo(new Faults().fail('objects.get', 'reset-mid-stream')), event())).rejects.toThrow(
      /ECONNRESET/,
    );
  });
});

describe('upload sessions under storage faults', () => {
  const sessions = makeUploadSessionStore(dynamoClient, process.env.TABLE_NAME ?? '');

  async function start(faults: Faults, personId: string, bytes: Buffer) {
    const handler = makeStart({
      auth,
      logger: capturingLogger(),
      sessions: faultySessions(own.start.sessions, faults),
      targets: faultyTargets(own.start.targets, faults),
    });
    return invoke(
      handler,
      apiEvent({
        method: 'POST',
        path: '/api/v1/people/fileDocuments/uploadSessions',
        headers: { ...bearer(token), 'Content-Type': 'application/json' },
        body: Buffer.from(
          JSON.stringify({ personId, name: 'Scan', publicId: 'scan', fileName: 'scan.pdf', size: bytes.length }),
        ),
      }),
    );
  }

  async function complete(faults: Faults, personId: string) {
    const handler = makeComplete({
      auth,
      logger: capturingLogger(),
      sessions: faultySessions(own.complete.sessions, faults),
      objects: faultyObjects(own.complete.objects, faults),
      audit: own.complete.audit,
    });
    return invoke(
      handler,
      apiEvent({
        method: 'POST',
        path: '/api/v1/people/fileDocuments/uploadSessions/scan/complete',
        headers: { ...bearer(token), 'Content-Type': 'application/json' },
        body: Buffer.from(JSON.stringify({ personId })),
      }),
    );
  }

  /** A started session whose bytes are staged, ready to complete. */
  async function staged(bytes: Buffer) {
    const personId = newPersonId();
    const started = await start(new Faults(), personId, bytes);
    expect(started.statusCode).toBe(201);
    const key = (started.json().upload as { fields: { key: string } }).fields.key;
    await putObject(key, bytes, 'application/octet-stream');
    return { personId, key };
  }

  it.each(KINDS)('answers as fits when reserving the id fails (%s)', async (kind) => {
    const personId = newPersonId();
    expectFailure(await start(new Faults().fail('sessions.reserve', kind), personId, everyByte()), kind);
    expect(await sessions.find(personId, 'scan')).toBeUndefined();
  });

  it.each(KINDS)('releases the id when signing the upload form fails (%s)', async (kind) => {
    const personId = newPersonId();
    expectFailure(await start(new Faults().fail('targets.presign', kind), personId, everyByte()), kind);
    expect(await sessions.find(personId, 'scan')).toBeUndefined();
  });

  it.each<[string, Fault]>([
    ['sessions.find', 'throttle'],
    ['objects.head', 'timeout'],
    ['objects.get', 'server-error'],
    ['objects.get', 'reset-mid-stream'],
    ['objects.copy', 'unreachable'],
    ['sessions.complete', 'server-error'],
  ])('leaves the session as it was when %s fails (%s), and completes on retry', async (operation, kind) => {
    const bytes = everyByte(8);
    const { personId } = await staged(bytes);
    const failed = await complete(new Faults().fail(operation, kind), personId);
    expect(failed.statusCode).toBe(kind === 'reset-mid-stream' ? 502 : EXPECTED[kind].status);
    expect(await documentStore.get(personId, 'scan')).toBeUndefined();
    // No copy of the bytes stayed behind under people/.
    expect(await listKeys(`people/${personId}/`)).toEqual([]);
    const retried = await complete(new Faults(), personId);
    expect(retried.statusCode).toBe(200);
    expect(await listKeys(`people/${personId}/`)).toHaveLength(1);
  });

  it('still completes when removing the staged bytes fails (the lifecycle rule or sweep will)', async () => {
    const bytes = everyByte(8);
    const { personId, key } = await staged(bytes);
    const response = await complete(new Faults().fail('objects.delete', 'unreachable'), personId);
    expect(response.statusCode).toBe(200);
    expect(await listKeys(key)).toEqual([key]);
    expect((await documentStore.get(personId, 'scan'))?.size).toBe(bytes.length);
  });
});

describe('upload session start when the upload form cannot be signed', () => {
  const sessions = makeUploadSessionStore(dynamoClient, process.env.TABLE_NAME ?? '');
  // A real client whose credentials cannot be had (a function's role credentials that cannot be
  // fetched): presigning the form fails after the session item is written.
  const noCredentials = new S3Client({
    region: process.env.AWS_REGION ?? 'us-east-1',
    endpoint: process.env.S3_ENDPOINT ?? '',
    forcePathStyle: true,
    credentials: () => Promise.reject(new Error('Could not load credentials from any providers')),
  });
  afterAll(() => noCredentials.destroy());

  const startEvent = (personId: string) =>
    apiEvent({
      method: 'POST',
      path: '/api/v1/people/fileDocuments/uploadSessions',
      headers: { ...bearer(token), 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ personId, name: 'Scan', publicId: 'scan', fileName: 'scan.pdf', size: 10 })),
    });

  it("releases the id under the function's own policy, so the same id can start again", async () => {
    const own = storesAs('StartUploadSession');
    const logger = capturingLogger();
    const personId = newPersonId();
    const failing = makeStart({
      auth,
      logger,
      sessions: own.sessions,
      targets: makeUploadTargets(noCredentials, bucket),
    });
    const failed = await invoke(failing, startEvent(personId));
    expect(failed.statusCode).toBe(500);
    expect(failed.headers['content-type']).toBe('application/problem+json');
    expect(await sessions.find(personId, 'scan')).toBeUndefined();
    expect(logger.lines.filter((line) => line.message === 'upload session id not released')).toEqual([]);
    const working = makeStart({ auth, logger, sessions: own.sessions, targets: own.targets });
    expect((await invoke(working, startEvent(personId))).statusCode).toBe(201);
  });

  it('logs at error level, with the id, when the release is refused, and still answers the signing failure', async () => {
    // The upload's key puts document items but may not delete them: the release is denied.
    const logger = capturingLogger();
    const personId = newPersonId();
    const handler = makeStart({
      auth,
      logger,
      sessions: storesAs('UploadFileDocument').sessions,
      targets: makeUploadTargets(noCredentials, bucket),
    });
    const failed = await invoke(handler, startEvent(personId));
    expect(failed.statusCode).toBe(500);
    expect(await sessions.find(personId, 'scan')).toMatchObject({ personId, documentId: 'scan' });
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'upload session id not released',
        personId,
        documentId: 'scan',
      }),
    );
  });
});

describe('the SDK against a misbehaving store', () => {
  let silent: Server;
  let port: number;
  const seen: number[] = [];
  const sockets: Socket[] = [];
  beforeAll(async () => {
    // Accepts connections and never answers, like a store that hangs.
    silent = createServer((socket) => {
      seen.push(Date.now());
      sockets.push(socket);
      socket.on('error', () => undefined);
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    port = (silent.address() as AddressInfo).port;
  });
  afterAll(() => {
    for (const socket of sockets) socket.destroy();
    return new Promise<void>((resolve) => silent.close(() => resolve()));
  });

  it('bounds retries and waits: a hung store is a 504 after three attempts, not a hang', async () => {
    const client = makeS3Client(
      { region: 'us-east-1', endpoint: `http://127.0.0.1:${port}` },
      { ...STORAGE_CLIENT_LIMITS, requestTimeoutMs: 300 },
    );
    const store = makeObjectStore(client, 'bucket');
    const started = Date.now();
    await expect(store.get('faces/x/enrollment.jpg')).rejects.toMatchObject({ statusCode: 504 });
    expect(seen.length).toBe(STORAGE_CLIENT_LIMITS.maxAttempts);
    expect(Date.now() - started).toBeLessThan(10_000);
    client.destroy();
  });

  it('treats a refused connection as unavailable: 503 with Retry-After', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = makeS3Client({ region: 'us-east-1', endpoint: `http://127.0.0.1:${closedPort}` });
    await expect(makeObjectStore(client, 'bucket').head('faces/x/enrollment.jpg')).rejects.toMatchObject({
      statusCode: 503,
      headers: { 'Retry-After': expect.any(String) },
    });
    client.destroy();
  });

  it('configures every storage client with bounded attempts and timeouts', async () => {
    const client = makeS3Client({ region: 'us-east-1', endpoint: 'http://127.0.0.1:1' });
    expect(await client.config.maxAttempts()).toBe(STORAGE_CLIENT_LIMITS.maxAttempts);
    client.destroy();
  });
});
