import { QueryCommand } from '@aws-sdk/client-dynamodb';
import {
  authenticatorFromEnv,
  dynamoSettings,
  makeAuditStore,
  makeDynamoClient,
  readSettings,
  type Settings,
} from '@identities/aws';
import {
  type AuditEvent,
  type AuditTrail,
  encodeCursor,
  type Logger,
  makeAuditRecorder,
  makeAuditTrailHandler,
  makeDownloadFileDocumentHandler,
  makeUploadFileDocumentHandler,
  PERMISSIONS,
} from '@identities/core';
import { ROUTE_HANDLERS } from '@identities/local';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, inject, it } from 'vitest';
import { Faults } from './support/faults.ts';
import {
  completeUploadSession as complete,
  downloadFileDocument as download,
  auditTrail as readTrail,
  startUploadSession as start,
  uploadFileDocument as upload,
} from './support/functions.ts';
import { apiEvent, invoke } from './support/lambda.ts';
import { uploadEvent } from './support/multipart.ts';
import { auditTrail, dynamoClient, jpegBytes, newPersonId, putObject, storesAs } from './support/storage.ts';
import { bearer, bothPermissions, token } from './support/tokens.ts';

const table = readSettings(process.env).storage.table ?? '';
const DAY_SECONDS = 86_400;

interface TrailPage {
  items: AuditEvent[];
  nextCursor: string | null;
}

/** The event as a client with this address and user agent sends it. */
function from(event: APIGatewayProxyEvent, sourceIp: string): APIGatewayProxyEvent {
  return {
    ...event,
    requestContext: { ...event.requestContext, identity: { ...event.requestContext.identity, sourceIp } },
  };
}

async function uploadDocument(personId: string, documentId: string, bytes = Buffer.from('%PDF-1.7 card')) {
  const response = await invoke(
    upload,
    from(
      uploadEvent(
        [
          { name: 'personId', value: personId },
          { name: 'name', value: 'ID card' },
          { name: 'publicId', value: documentId },
          { name: 'file', filename: 'id.pdf', contentType: 'application/pdf', data: bytes },
        ],
        await token({ subject: 'uploader-1', claims: { permissions: [PERMISSIONS.addFiles] } }),
      ),
      '198.51.100.4',
    ),
  );
  return response;
}

const dataPath = (personId: string, documentId: string) =>
  `/api/v1/people/${personId}/fileDocuments/${documentId}/data`;

async function fetchDocument(
  personId: string,
  documentId: string,
  headers: Record<string, string> = {},
  method = 'GET',
) {
  const jwt = await token({ subject: 'reader-1', claims: { permissions: [PERMISSIONS.readFiles] } });
  const event = apiEvent({ path: dataPath(personId, documentId), headers: { ...bearer(jwt), ...headers } });
  const sent = from({ ...event, httpMethod: method }, '203.0.113.9');
  return { ...(await invoke(download, sent)), requestId: sent.requestContext.requestId };
}

async function trailPage(personId: string, query = '', jwt?: string) {
  const event = apiEvent({
    path: `/api/v1/people/${personId}/auditTrail`,
    headers: bearer(jwt ?? (await token({ claims: { permissions: [PERMISSIONS.readFiles] } }))),
  });
  const parameters = new URLSearchParams(query);
  const single = Object.fromEntries(parameters);
  const multi: Record<string, string[]> = {};
  for (const [name, value] of parameters) multi[name] = [...(multi[name] ?? []), value];
  return invoke(readTrail, {
    ...event,
    queryStringParameters: query === '' ? null : single,
    multiValueQueryStringParameters: query === '' ? null : multi,
  });
}

async function eventsOf(personId: string): Promise<AuditEvent[]> {
  const response = await trailPage(personId, 'limit=100');
  expect(response.statusCode).toBe(200);
  return (response.json() as unknown as TrailPage).items;
}

/** The items as stored, for what the API does not show (the TTL). */
async function storedItems(partition: string) {
  const { Items = [] } = await dynamoClient.send(
    new QueryCommand({
      TableName: table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :audit)',
      ExpressionAttributeValues: { ':pk': { S: partition }, ':audit': { S: 'AUDIT#' } },
    }),
  );
  return Items.map((item) => ({
    sk: item.sk?.S,
    action: item.action?.S,
    expiresAt: Number(item.expiresAt?.N),
  }));
}

