import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  detectionPhotoKey,
  enrollmentPhotoKey,
  PERMISSIONS,
  type Route,
  type RouteId,
  routeById,
  routes,
  type StreamingHandler,
} from '@identities/core';
import { invokeStreamingHandler, isStreamingHandler } from '@identities/local';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { bundleFunction } from '../../scripts/bundle.ts';
import { functionOf } from '../support/functions.ts';
import { apiEvent, lambdaContext } from '../support/lambda.ts';
import { multipart } from '../support/multipart.ts';
import { everyByte, jpegBytes, newPersonId, putObject } from '../support/storage.ts';
import { bearer, bothPermissions, token } from '../support/tokens.ts';
import { type Recorded, RuntimeApi, RuntimeProcess, streamedAnswer } from './runtime-api.ts';
import { StorageProxy } from './storage-proxy.ts';

/**
 * The functions' deploy bundles under Lambda's own Node.js runtime (Node.js 24 and the runtime interface
 * client's JavaScript, pinned in scripts/lambda-runtime.json), against a Runtime API on loopback that
 * records what the runtime sends; and the same cases through the local runtime, which must answer the
 * same status, headers and bytes, and fail the same way. Each function, in both, signs with its own
 * key, so the stand-ins hold every request it makes to the statements infra/ attaches to it.
 */

const ROOT = join(import.meta.dirname, '../..');

/** What a client of API Gateway is given for one invocation. */
interface Outcome {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  /** The function failed after its status went out: API Gateway aborts the client's response. */
  readonly aborted: boolean;
  /** The function failed before answering (buffered, or streamed before its prelude): a 502 from API Gateway. */
  readonly failed: boolean;
}

type BufferedHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

interface Runtime {
  readonly route: Route;
  readonly api: RuntimeApi;
  readonly process: RuntimeProcess;
  readonly local: StreamingHandler | BufferedHandler;
}

let outDir: string;
let proxy: StorageProxy;
const runtimes = new Map<RouteId, Runtime>();
const runtimeOf = (id: RouteId): Runtime => {
  const runtime = runtimes.get(id);
  if (runtime === undefined) throw new Error(`no runtime for ${id}`);
  return runtime;
};

/** The environment a function's own role gives it: its key to the stand-ins, S3 through the proxy. */
function functionEnv(id: string): Record<string, string> {
  const key = inject('principalKeys')[id];
  if (key === undefined) throw new Error(`no key for ${id}`);
  return {
    ...inject('env'),
    S3_ENDPOINT: proxy.endpoint,
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
  };
}

beforeAll(async () => {
  outDir = await mkdtemp(join(tmpdir(), 'identities-conformance-'));
  proxy = await StorageProxy.start(inject('env').S3_ENDPOINT ?? '');
  // Both runtimes reach S3 through the proxy that fails on demand (the local functions read it below).
  process.env.S3_ENDPOINT = proxy.endpoint;
  for (const route of routes) {
    const taskRoot = join(outDir, route.id);
    await bundleFunction(ROOT, route.handler, taskRoot);
    const api = await RuntimeApi.start();
    const process = RuntimeProcess.start({ taskRoot, handler: route.handler, api, env: functionEnv(route.id) });
    // The local runtime's function, as the local gateway wires it: the same key.
    const local = functionOf(route.id) as StreamingHandler | BufferedHandler;
    runtimes.set(route.id, { route, api, process, local });
  }
}, 120_000);

afterAll(async () => {
  for (const { api, process } of runtimes.values()) {
    await process.stop();
    await api.close();
  }
  await proxy?.close();
  if (outDir !== undefined) await rm(outDir, { recursive: true, force: true });
});

/** API Gateway's reading of what the real runtime sent. */
function gatewayReading(response: Route['response'], recorded: Recorded): Outcome {
  const none = { status: 502, headers: {}, body: Buffer.alloc(0), aborted: false, failed: true };
  if (recorded.kind === 'error') return none;
  if (response === 'buffered') {
    const text = Buffer.concat(recorded.chunks).toString('utf8');
    if (text === '') throw new Error(`an empty buffered answer: ${JSON.stringify(recorded.headers)}`);
    const result = JSON.parse(text) as APIGatewayProxyResult;
    return {
      status: result.statusCode,
      headers: Object.fromEntries(Object.entries(result.headers ?? {}).map(([name, value]) => [name, String(value)])),
      body: Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'),
      aborted: false,
      failed: false,
    };
  }
  const answer = streamedAnswer(recorded);
  const reported = answer.errorType !== undefined || !recorded.complete;
  if (answer.prelude === undefined) return reported ? none : { ...none, status: 200, failed: false };
  return {
    status: answer.prelude.statusCode,
    headers: answer.prelude.headers,
    body: answer.body,
    aborted: reported,
    failed: false,
  };
}

