import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import {
  type CorsPolicy,
  corsHeaders,
  describeError,
  HttpError,
  type HttpRequest,
  integrationTimeoutSeconds,
  type Logger,
  NO_CORS,
  PLATFORM_LIMITS,
  preflightResponse,
  problemResponse,
  type Route,
  type StreamingHandler,
  toHttpRequest,
} from '@identities/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import {
  installLocalLambdaRuntime,
  invokeStreamingHandler,
  isStreamingHandler,
  localContext,
} from './lambda-emulator.ts';
import { matchPath, proxyEvent } from './proxy-event.ts';
import { STORAGE_PATH } from './storage-links.ts';
import type { StorageUploads } from './storage-uploads.ts';

/**
 * Where clients reach embedded storage for presigned upload forms and download links:
 * `<server>/_storage/<bucket>`, so they need no other address than the API's.
 */
export const STORAGE_UPLOAD_PATH = STORAGE_PATH;

export type BufferedHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
export type AnyHandler = StreamingHandler | BufferedHandler;

export interface GatewayOptions {
  readonly routes: readonly Route[];
  /** Loads a route's handler module (once; it is kept like a warm container). */
  readonly loadHandler: (route: Route) => Promise<AnyHandler>;
  readonly logger: Logger;
  /** Extra paths served outside the API (the dev issuer's JWKS). */
  readonly extras?: Readonly<Record<string, (request: IncomingMessage, response: ServerResponse) => void>>;
  /** Browser origins allowed: preflights are answered as the API's OPTIONS methods do in the cloud. */
  readonly cors?: CorsPolicy;
  /**
   * Presigned upload forms for embedded storage, under `/_storage`, so clients need no other address
   * than the API's. Without it, that path is refused like any other unknown path.
   */
  readonly storageUploads?: StorageUploads;
  /**
   * Checks the caller's token and permission from the headers alone, before a request body is read: an
   * unauthenticated client never has a body buffered. The function checks again, as it does in AWS.
   */
  readonly precheck?: (request: HttpRequest, route: Route) => Promise<void>;
  /**
   * The operator's paths (health probes, metrics), answered before any route is matched; each returns
   * whether it took the request.
   */
  readonly operator?: readonly ((request: IncomingMessage, response: ServerResponse, pathname: string) => boolean)[];
}

/** On every answer of the gateway's own, as on the functions' (and in the cloud, API Gateway's). */
const SECURITY_HEADERS = { 'X-Content-Type-Options': 'nosniff' } as const;

/** API Gateway's own answers, with its JSON shape (`{"message": ...}`), not the API's problem bodies. */
function gatewayError(response: ServerResponse, status: number, message: string, errorType: string, requestId: string) {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const body = JSON.stringify({ message });
  response.writeHead(status, {
    ...SECURITY_HEADERS,
    'Content-Type': 'application/json',
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
    'x-amzn-ErrorType': errorType,
  });
  response.end(body);
}

class TooLarge extends Error {}

const DRAIN_LIMIT = 64 * 1024 * 1024;
/** A caller refused for its token gets its answer; what it goes on sending is not worth more than this. */
const REFUSED_DRAIN_LIMIT = 1024 * 1024;

/**
 * Reads and discards the rest of a refused request, so a client still sending sees the answer rather
 * than a broken pipe; a client that keeps sending past the limit is cut off.
 */
function drain(request: IncomingMessage, limit = DRAIN_LIMIT): void {
  let drained = 0;
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > limit) request.socket.destroy();
  });
  request.resume();
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(request.headers['content-length'] ?? 0);
  if (declared > limit) throw new TooLarge();
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new TooLarge();
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/**
 * Headers as the client sent them: the case of each name's first appearance, every value (Node's
 * rawHeaders). Merged through a map, in one pass: names are data here, never object keys that could
 * collide with `constructor` or `__proto__`.
 */