describe('GET /api/v1/people/{personId}/auditTrail', () => {
  it('answers an empty page for a person without events', async () => {
    const response = await trailPage(newPersonId());
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.headers['cache-control']).toBe('private, no-store');
    expect(response.headers.link).toBeUndefined();
    expect(response.json()).toEqual({ items: [], nextCursor: null });
  });

  it('answers 404 for a person id that is not a GUID, 401 without a token, 403 without Read Identity Files', async () => {
    expect((await trailPage('not-a-guid')).statusCode).toBe(404);
    const personId = newPersonId();
    const anonymous = await invoke(readTrail, apiEvent({ path: `/api/v1/people/${personId}/auditTrail` }));
    expect(anonymous.statusCode).toBe(401);
    const adder = await token({ claims: { permissions: [PERMISSIONS.addFiles] } });
    expect((await trailPage(personId, '', adder)).statusCode).toBe(403);
  });

  it('pages newest first by cursor and limit, with a Link to the next page, and no next after exactly one page', async () => {
    const personId = newPersonId();
    expect((await uploadDocument(personId, 'doc-1')).statusCode).toBe(200);
    for (let i = 0; i < 4; i++) expect((await fetchDocument(personId, 'doc-1')).statusCode).toBe(200);

    const first = await trailPage(personId, 'limit=2');
    expect(first.statusCode).toBe(200);
    const firstPage = first.json() as unknown as TrailPage;
    expect(firstPage.items).toHaveLength(2);
    expect(firstPage.nextCursor).toEqual(expect.any(String));
    expect(first.headers.link).toBe(
      `<auditTrail?${new URLSearchParams({ limit: '2', cursor: firstPage.nextCursor ?? '' })}>; rel="next"`,
    );
    const second = (await trailPage(personId, `limit=2&cursor=${firstPage.nextCursor}`)).json() as unknown as TrailPage;
    const third = await trailPage(personId, `limit=2&cursor=${second.nextCursor}`);
    const thirdPage = third.json() as unknown as TrailPage;
    // Five events, two a page: the last page holds one and says it is the last.
    expect(thirdPage.items).toHaveLength(1);
    expect(thirdPage.nextCursor).toBeNull();
    expect(third.headers.link).toBeUndefined();
    const all = [...firstPage.items, ...second.items, ...thirdPage.items];
    expect(all.map((event) => event.action)).toEqual([...Array(4).fill('document.download'), 'document.upload']);
    const times = all.map((event) => event.time);
    expect([...times].sort().reverse()).toEqual(times);

    // Exactly one page: all five with limit 5, and no cursor to an empty page.
    const exact = (await trailPage(personId, 'limit=5')).json() as unknown as TrailPage;
    expect(exact.items).toHaveLength(5);
    expect(exact.nextCursor).toBeNull();
  });

  it('answers 400 for a cursor of another person, a tampered cursor, a forged position and a bad limit', async () => {
    const personId = newPersonId();
    const other = newPersonId();
    expect((await uploadDocument(personId, 'doc-1')).statusCode).toBe(200);
    expect((await fetchDocument(personId, 'doc-1')).statusCode).toBe(200);
    const { nextCursor } = (await trailPage(personId, 'limit=1')).json() as unknown as TrailPage;
    expect(nextCursor).toEqual(expect.any(String));
    const cursor = nextCursor ?? '';
    expect((await trailPage(other, `cursor=${cursor}`)).statusCode).toBe(400);
    const tampered = `${cursor.slice(0, 5)}${cursor[5] === 'A' ? 'B' : 'A'}${cursor.slice(6)}`;
    const response = await trailPage(personId, `cursor=${tampered}`);
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    // A cursor with a valid checksum but a position this list never wrote (the documents' own keys).
    const forged = encodeCursor(`audit:${personId}`, 'DOC#doc-1');
    expect((await trailPage(personId, `cursor=${forged}`)).statusCode).toBe(400);
    for (const query of ['limit=0', 'limit=101', 'limit=abc', 'limit=1&limit=2', `cursor=${cursor}&cursor=${cursor}`]) {
      expect((await trailPage(personId, query)).statusCode, query).toBe(400);
    }
  });

  it('shows file events only, never the documents kept beside them', async () => {
    const personId = newPersonId();
    expect((await uploadDocument(personId, 'doc-1')).statusCode).toBe(200);
    const events = await eventsOf(personId);
    expect(events).toHaveLength(1);
    expect(Object.keys(events[0] ?? {})).not.toContain('objectKey');
    expect(Object.keys(events[0] ?? {})).not.toContain('sha256');
  });
});