async function realOutcome(id: RouteId, event: APIGatewayProxyEvent, options: { cutAfterBytes?: number } = {}) {
  const { route, api, process } = runtimeOf(id);
  // A runtime that dies answers nothing more: the case fails at once with what it logged.
  const died = process.exited.then(({ code, signal }) => {
    throw new Error(`the ${id} runtime exited (${code ?? signal}):\n${process.log}`);
  });
  const recorded = await Promise.race([api.invoke(event, options), died]);
  return { recorded, outcome: gatewayReading(route.response, recorded) };
}

async function localOutcome(id: RouteId, event: APIGatewayProxyEvent, options: { cutAfterBytes?: number } = {}) {
  return invokeLocal(runtimeOf(id).local, event, options);
}

/** One invocation through the local runtime, read as API Gateway reads it. */
async function invokeLocal(
  local: StreamingHandler | BufferedHandler,
  event: APIGatewayProxyEvent,
  options: { cutAfterBytes?: number } = {},
): Promise<Outcome> {
  if (!isStreamingHandler(local)) {
    try {
      const result = await local(event, lambdaContext());
      return gatewayReading('buffered', {
        kind: 'response',
        headers: {},
        chunks: [Buffer.from(JSON.stringify(result))],
        trailers: {},
        complete: true,
      });
    } catch {
      return { status: 502, headers: {}, body: Buffer.alloc(0), aborted: false, failed: true };
    }
  }
  const invocation = invokeStreamingHandler(local, event, lambdaContext());
  invocation.done.catch(() => undefined);
  let head: Awaited<typeof invocation.response>;
  try {
    head = await invocation.response;
  } catch {
    return { status: 502, headers: {}, body: Buffer.alloc(0), aborted: false, failed: true };
  }
  const chunks: Buffer[] = [];
  let aborted = false;
  let bytes = 0;
  try {
    for await (const chunk of head.body as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      bytes += chunk.length;
      if (options.cutAfterBytes !== undefined && bytes >= options.cutAfterBytes) {
        head.body.destroy();
        aborted = true;
        break;
      }
    }
  } catch {
    aborted = true;
  }
  await invocation.done.catch(() => {
    aborted = true;
  });
  return { status: head.statusCode, headers: head.headers, body: Buffer.concat(chunks), aborted, failed: false };
}

/** Runs the case through both runtimes and checks they agree; returns the real runtime's outcome. */
async function both(id: RouteId, event: APIGatewayProxyEvent): Promise<Outcome> {
  const { outcome } = await realOutcome(id, event);
  const local = await localOutcome(id, event);
  expect(local).toEqual(outcome);
  return outcome;
}

const get = (path: string, headers: Record<string, string> = {}, method = 'GET') => ({
  ...apiEvent({ path, headers }),
  httpMethod: method,
});