function rawHeaders(request: IncomingMessage): Record<string, string[]> {
  const merged = new Map<string, { name: string; values: string[] }>();
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = request.rawHeaders[i + 1] as string;
    const lower = name.toLowerCase();
    const entry = merged.get(lower);
    if (entry === undefined) merged.set(lower, { name, values: [value] });
    else entry.values.push(value);
  }
  return Object.fromEntries([...merged.values()].map(({ name, values }) => [name, values]));
}

function queryOf(url: URL): Record<string, string[]> {
  const query = new Map<string, string[]>();
  for (const [name, value] of url.searchParams) {
    const values = query.get(name);
    if (values === undefined) query.set(name, [value]);
    else values.push(value);
  }
  return Object.fromEntries(query);
}

/**
 * API Gateway's order among resources a path matches: at the first segment where two templates differ,
 * a literal beats a `{parameter}` (`.../detectionPhoto/{faceId}/...` before `.../{personId}/...`).
 */
function bySpecificity(a: string, b: string): number {
  const left = a.split('/');
  const right = b.split('/');
  for (const [index, part] of left.entries()) {
    const other = right[index] ?? '';
    const literal = !part.startsWith('{');
    if (literal !== !other.startsWith('{')) return literal ? -1 : 1;
  }
  return 0;
}

class Timeout extends Error {}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Timeout()), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * A local stand-in for API Gateway's REST API with Lambda proxy integrations: routes by the route
 * table, builds the same events, invokes the same handler modules, and answers its limits and
 * failures the way API Gateway does. It installs the local Lambda runtime first, as Lambda's runtime is
 * there before a function loads.
 */