describe('what each access records', () => {
  it('records a download with who, from where, with what, and the bytes sent', async () => {
    const personId = newPersonId();
    const bytes = Buffer.from('%PDF-1.7 a card of some length');
    expect((await uploadDocument(personId, 'doc-1', bytes)).statusCode).toBe(200);
    const response = await fetchDocument(personId, 'doc-1', { 'User-Agent': 'curl/8.5.0' });
    expect(response.statusCode).toBe(200);
    const [downloaded, uploaded] = await eventsOf(personId);
    expect(downloaded).toEqual({
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      action: 'document.download',
      subject: 'reader-1',
      personId,
      documentId: 'doc-1',
      method: 'GET',
      requestId: response.requestId,
      sourceIp: '203.0.113.9',
      userAgent: 'curl/8.5.0',
      status: 200,
      bytesSent: bytes.length,
    });
    expect(uploaded).toMatchObject({
      action: 'document.upload',
      subject: 'uploader-1',
      personId,
      documentId: 'doc-1',
      method: 'POST',
      sourceIp: '198.51.100.4',
      status: 200,
      bytesSent: 0,
      bytesReceived: bytes.length,
    });
  });

  it('marks HEAD, 304 and ranges, records the range asked, and a 416 and a 404 attempt', async () => {
    const personId = newPersonId();
    const bytes = Buffer.from('0123456789abcdef');
    expect((await uploadDocument(personId, 'doc-1', bytes)).statusCode).toBe(200);
    const whole = await fetchDocument(personId, 'doc-1');
    const etag = whole.headers.etag ?? '';
    expect((await fetchDocument(personId, 'doc-1', {}, 'HEAD')).statusCode).toBe(200);
    expect((await fetchDocument(personId, 'doc-1', { 'If-None-Match': etag })).statusCode).toBe(304);
    expect((await fetchDocument(personId, 'doc-1', { Range: 'bytes=2-5' })).statusCode).toBe(206);
    expect((await fetchDocument(personId, 'doc-1', { Range: 'bytes=2-5' }, 'HEAD')).statusCode).toBe(206);
    expect((await fetchDocument(personId, 'doc-1', { Range: 'bytes=100-' })).statusCode).toBe(416);
    expect((await fetchDocument(personId, 'doc-2')).statusCode).toBe(404);
    const events = (await eventsOf(personId)).reverse().slice(1);
    const summary = events.map(({ method, status, bytesSent, range, documentId }) => ({
      method,
      status,
      bytesSent,
      range,
      documentId,
    }));
    expect(summary).toEqual([
      { method: 'GET', status: 200, bytesSent: 16, range: undefined, documentId: 'doc-1' },
      { method: 'HEAD', status: 200, bytesSent: 0, range: undefined, documentId: 'doc-1' },
      { method: 'GET', status: 304, bytesSent: 0, range: undefined, documentId: 'doc-1' },
      { method: 'GET', status: 206, bytesSent: 4, range: 'bytes=2-5', documentId: 'doc-1' },
      { method: 'HEAD', status: 206, bytesSent: 0, range: 'bytes=2-5', documentId: 'doc-1' },
      { method: 'GET', status: 416, bytesSent: 0, range: 'bytes=100-', documentId: 'doc-1' },
      { method: 'GET', status: 404, bytesSent: 0, range: undefined, documentId: 'doc-2' },
    ]);
  });

  it('records nothing for an id that cannot exist, or a caller refused before the endpoint', async () => {
    const personId = newPersonId();
    expect((await uploadDocument(personId, 'doc-1')).statusCode).toBe(200);
    expect((await fetchDocument(personId, '..')).statusCode).toBe(404);
    const adder = await token({ claims: { permissions: [PERMISSIONS.addFiles] } });
    const refused = await invoke(download, apiEvent({ path: dataPath(personId, 'doc-1'), headers: bearer(adder) }));
    expect(refused.statusCode).toBe(403);
    expect((await eventsOf(personId)).map((event) => event.action)).toEqual(['document.upload']);
  });

  it('bounds the user agent, and replaces control characters and lone surrogates in it', async () => {
    const personId = newPersonId();
    expect((await uploadDocument(personId, 'doc-1')).statusCode).toBe(200);
    expect(
      (await fetchDocument(personId, 'doc-1', { 'User-Agent': `x\u001b[31m${'a'.repeat(5000)}` })).statusCode,
    ).toBe(200);
    const [event] = await eventsOf(personId);
    const userAgent = event?.userAgent ?? '';
    expect([...userAgent]).toHaveLength(512);
    expect(userAgent.startsWith('x\uFFFD[31m')).toBe(true);
    expect(userAgent.endsWith('…')).toBe(true);
  });

  it('records a refused upload (409, the id taken) with the person and the id', async () => {
    const personId = newPersonId();
    expect((await uploadDocument(personId, 'doc-1')).statusCode).toBe(200);
    expect((await uploadDocument(personId, 'doc-1')).statusCode).toBe(409);
    const [refused] = await eventsOf(personId);
    expect(refused).toMatchObject({ action: 'document.upload', documentId: 'doc-1', status: 409, bytesSent: 0 });
    expect(refused?.bytesReceived).toBeUndefined();
  });

  it("records a session's completion, and a completion refused", async () => {
    const personId = newPersonId();
    const bytes = Buffer.from('%PDF-1.7 passport');
    const jwt = await bothPermissions();
    const started = await invoke(
      start,
      apiEvent({
        method: 'POST',
        path: '/api/v1/people/fileDocuments/uploadSessions',
        headers: { ...bearer(jwt), 'Content-Type': 'application/json' },
        body: Buffer.from(
          JSON.stringify({ personId, name: 'Passport', publicId: 'pass-1', fileName: 'p.pdf', size: bytes.length }),
        ),
      }),
    );
    expect(started.statusCode).toBe(201);
    const completeEvent = apiEvent({
      method: 'POST',
      path: '/api/v1/people/fileDocuments/uploadSessions/pass-1/complete',
      headers: { ...bearer(jwt), 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ personId })),
    });
    expect((await invoke(complete, completeEvent)).statusCode).toBe(409);
    const { upload: form } = started.json() as { upload: { url: string; fields: Record<string, string> } };
    const body = new FormData();
    for (const [name, value] of Object.entries(form.fields)) body.set(name, value);
    body.set('file', new Blob([bytes], { type: 'application/octet-stream' }), 'p.pdf');
    expect((await fetch(form.url, { method: 'POST', body })).status).toBe(204);
    const completed = await invoke(complete, completeEvent);
    expect(completed.statusCode).toBe(200);
    const [done, refused] = await eventsOf(personId);
    expect(done).toMatchObject({
      action: 'document.uploadSessionComplete',
      documentId: 'pass-1',
      method: 'POST',
      status: 200,
      bytesSent: completed.body.length,
      bytesReceived: bytes.length,
    });
    expect(refused).toMatchObject({ action: 'document.uploadSessionComplete', status: 409, bytesSent: 0 });
  });
});