describe('photo downloads under the Lambda runtime', () => {
  const faceId = newPersonId();
  const photo = jpegBytes(300_000);
  const path = `/api/v1/people/enrollmentPhoto/${faceId}`;
  let jwt: string;
  beforeAll(async () => {
    await putObject(enrollmentPhotoKey(faceId), photo);
    await putObject(detectionPhotoKey(faceId, 'det-1'), jpegBytes(5000));
    jwt = await bothPermissions();
  });

  it('streams 200 with the prelude first, in streaming mode', async () => {
    const { recorded } = await realOutcome('EnrollmentPhoto', get(path, bearer(jwt)));
    expect(recorded.kind).toBe('response');
    if (recorded.kind !== 'response') return;
    expect(recorded.headers['lambda-runtime-function-response-mode']).toBe('streaming');
    expect(recorded.headers['content-type']).toBe('application/vnd.awslambda.http-integration-response');
    expect(recorded.headers.trailer).toMatch(/Lambda-Runtime-Function-Error-Type/);
    expect(recorded.complete).toBe(true);
    const answer = streamedAnswer(recorded);
    expect(answer.prelude?.statusCode).toBe(200);
    expect(answer.errorType).toBeUndefined();
    expect(answer.body.equals(photo)).toBe(true);
    const outcome = await both('EnrollmentPhoto', get(path, bearer(jwt)));
    expect(outcome.body.equals(photo)).toBe(true);
  });

  it('answers HEAD, 206, 304, 416, 401 and 404 alike', async () => {
    const full = await both('EnrollmentPhoto', get(path, bearer(jwt)));
    const etag = full.headers.ETag ?? full.headers.etag ?? '';
    expect(etag).not.toBe('');
    const head = await both('EnrollmentPhoto', get(path, bearer(jwt), 'HEAD'));
    expect(head.status).toBe(200);
    expect(head.body.length).toBe(0);
    const partial = await both('EnrollmentPhoto', get(path, { ...bearer(jwt), Range: 'bytes=10-19' }));
    expect(partial.status).toBe(206);
    expect(partial.body.equals(photo.subarray(10, 20))).toBe(true);
    const notModified = await both('EnrollmentPhoto', get(path, { ...bearer(jwt), 'If-None-Match': etag }));
    expect(notModified.status).toBe(304);
    expect(notModified.body.length).toBe(0);
    const unsatisfiable = await both('EnrollmentPhoto', get(path, { ...bearer(jwt), Range: 'bytes=999999-' }));
    expect(unsatisfiable.status).toBe(416);
    expect((await both('EnrollmentPhoto', get(path))).status).toBe(401);
    const missing = `/api/v1/people/enrollmentPhoto/${newPersonId()}`;
    expect((await both('EnrollmentPhoto', get(missing, bearer(jwt)))).status).toBe(404);
    expect(
      (await both('DetectionPhoto', get(`/api/v1/people/detectionPhoto/${faceId}/det-1`, bearer(jwt)))).status,
    ).toBe(200);
    expect(
      (await both('DetectionPhoto', get(`/api/v1/people/detectionPhoto/${faceId}/det-2`, bearer(jwt)))).status,
    ).toBe(404);
  });

  it('answers a storage failure before the first byte with a problem, in both', async () => {
    proxy.fault = 'before-first-byte';
    try {
      const outcome = await both('EnrollmentPhoto', get(path, bearer(jwt)));
      expect(outcome.status).toBe(502);
      expect(outcome.headers['Content-Type']).toBe('application/problem+json');
      expect(outcome.aborted).toBe(false);
    } finally {
      proxy.fault = 'none';
    }
  });

  it('reports a body that fails part-way to the runtime, which lives on to serve the next request', async () => {
    const runtime = runtimeOf('EnrollmentPhoto');
    const pid = runtime.process.pid;
    proxy.fault = 'mid-body';
    let real: Awaited<ReturnType<typeof realOutcome>>;
    let local: Outcome;
    try {
      real = await realOutcome('EnrollmentPhoto', get(path, bearer(jwt)));
      local = await localOutcome('EnrollmentPhoto', get(path, bearer(jwt)));
    } finally {
      proxy.fault = 'none';
    }
    expect(real.recorded.kind).toBe('response');
    if (real.recorded.kind !== 'response') return;
    const answer = streamedAnswer(real.recorded);
    // Lambda's documented report of a failed stream: the body ends with the error trailers.
    expect(real.recorded.complete).toBe(true);
    expect(answer.errorType).toBeDefined();
    expect(answer.errorBody).toMatchObject({ errorType: answer.errorType });
    expect(answer.prelude?.statusCode).toBe(200);
    expect(answer.body.length).toBeLessThan(photo.length);
    expect(photo.subarray(0, answer.body.length).equals(answer.body)).toBe(true);
    // The local runtime: the same status and headers, a short body that never ends cleanly.
    expect({ status: local.status, headers: local.headers, aborted: local.aborted }).toEqual({
      status: real.outcome.status,
      headers: real.outcome.headers,
      aborted: true,
    });
    expect(photo.subarray(0, local.body.length).equals(local.body)).toBe(true);
    // The same process serves the next invocation.
    const next = await both('EnrollmentPhoto', get(path, bearer(jwt)));
    expect(next.body.equals(photo)).toBe(true);
    expect(runtime.process.alive).toBe(true);
    expect(runtime.process.pid).toBe(pid);
  });

  it("is refused by storage when signing with another function's key, in both runtimes", async () => {
    // The enrollment photo function's bundle with the document download's key: that policy reads
    // people/* only, so S3 answers AccessDenied, which the function reports as a 500.
    const api = await RuntimeApi.start();
    const other = RuntimeProcess.start({
      taskRoot: join(outDir, 'EnrollmentPhoto'),
      handler: routeById('EnrollmentPhoto').handler,
      api,
      env: functionEnv('DownloadFileDocument'),
    });
    try {
      const recorded = await api.invoke(get(path, bearer(jwt)));
      const real = gatewayReading('stream', recorded);
      expect(real.status).toBe(500);
      expect(real.headers['Content-Type']).toBe('application/problem+json');
      expect(real.body.includes(photo.subarray(0, 64))).toBe(false);
      expect(other.alive, other.log).toBe(true);
      const local = await invokeLocal(functionOf('EnrollmentPhoto', 'DownloadFileDocument'), get(path, bearer(jwt)));
      // The same answer but for the request id each runtime's invocation carries.
      const withoutRequestId = ({ body, ...rest }: Outcome) => {
        const { requestId, ...problem } = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
        expect(requestId).toBeTypeOf('string');
        return { ...rest, problem };
      };
      expect(withoutRequestId(local)).toEqual(withoutRequestId(real));
      // Its own key, the same bundle reads the photo.
      expect((await both('EnrollmentPhoto', get(path, bearer(jwt)))).status).toBe(200);
    } finally {
      await other.stop();
      await api.close();
    }
  });

  it('stops the function for a client that goes away (local runtime), and serves the next request', async () => {
    const big = newPersonId();
    const bytes = jpegBytes(4 * 1024 * 1024);
    await putObject(enrollmentPhotoKey(big), bytes);
    const bigPath = `/api/v1/people/enrollmentPhoto/${big}`;
    const local = await localOutcome('EnrollmentPhoto', get(bigPath, bearer(jwt)), { cutAfterBytes: 256 * 1024 });
    expect(local.aborted).toBe(true);
    expect(local.status).toBe(200);
    expect(local.body.length).toBeLessThan(bytes.length);
    const next = await both('EnrollmentPhoto', get(path, bearer(jwt)));
    expect(next.body.equals(photo)).toBe(true);
  });
});