export function createGateway(options: GatewayOptions) {
  installLocalLambdaRuntime();
  const { routes, logger } = options;
  const handlers = new Map<string, Promise<AnyHandler>>();
  const handlerFor = (route: Route) => {
    let handler = handlers.get(route.id);
    if (handler === undefined) {
      handler = options.loadHandler(route);
      handlers.set(route.id, handler);
    }
    return handler;
  };

  return async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // Only origin-form targets (`/path?query`): an absolute URL or `*` names no resource of this API.
    if (!(request.url ?? '').startsWith('/')) {
      drain(request);
      return gatewayError(response, 400, 'Bad Request', 'BadRequestException', '');
    }
    // Appended, never resolved against a base: `//host/...` stays a path, and a target no URL can hold is a 400.
    const url = URL.canParse(`http://gateway${request.url}`) ? new URL(`http://gateway${request.url}`) : undefined;
    if (url === undefined) {
      drain(request, REFUSED_DRAIN_LIMIT);
      return gatewayError(response, 400, 'Bad Request', 'BadRequestException', '');
    }
    // The probes and metrics read no body: one sent anyway is dropped and its connection closed.
    const withBody = carriesBody(request);
    const keepAlive = response.shouldKeepAlive;
    if (withBody) response.shouldKeepAlive = false;
    if ((options.operator ?? []).some((serve) => serve(request, response, url.pathname))) {
      if (withBody) closeAfterAnswer(request, response);
      return;
    }
    response.shouldKeepAlive = keepAlive;
    const method = request.method ?? 'GET';
    const extra = Object.hasOwn(options.extras ?? {}, url.pathname) ? options.extras?.[url.pathname] : undefined;
    if (extra !== undefined && method === 'GET') return extra(request, response);

    if (url.pathname === STORAGE_UPLOAD_PATH || url.pathname.startsWith(`${STORAGE_UPLOAD_PATH}/`)) {
      if (options.storageUploads !== undefined) {
        return options.storageUploads(request, response, url.pathname.slice(STORAGE_UPLOAD_PATH.length) || '/');
      }
    }
    const matching = routes
      .filter((candidate) => matchPath(candidate.path, url.pathname) !== undefined)
      .sort((a, b) => bySpecificity(a.path, b.path));
    if (method === 'OPTIONS' && matching.length > 0) {
      return answerPreflight(options.cors ?? NO_CORS, request, response);
    }
    const route = matching.find(
      (candidate) => candidate.method === method || (method === 'HEAD' && candidate.method === 'GET' && candidate.head),
    );
    if (route === undefined) {
      drain(request, REFUSED_DRAIN_LIMIT);
      // API Gateway answers any path or method it has no resource for with this 403.
      return gatewayError(response, 403, 'Missing Authentication Token', 'MissingAuthenticationTokenException', '');
    }

    const requestId = randomUUID();
    if (options.precheck !== undefined && carriesBody(request)) {
      const refused = await precheck(options.precheck, route, request, requestId);
      if (refused !== undefined) {
        answerRefusal(refused, options.cors ?? NO_CORS, request, response, requestId);
        logger.log('info', 'request', {
          requestId,
          route: route.id,
          method,
          status: refused.statusCode,
          problem: refused.message,
        });
        return;
      }
    }
    // Told to wait for a go-ahead before sending its body: only now, once the caller may send one.
    if (request.headers.expect === '100-continue') response.writeContinue();

    let body: Buffer;
    try {
      body = await readBody(request, PLATFORM_LIMITS.requestBytes);
    } catch (error) {
      if (!(error instanceof TooLarge)) {
        // The client went away before its body was whole: nothing to answer, and no failure of ours.
        if (!request.complete) {
          logger.log('info', 'request abandoned', { route: route.id, requestId, method });
          response.destroy();
          return;
        }
        throw error;
      }
      drain(request);
      return gatewayError(response, 413, 'Request Too Long', 'RequestTooLongException', '');
    }

    const event = proxyEvent({
      route,
      method,
      path: url.pathname,
      headers: rawHeaders(request),
      query: queryOf(url),
      body,
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      scheme: 'encrypted' in request.socket && request.socket.encrypted === true ? 'https' : 'http',
      port: request.socket.localPort ?? 0,
      requestId,
    });
    // The event's JSON size without serialising the body again: base64 needs no escaping in JSON.
    const eventBytes = Buffer.byteLength(JSON.stringify({ ...event, body: '' })) + (event.body?.length ?? 0);
    if (eventBytes > PLATFORM_LIMITS.eventBytes) {
      return gatewayError(response, 413, 'Request Entity Too Large', 'RequestEntityTooLargeException', requestId);
    }
    const deadline = Date.now() + route.timeoutSeconds * 1000;
    const context = localContext({ functionName: route.id, memoryMb: route.memoryMb, requestId, deadline });
    // API Gateway waits for a buffered integration 29 s at most, whatever the function's own timeout.
    const waitMs = integrationTimeoutSeconds(route) * 1000;

    try {
      const handler = await handlerFor(route);
      if (isStreamingHandler(handler)) {
        await serveStreamed(handler, event, context, response, requestId, waitMs);
      } else {
        const result = await withTimeout(handler(event, context), waitMs);
        serveBuffered(result, response, requestId);
      }
    } catch (error) {
      if (error instanceof Timeout) {
        return gatewayError(response, 504, 'Endpoint request timed out', 'IntegrationTimeout', requestId);
      }
      logger.log('error', 'function failed', { route: route.id, requestId, error: describeError(error) });
      gatewayError(response, 502, 'Internal server error', 'InternalServerErrorException', requestId);
    }
  };
}

/** Whether the request announces a body (RFC 9112 §6.3): only then is there anything to hold back. */
function carriesBody(request: IncomingMessage): boolean {
  const length = request.headers['content-length'];
  return request.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
}

/** The typed refusal of a precheck (401, 403, 503 while the keys cannot be fetched), if any. */
async function precheck(
  check: NonNullable<GatewayOptions['precheck']>,
  route: Route,
  request: IncomingMessage,
  requestId: string,
): Promise<HttpError | undefined> {
  try {
    await check(toHttpRequest(headersOnlyEvent(request, requestId)), route);
    return undefined;
  } catch (error) {
    if (error instanceof HttpError) return error;
    throw error;
  }
}

/**
 * A refusal answered before the body was read: the function's own problem response, then the connection
 * is closed, so a client still sending cannot hold it (what it sends meanwhile is read and dropped).
 */