describe('retention', () => {
  it('writes each event with the TTL of the retention: 400 days by default, or as set', async () => {
    const personId = newPersonId();
    const before = Math.floor(Date.now() / 1000);
    expect((await uploadDocument(personId, 'doc-1')).statusCode).toBe(200);
    const short = handlerWith('DownloadFileDocument', { retentionDays: 30, photoDownloads: false });
    const jwt = await bothPermissions();
    expect(
      (await invoke(short, apiEvent({ path: dataPath(personId, 'doc-1'), headers: bearer(jwt) }))).statusCode,
    ).toBe(200);
    const after = Math.ceil(Date.now() / 1000);
    const items = await storedItems(`PERSON#${personId}`);
    const ttlOf = (action: string) => Number(items.find((item) => item.action === action)?.expiresAt);
    expect(ttlOf('document.upload')).toBeGreaterThanOrEqual(before + 400 * DAY_SECONDS);
    expect(ttlOf('document.upload')).toBeLessThanOrEqual(after + 400 * DAY_SECONDS);
    expect(ttlOf('document.download')).toBeGreaterThanOrEqual(before + 30 * DAY_SECONDS);
    expect(ttlOf('document.download')).toBeLessThanOrEqual(after + 30 * DAY_SECONDS);
    expect(items.every((item) => /^AUDIT#\d{4}-.+Z#[0-9a-f-]{36}$/.test(String(item.sk)))).toBe(true);
  });

  it('never replaces an event: a second append under the same key is refused by the store', async () => {
    const personId = newPersonId();
    const trail = makeAuditStore(dynamoClient, table, () => '00000000-0000-4000-8000-000000000000');
    const event: AuditEvent = {
      time: '2026-12-01T10:00:00.000Z',
      action: 'document.download',
      subject: 'first',
      personId,
      method: 'GET',
      requestId: 'r1',
      sourceIp: '127.0.0.1',
      status: 200,
      bytesSent: 1,
    };
    await trail.append(event, new Date(Date.now() + 1000 * DAY_SECONDS));
    await expect(trail.append({ ...event, subject: 'second' }, new Date())).rejects.toThrow(/conditional/i);
    expect((await auditTrail.list({ personId }, { limit: 10, after: undefined })).items).toMatchObject([
      { subject: 'first' },
    ]);
  });
});

/** A route's function with the run's settings but these audit settings, signing as itself. */
function handlerWith(id: 'DownloadFileDocument' | 'EnrollmentPhoto' | 'DetectionPhoto', audit: Settings['audit']) {
  const settings = readSettings(process.env);
  const credentials = inject('principalKeys')[id];
  return ROUTE_HANDLERS[id]({ ...settings, storage: { ...settings.storage, credentials }, audit });
}

describe('photo downloads', () => {
  it('are not recorded by default', async () => {
    const faceId = `face-${newPersonId()}`;
    await putObject(`faces/${faceId}/enrollment.jpg`, jpegBytes());
    const off = handlerWith('EnrollmentPhoto', undefined);
    const jwt = await token();
    const response = await invoke(
      off,
      apiEvent({ path: `/api/v1/people/enrollmentPhoto/${faceId}`, headers: bearer(jwt) }),
    );
    expect(response.statusCode).toBe(200);
    expect(await storedItems(`FACE#${faceId}`)).toEqual([]);
  });

  it('are recorded under the face when the setting is on, a 404 and a detection included', async () => {
    const faceId = `face-${newPersonId()}`;
    const photo = jpegBytes(3000);
    await putObject(`faces/${faceId}/enrollment.jpg`, photo);
    await putObject(`faces/${faceId}/detections/det-1.jpg`, photo);
    const settings = { retentionDays: 400, photoDownloads: true };
    const jwt = await token({ subject: 'viewer-1' });
    const enrollment = handlerWith('EnrollmentPhoto', settings);
    const detection = handlerWith('DetectionPhoto', settings);
    const path = `/api/v1/people/enrollmentPhoto/${faceId}`;
    expect((await invoke(enrollment, apiEvent({ path, headers: bearer(jwt) }))).statusCode).toBe(200);
    const missing = `/api/v1/people/detectionPhoto/${faceId}/det-2`;
    expect((await invoke(detection, apiEvent({ path: missing, headers: bearer(jwt) }))).statusCode).toBe(404);
    const found = `/api/v1/people/detectionPhoto/${faceId}/det-1`;
    expect((await invoke(detection, apiEvent({ path: found, headers: bearer(jwt) }))).statusCode).toBe(200);
    const { items } = await auditTrail.list({ faceId }, { limit: 10, after: undefined });
    expect(
      items.map(({ action, subject, detectionId, status, bytesSent }) => ({
        action,
        subject,
        detectionId,
        status,
        bytesSent,
      })),
    ).toEqual([
      { action: 'photo.download', subject: 'viewer-1', detectionId: 'det-1', status: 200, bytesSent: photo.length },
      { action: 'photo.download', subject: 'viewer-1', detectionId: 'det-2', status: 404, bytesSent: 0 },
      { action: 'photo.download', subject: 'viewer-1', detectionId: undefined, status: 200, bytesSent: photo.length },
    ]);
  });
});

/** The trail, failing as the fault plan says (`trail.append`, `trail.list`). */
function faultyTrail(inner: AuditTrail, faults: Faults): AuditTrail {
  return {
    async append(event, expiresAt) {
      faults.check('trail.append', 'The metadata table');
      return inner.append(event, expiresAt);
    },
    async list(of, page) {
      faults.check('trail.list', 'The metadata table');
      return inner.list(of, page);
    },
  };
}

function capturingLogger(): Logger & { lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  return { lines, log: (level, message, fields = {}) => lines.push({ level, message, ...fields }) };
}

describe('the trail fails closed', () => {
  const auth = authenticatorFromEnv(process.env);
  const own = { download: storesAs('DownloadFileDocument'), upload: storesAs('UploadFileDocument') };
  const recorderWith = (faults: Faults, logger: Logger) =>
    makeAuditRecorder({
      trail: faultyTrail(makeAuditStore(dynamoClientOf('DownloadFileDocument'), table), faults),
      retentionDays: 400,
      logger,
    });

  it.each(['throttle', 'unreachable', 'timeout', 'server-error', 'bug'] as const)(
    'answers 503 problem+json and sends nothing of the document when the trail cannot be written (%s)',
    async (fault) => {
      const personId = newPersonId();
      const bytes = Buffer.from('%PDF-1.7 secret contents');
      expect((await uploadDocument(personId, 'doc-1', bytes)).statusCode).toBe(200);
      const logger = capturingLogger();
      const failing = makeDownloadFileDocumentHandler({
        auth,
        logger,
        ...own.download,
        audit: recorderWith(new Faults().fail('trail.append', fault), logger),
      });
      const jwt = await bothPermissions();
      for (const [method, headers] of [
        ['GET', {}],
        ['GET', { Range: 'bytes=0-3' }],
        ['HEAD', {}],
        ['GET', { 'If-None-Match': '*' }],
      ] as const) {
        const event = { ...apiEvent({ path: dataPath(personId, 'doc-1'), headers: { ...bearer(jwt), ...headers } }) };
        const response = await invoke(failing, { ...event, httpMethod: method });
        expect(response.statusCode).toBe(503);
        expect(response.headers['content-type']).toBe('application/problem+json');
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        expect(response.headers.etag).toBeUndefined();
        expect(response.headers['content-disposition']).toBeUndefined();
        expect(response.body.toString()).not.toContain('secret');
      }
      // A missing document is not told apart from a trail failure either.
      const missing = await invoke(failing, apiEvent({ path: dataPath(personId, 'doc-2'), headers: bearer(jwt) }));
      expect(missing.statusCode).toBe(503);
      expect(logger.lines.some((line) => line.message === 'access trail not written' && line.level === 'error')).toBe(
        true,
      );
    },
  );

  it('serves again, recorded, once the trail can be written', async () => {
    const personId = newPersonId();
    expect((await uploadDocument(personId, 'doc-1')).statusCode).toBe(200);
    const faults = new Faults().fail('trail.append', 'throttle', 1);
    const logger = capturingLogger();
    const handler = makeDownloadFileDocumentHandler({
      auth,
      logger,
      ...own.download,
      audit: recorderWith(faults, logger),
    });
    const jwt = await bothPermissions();
    const event = apiEvent({ path: dataPath(personId, 'doc-1'), headers: bearer(jwt) });
    expect((await invoke(handler, event)).statusCode).toBe(503);
    expect((await invoke(handler, event)).statusCode).toBe(200);
    expect((await eventsOf(personId)).map((e) => `${e.action} ${e.status}`)).toEqual([
      'document.download 200',
      'document.upload 200',
    ]);
  });

  it('answers an upload 503 when its event cannot be written, keeps the stored document and logs it', async () => {
    const personId = newPersonId();
    const logger = capturingLogger();
    const handler = makeUploadFileDocumentHandler({
      auth,
      logger,
      ...own.upload,
      audit: makeAuditRecorder({
        trail: faultyTrail(
          makeAuditStore(dynamoClientOf('UploadFileDocument'), table),
          new Faults().fail('trail.append', 'unreachable'),
        ),
        retentionDays: 400,
        logger,
      }),
    });
    const response = await invoke(
      handler,
      uploadEvent(
        [
          { name: 'personId', value: personId },
          { name: 'name', value: 'ID card' },
          { name: 'publicId', value: 'doc-1' },
          { name: 'file', filename: 'id.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF') },
        ],
        await bothPermissions(),
      ),
    );
    expect(response.statusCode).toBe(503);
    expect(logger.lines).toContainEqual(
      expect.objectContaining({
        level: 'error',
        message: 'document stored without its access event',
        personId,
        documentId: 'doc-1',
      }),
    );
    // Stored, and recorded as its own item says (who uploaded it, when); a retry is told it exists.
    expect((await fetchDocument(personId, 'doc-1')).statusCode).toBe(200);
    expect((await uploadDocument(personId, 'doc-1')).statusCode).toBe(409);
  });

  it('answers the trail route 503 when the trail cannot be read', async () => {
    const handler = makeAuditTrailHandler({
      auth,
      logger: capturingLogger(),
      trail: faultyTrail(auditTrail, new Faults().fail('trail.list', 'throttle')),
    });
    const jwt = await bothPermissions();
    const response = await invoke(
      handler,
      apiEvent({ path: `/api/v1/people/${newPersonId()}/auditTrail`, headers: bearer(jwt) }),
    );
    expect(response.statusCode).toBe(503);
  });
});

/** A DynamoDB client signing as a function, so its trail writes are held to that function's policy. */
function dynamoClientOf(principal: string) {
  const credentials = inject('principalKeys')[principal];
  return makeDynamoClient({ ...dynamoSettings(process.env), credentials });
}
