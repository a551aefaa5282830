import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import {
  type CorsPolicy,
  corsHeaders,
  describeError,
  invokeStreamingHandler,
  isStreamingHandler,
  type Logger,
  localContext,
  NO_CORS,
  preflightResponse,
  type Route,
  type StreamingHandler,
  toHttpRequest,
} from '@identities/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { matchPath, proxyEvent } from './proxy-event.ts';

/** API Gateway REST API and Lambda limits, emulated so what would fail in the cloud fails here first. */
export const PLATFORM_LIMITS = {
  /** API Gateway's request payload quota. */
  requestBytes: 10 * 1024 * 1024,
  /** Lambda's synchronous invocation payload (the whole event JSON). */
  eventBytes: 6 * 1024 * 1024,
  /** Lambda's synchronous response payload (the whole proxy result JSON). */
  bufferedResponseBytes: 6 * 1024 * 1024 + 100,
  /** API Gateway's integration timeout for buffered responses. */
  bufferedIntegrationSeconds: 29,
} as const;

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
   * The embedded S3 endpoint, reached by clients under `/_storage/` for presigned uploads, so they need
   * no other address than the API's.
   */
  readonly storageProxy?: string;
}

export const STORAGE_PROXY_PATH = '/_storage';

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

/**
 * Reads and discards the rest of a refused request, so a client still sending sees the answer rather
 * than a broken pipe; a client that keeps sending past the drain limit is cut off.
 */
function drain(request: IncomingMessage): void {
  let drained = 0;
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > DRAIN_LIMIT) request.socket.destroy();
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

/** Headers as the client sent them: original case, every value (Node's rawHeaders). */
function rawHeaders(request: IncomingMessage): Record<string, string[]> {
  const headers: Record<string, string[]> = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = request.rawHeaders[i + 1] as string;
    const existing = Object.keys(headers).find((key) => key.toLowerCase() === name.toLowerCase()) ?? name;
    headers[existing] = [...(headers[existing] ?? []), value];
  }
  return headers;
}

function queryOf(url: URL): Record<string, string[]> {
  const query: Record<string, string[]> = {};
  for (const [name, value] of url.searchParams) query[name] = [...(query[name] ?? []), value];
  return query;
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
 * failures the way API Gateway does.
 */
export function createGateway(options: GatewayOptions) {
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
    const url = new URL(request.url ?? '/', 'http://gateway');
    const method = request.method ?? 'GET';
    const extra = options.extras?.[url.pathname];
    if (extra !== undefined && method === 'GET') return extra(request, response);

    if (options.storageProxy !== undefined && url.pathname.startsWith(`${STORAGE_PROXY_PATH}/`)) {
      return proxyStorage(options.storageProxy, options.cors ?? NO_CORS, request, response);
    }
    const matching = routes.filter((candidate) => matchPath(candidate.path, url.pathname) !== undefined);
    if (method === 'OPTIONS' && matching.length > 0) {
      return answerPreflight(options.cors ?? NO_CORS, request, response);
    }
    const route = matching.find(
      (candidate) => candidate.method === method || (method === 'HEAD' && candidate.method === 'GET' && candidate.head),
    );
    if (route === undefined) {
      drain(request);
      // API Gateway answers any path or method it has no resource for with this 403.
      return gatewayError(response, 403, 'Missing Authentication Token', 'MissingAuthenticationTokenException', '');
    }

    let body: Buffer;
    try {
      body = await readBody(request, PLATFORM_LIMITS.requestBytes);
    } catch (error) {
      if (!(error instanceof TooLarge)) throw error;
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
    });
    const requestId = event.requestContext.requestId;
    // The event's JSON size without serialising the body again: base64 needs no escaping in JSON.
    const eventBytes = Buffer.byteLength(JSON.stringify({ ...event, body: '' })) + (event.body?.length ?? 0);
    if (eventBytes > PLATFORM_LIMITS.eventBytes) {
      return gatewayError(response, 413, 'Request Entity Too Large', 'RequestEntityTooLargeException', requestId);
    }
    const deadline = Date.now() + route.timeoutSeconds * 1000;
    const context = localContext({ functionName: route.id, memoryMb: route.memoryMb, requestId, deadline });
    // API Gateway waits for a buffered integration 29 s at most, whatever the function's own timeout.
    const waitMs =
      route.response === 'stream'
        ? route.timeoutSeconds * 1000
        : Math.min(route.timeoutSeconds, PLATFORM_LIMITS.bufferedIntegrationSeconds) * 1000;

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
    // Back-pressure: the handler's stream pauses while the socket is slow.
    await pipeline(head.body, response);
  } catch {
    // The function failed part-way: abort the connection so the client never sees a short body as complete.
    response.destroy();
  }
}

/** A preflight, answered from the CORS policy without invoking a function (a mock integration in the cloud). */
function answerPreflight(cors: CorsPolicy, request: IncomingMessage, response: ServerResponse): void {
  drain(request);
  const answer = preflightResponse(cors, toHttpRequest(preflightEvent(request)));
  response.writeHead(answer.statusCode, { ...answer.headers, ...SECURITY_HEADERS, 'Content-Length': 0 });
  response.end();
}

/** Just enough of an event to read a request's headers the way the functions do. */
function preflightEvent(request: IncomingMessage): APIGatewayProxyEvent {
  const multiValueHeaders = rawHeaders(request);
  return {
    httpMethod: request.method ?? 'OPTIONS',
    headers: Object.fromEntries(Object.entries(multiValueHeaders).map(([name, values]) => [name, values.at(-1) ?? ''])),
    multiValueHeaders,
  } as Partial<APIGatewayProxyEvent> as APIGatewayProxyEvent;
}

/**
 * Passes a presigned upload through to the embedded S3 as is, streaming both ways. Browsers get the
 * same CORS answers as from the API (in the cloud, the bucket's CORS rules give them).
 */
function proxyStorage(target: string, cors: CorsPolicy, request: IncomingMessage, response: ServerResponse): void {
  if (request.method === 'OPTIONS') {
    answerPreflight(cors, request, response);
    return;
  }
  const httpRequestLike = toHttpRequest(preflightEvent(request));
  const url = new URL((request.url ?? '/').slice(STORAGE_PROXY_PATH.length) || '/', target);
  const { host: _host, ...headers } = request.headers;
  const upstream = httpRequest(url, { method: request.method, headers }, (answer) => {
    // The store's own banners stay behind.
    const { server: _server, 'x-powered-by': _poweredBy, ...passed } = answer.headers;
    response.writeHead(answer.statusCode ?? 502, {
      ...passed,
      ...corsHeaders(cors, httpRequestLike),
      ...SECURITY_HEADERS,
    });
    answer.pipe(response);
  });
  upstream.on('error', () => response.destroy());
  request.pipe(upstream);
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