function answerRefusal(
  error: HttpError,
  cors: CorsPolicy,
  request: IncomingMessage,
  response: ServerResponse,
  requestId: string,
): void {
  const problem = problemResponse(error, requestId);
  const body = String(problem.body ?? '');
  response.writeHead(problem.statusCode, {
    ...problem.headers,
    ...corsHeaders(cors, toHttpRequest(headersOnlyEvent(request, requestId))),
    ...SECURITY_HEADERS,
    'Content-Length': Buffer.byteLength(body),
    'x-amzn-RequestId': requestId,
    Connection: 'close',
  });
  response.end(body);
  closeAfterAnswer(request, response);
}

/** What a client sends after its answer is read and dropped, up to a bound; still sending a second later, it is cut off. */
function closeAfterAnswer(request: IncomingMessage, response: ServerResponse): void {
  drain(request, REFUSED_DRAIN_LIMIT);
  response.once('finish', () => {
    if (!request.complete) setTimeout(() => request.socket.destroy(), 1000).unref();
  });
}

async function serveStreamed(
  handler: StreamingHandler,
  event: APIGatewayProxyEvent,
  context: Context,
  response: ServerResponse,
  requestId: string,
  timeoutMs: number,
): Promise<void> {
  const invocation = invokeStreamingHandler(handler, event, context);
  invocation.done.catch(() => undefined);
  const head = await withTimeout(invocation.response, timeoutMs);
  // The headers go out with the first bytes of the body, in one write.
  response.writeHead(head.statusCode, { ...head.headers, 'x-amzn-RequestId': requestId });
  try {
    // Back-pressure: the handler's stream pauses while the socket is slow. Lambda ends a stream that
    // grows past its limit (prelude included) with an error; so does this.
    let sent = Buffer.byteLength(JSON.stringify({ statusCode: head.statusCode, headers: head.headers })) + 8;
    await pipeline(
      head.body,
      async function* withinLimit(chunks: AsyncIterable<Buffer>) {
        for await (const chunk of chunks) {
          sent += chunk.length;
          if (sent > PLATFORM_LIMITS.streamedResponseBytes) throw new Error('streamed response over the limit');
          yield chunk;
        }
      },
      response,
    );
  } catch {
    // The function failed part-way: abort the connection so the client never sees a short body as complete.
    response.destroy();
  }
}

/** A preflight, answered from the CORS policy without invoking a function (a mock integration in the cloud). */
function answerPreflight(cors: CorsPolicy, request: IncomingMessage, response: ServerResponse): void {
  drain(request);
  const answer = preflightResponse(cors, toHttpRequest(headersOnlyEvent(request)));
  response.writeHead(answer.statusCode, { ...answer.headers, ...SECURITY_HEADERS, 'Content-Length': 0 });
  response.end();
}

/** Just enough of an event to read a request's headers the way the functions do. */
function headersOnlyEvent(request: IncomingMessage, requestId = ''): APIGatewayProxyEvent {
  const multiValueHeaders = rawHeaders(request);
  return {
    httpMethod: request.method ?? 'OPTIONS',
    headers: Object.fromEntries(Object.entries(multiValueHeaders).map(([name, values]) => [name, values.at(-1) ?? ''])),
    multiValueHeaders,
    requestContext: { requestId },
  } as Partial<APIGatewayProxyEvent> as APIGatewayProxyEvent;
}

function serveBuffered(result: APIGatewayProxyResult, response: ServerResponse, requestId: string): void {
  if (Buffer.byteLength(JSON.stringify(result)) > PLATFORM_LIMITS.bufferedResponseBytes) {
    // Lambda refuses the oversized result and API Gateway answers 502.
    gatewayError(response, 502, 'Internal server error', 'InternalServerErrorException', requestId);
    return;
  }
  const body = Buffer.from(result.body ?? '', result.isBase64Encoded ? 'base64' : 'utf8');
  const headers: Record<string, string | number | string[]> = { 'x-amzn-RequestId': requestId };
  for (const [name, value] of Object.entries(result.headers ?? {})) headers[name] = String(value);
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) headers[name] = values.map(String);
  headers['Content-Length'] = body.length;
  response.writeHead(result.statusCode, headers);
  response.end(body);
}