describe('documents under the Lambda runtime', () => {
  const personId = newPersonId();
  const bytes = everyByte(64);
  let jwt: string;
  let documentId: string;
  const upload = (data: Buffer, jwtFor = jwt) => {
    const form = multipart([
      { name: 'personId', value: personId },
      { name: 'name', value: 'Passport scan' },
      { name: 'file', filename: 'passport.pdf', contentType: 'application/pdf', data },
    ]);
    return apiEvent({
      method: 'POST',
      path: '/api/v1/people/fileDocuments/upload',
      headers: { ...bearer(jwtFor), 'Content-Type': form.contentType },
      body: form.body,
    });
  };
  beforeAll(async () => {
    jwt = await bothPermissions();
  });

  it('uploads (200), refuses a malformed form (400) and an oversized file (413)', async () => {
    const { outcome } = await realOutcome('UploadFileDocument', upload(bytes));
    expect(outcome.status).toBe(200);
    documentId = /fileDocuments\/([^/]+)\/data$/.exec(outcome.headers.Location ?? '')?.[1] ?? '';
    expect(documentId).not.toBe('');
    const local = await localOutcome('UploadFileDocument', upload(bytes));
    expect(local.status).toBe(200);
    const malformed = { ...upload(bytes), body: Buffer.from('not a form').toString('base64') };
    expect((await both('UploadFileDocument', malformed)).status).toBe(400);
    const oversized = await both('UploadFileDocument', upload(Buffer.alloc(4 * 1024 * 1024 + 1, 7)));
    expect(oversized.status).toBe(413);
  });

  it('downloads 200, HEAD, 206; refuses 401, 403 and 404 alike', async () => {
    const path = `/api/v1/people/${personId}/fileDocuments/${documentId}/data`;
    const full = await both('DownloadFileDocument', get(path, bearer(jwt)));
    expect(full.status).toBe(200);
    expect(full.body.equals(bytes)).toBe(true);
    expect((await both('DownloadFileDocument', get(path, bearer(jwt), 'HEAD'))).body.length).toBe(0);
    expect((await both('DownloadFileDocument', get(path, { ...bearer(jwt), Range: 'bytes=0-9' }))).status).toBe(206);
    expect((await both('DownloadFileDocument', get(path))).status).toBe(401);
    const addOnly = await token({ claims: { permissions: [PERMISSIONS.addFiles] } });
    expect((await both('DownloadFileDocument', get(path, bearer(addOnly)))).status).toBe(403);
    const missing = `/api/v1/people/${personId}/fileDocuments/${newPersonId()}/data`;
    expect((await both('DownloadFileDocument', get(missing, bearer(jwt)))).status).toBe(404);
  });

  it('starts a session, takes the bytes through the presigned form and completes it', async () => {
    const session = {
      personId,
      name: 'Passport scan',
      fileName: 'passport.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
    };
    const startEvent = apiEvent({
      method: 'POST',
      path: '/api/v1/people/fileDocuments/uploadSessions',
      headers: { ...bearer(jwt), 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify(session)),
    });
    const started = await realOutcome('StartUploadSession', startEvent);
    expect(started.outcome.status).toBe(201);
    const answer = JSON.parse(started.outcome.body.toString('utf8')) as {
      documentId: string;
      upload: { url: string; fields: Record<string, string>; fileField: string };
    };
    const form = new FormData();
    for (const [name, value] of Object.entries(answer.upload.fields)) form.set(name, value);
    form.set(answer.upload.fileField, new Blob([bytes], { type: 'application/pdf' }), 'file');
    expect((await fetch(answer.upload.url, { method: 'POST', body: form })).status).toBeLessThan(300);
    const completeEvent = apiEvent({
      method: 'POST',
      path: `/api/v1/people/fileDocuments/uploadSessions/${answer.documentId}/complete`,
      headers: { ...bearer(jwt), 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ personId })),
    });
    const completed = await realOutcome('CompleteUploadSession', completeEvent);
    expect(completed.outcome.status).toBe(200);
    // Completing again: the session is used up, in both runtimes alike.
    const again = await both('CompleteUploadSession', completeEvent);
    expect(again.status).toBeGreaterThanOrEqual(400);
    const local = await localOutcome('StartUploadSession', startEvent);
    expect(local.status).toBe(201);
  });

  it("pages the person's access trail, and refuses an edited cursor and a missing token, alike", async () => {
    const path = `/api/v1/people/${personId}/auditTrail`;
    const page = await both('AuditTrail', get(path, bearer(jwt)));
    expect(page.status).toBe(200);
    const { items } = JSON.parse(page.body.toString('utf8')) as { items: { action: string }[] };
    expect(items.map((event) => event.action)).toContain('document.download');
    const edited = {
      ...get(path, bearer(jwt)),
      queryStringParameters: { cursor: 'e30.AAAA' },
      multiValueQueryStringParameters: { cursor: ['e30.AAAA'] },
    };
    expect((await both('AuditTrail', edited)).status).toBe(400);
    expect((await both('AuditTrail', get(path))).status).toBe(401);
  });

  it('issues download links (201) that serve the bytes; refuses 400, 401, 403 and 404 alike', async () => {
    const post = (path: string, headers: Record<string, string> = {}, body?: string) =>
      apiEvent({ method: 'POST', path, headers, ...(body === undefined ? {} : { body: Buffer.from(body) }) });
    const faceId = newPersonId();
    const photo = jpegBytes(4000);
    await putObject(enrollmentPhotoKey(faceId), photo);
    await putObject(detectionPhotoKey(faceId, 'det-1'), photo);
    const cases = [
      ['FileDocumentLink', `/api/v1/people/${personId}/fileDocuments/${documentId}/links`, bytes],
      ['EnrollmentPhotoLink', `/api/v1/people/enrollmentPhoto/${faceId}/links`, photo],
      ['DetectionPhotoLink', `/api/v1/people/detectionPhoto/${faceId}/det-1/links`, photo],
    ] as const;
    for (const [id, path, expected] of cases) {
      // Each runtime signs at its own instant: the links differ in their date and signature only.
      const real = (await realOutcome(id, post(path, bearer(jwt)))).outcome;
      const local = await localOutcome(id, post(path, bearer(jwt)));
      expect(real.status, id).toBe(201);
      expect(local.status, id).toBe(201);
      expect(local.headers, id).toEqual(real.headers);
      for (const outcome of [real, local]) {
        const link = JSON.parse(outcome.body.toString('utf8')) as { url: string; expiresAt: string };
        expect(Object.keys(link).sort(), id).toEqual(['expiresAt', 'url']);
        const fetched = await fetch(link.url);
        expect(fetched.status, id).toBe(200);
        expect(Buffer.from(await fetched.arrayBuffer()).equals(expected), id).toBe(true);
      }
      expect(
        (await both(id, post(path, { ...bearer(jwt), 'Content-Type': 'application/json' }, '{"expiresIn":901}')))
          .status,
      ).toBe(400);
      expect((await both(id, post(path))).status).toBe(401);
    }
    const addOnly = await token({ claims: { permissions: [PERMISSIONS.addFiles] } });
    const documentPath = `/api/v1/people/${personId}/fileDocuments/${documentId}/links`;
    expect((await both('FileDocumentLink', post(documentPath, bearer(addOnly)))).status).toBe(403);
    const missing = `/api/v1/people/${personId}/fileDocuments/${newPersonId()}/links`;
    expect((await both('FileDocumentLink', post(missing, bearer(jwt)))).status).toBe(404);
    const noPhoto = `/api/v1/people/enrollmentPhoto/${newPersonId()}/links`;
    expect((await both('EnrollmentPhotoLink', post(noPhoto, bearer(jwt)))).status).toBe(404);
  });

  it('lists, describes, changes and deletes documents, and erases a person, alike in both', async () => {
    const all = await token({ claims: { permissions: Object.values(PERMISSIONS) } });
    const documents = `/api/v1/people/${personId}/fileDocuments`;
    const one = `${documents}/${documentId}`;
    const listed = await both('ListFileDocuments', get(`${documents}?limit=1`, bearer(all)));
    expect(listed.status).toBe(200);
    expect(listed.headers.Link).toMatch(/rel="next"/);
    expect((await both('GetFileDocument', get(one, bearer(all)))).status).toBe(200);
    // The second run changes nothing and answers the same metadata and ETag.
    const change = apiEvent({
      method: 'PATCH',
      path: one,
      headers: { ...bearer(all), 'Content-Type': 'application/merge-patch+json', 'If-Match': '*' },
      body: Buffer.from(JSON.stringify({ description: 'Both sides' })),
    });
    expect((await both('UpdateFileDocument', change)).status).toBe(200);
    const remove = apiEvent({ method: 'DELETE', path: one, headers: bearer(all) });
    expect((await realOutcome('DeleteFileDocument', remove)).outcome.status).toBe(204);
    expect((await both('DeleteFileDocument', remove)).status).toBe(404);
    const erase = apiEvent({ method: 'DELETE', path: documents, headers: bearer(all) });
    expect((await both('EraseFileDocuments', erase)).status).toBe(204);
    expect((await both('ListFileDocuments', get(documents, bearer(all)))).body.toString()).toBe(
      '{"items":[],"nextCursor":null}',
    );
  });

  it('deletes photos (204, then 404) alike in both', async () => {
    const all = await token({ claims: { permissions: [PERMISSIONS.mutateIdentity] } });
    const faceId = `face-${newPersonId()}`;
    await putObject(enrollmentPhotoKey(faceId), jpegBytes());
    await putObject(detectionPhotoKey(faceId, 'd1'), jpegBytes());
    await putObject(detectionPhotoKey(faceId, 'd2'), jpegBytes());
    const detection = apiEvent({
      method: 'DELETE',
      path: `/api/v1/people/detectionPhoto/${faceId}/d1`,
      headers: bearer(all),
    });
    expect((await realOutcome('DeleteDetectionPhoto', detection)).outcome.status).toBe(204);
    expect((await both('DeleteDetectionPhoto', detection)).status).toBe(404);
    const face = apiEvent({ method: 'DELETE', path: `/api/v1/people/enrollmentPhoto/${faceId}`, headers: bearer(all) });
    expect((await realOutcome('DeleteEnrollmentPhoto', face)).outcome.status).toBe(204);
    expect((await both('DeleteEnrollmentPhoto', face)).status).toBe(404);
  });

  it('left every runtime process alive, each having served its invocations', () => {
    for (const { route, process, api } of runtimes.values()) {
      expect(process.alive, `${route.id}: ${process.log}`).toBe(true);
      expect(api.initErrors, route.id).toEqual([]);
      expect(api.nextCalls, route.id).toBeGreaterThan(1);
    }
    expect(routeById('EnrollmentPhoto').response).toBe('stream');
  });
});
