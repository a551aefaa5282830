import { Readable } from 'node:stream';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import type { Authenticator } from './auth.ts';
import { type CorsPolicy, corsHeaders, NO_CORS } from './cors.ts';
import { BadRequestError, HttpError } from './errors.ts';
import type { Endpoint, HttpRequest, HttpResponse } from './http-types.ts';
import { describeError, type Logger } from './log.ts';
import type { Route } from './routes.ts';
import { securityHeaders } from './security-headers.ts';
import { type ResponseStream, type StreamingHandler, streamingRuntime } from './streaming-runtime.ts';

export interface HandlerDeps {
  readonly auth: Authenticator;
  readonly logger: Logger;
  /** Browser origins whose scripts may read responses; none when absent. */
  readonly cors?: CorsPolicy;
}

/**
 * Decodes a body API Gateway flagged as base64; undefined when it is not valid base64. Node's decoder
 * skips characters outside the alphabet (and accepts base64url's `-` and `_`), so the text is valid
 * exactly when it has neither and nothing was skipped: the decoded length is the one its length and
 * padding promise. A regular expression over a 5.6 MB body costs about 25 ms; this costs the decode.
 */
function decodeBase64(raw: string): Buffer | undefined {
  if (raw.length % 4 !== 0 || raw.includes('-') || raw.includes('_')) return undefined;
  const padding = raw.endsWith('==') ? 2 : raw.endsWith('=') ? 1 : 0;
  const bytes = Buffer.from(raw, 'base64');
  return bytes.length === (raw.length / 4) * 3 - padding ? bytes : undefined;
}

/**
 * One value per name from a proxy event's single- and multi-value maps, and the names sent more than
 * once. Names are data: the result has no prototype, so `constructor` or `__proto__` are names like any other.
 */
function firstValues(
  single: Readonly<Record<string, string | undefined>> | null | undefined,
  multi: Readonly<Record<string, readonly string[] | undefined>> | null | undefined,
  normalise: (name: string) => string,
): { values: Record<string, string>; repeated: Set<string> } {
  const merged = new Map<string, string>();
  const repeated = new Set<string>();
  const names = new Set([...Object.keys(single ?? {}), ...Object.keys(multi ?? {})]);
  for (const name of names) {
    const key = normalise(name);
    const values = (multi && Object.hasOwn(multi, name) ? multi[name] : undefined) ?? [
      (single && Object.hasOwn(single, name) ? single[name] : undefined) ?? '',
    ];
    if (values.length > 1 || merged.has(key)) repeated.add(key);
    const first = values[0];
    if (!merged.has(key) && first !== undefined) merged.set(key, first);
  }
  return { values: Object.assign(Object.create(null), Object.fromEntries(merged)), repeated };
}

export function toHttpRequest(event: APIGatewayProxyEvent): HttpRequest {
  const headers = firstValues(event.headers, event.multiValueHeaders, (name) => name.toLowerCase());
  const query = firstValues(event.queryStringParameters, event.multiValueQueryStringParameters, (name) => name);
  let decoded: Buffer | undefined;
  return {
    method: event.httpMethod,
    pathParameters: event.pathParameters ?? {},
    headers: headers.values,
    repeatedHeaders: headers.repeated,
    query: query.values,
    repeatedQuery: query.repeated,
    sourceIp: event.requestContext?.identity?.sourceIp ?? 'unknown',
    requestId: event.requestContext?.requestId ?? 'unknown',
    body() {
      if (decoded !== undefined) return decoded;
      const raw = event.body ?? '';
      decoded = event.isBase64Encoded ? decodeBase64(raw) : Buffer.from(raw, 'utf8');
      if (decoded === undefined) {
        throw new BadRequestError('The request body is flagged as base64 but is not valid base64.');
      }
      return decoded;
    },
  };
}

/** A problem+json response (RFC 9457). Only typed errors below 500 show their message. */
export function problemResponse(error: unknown, requestId: string): HttpResponse {
  const known = error instanceof HttpError ? error : undefined;
  const status = known?.statusCode ?? 500;
  const body = {
    type: 'about:blank',
    title: known?.title ?? 'Internal Server Error',
    status,
    detail: known !== undefined && status < 500 ? known.message : defaultDetail(status),
    requestId,
  };
  return {
    statusCode: status,
    headers: {
      ...known?.headers,
      'Content-Type': 'application/problem+json',
      'Cache-Control': 'no-store',
    },
    body: JSON.stringify(body),
  };
}

function defaultDetail(status: number): string {
  if (status === 503) return 'A service this API depends on is unavailable or throttling; retry later.';
  if (status === 502) return 'A service this API depends on failed. Quote the requestId when reporting it.';
  if (status === 504) return 'A service this API depends on did not answer in time; retry later.';
  return 'An unexpected error occurred. Quote the requestId when reporting it.';
}

/**
 * Runs one request through authentication, authorisation and the endpoint, and turns any failure into
 * its problem response. This is the only place errors become responses.
 */
async function run(route: Route, deps: HandlerDeps, request: HttpRequest, endpoint: Endpoint) {
  const cors = corsHeaders(deps.cors ?? NO_CORS, request);
  const withCorsAndSecurityHeaders = (response: HttpResponse): HttpResponse => ({
    ...response,
    headers: { ...response.headers, ...cors, ...securityHeaders(request) },
  });
  let subject: string | undefined;
  try {
    const principal = await deps.auth.authenticate(request);
    subject = principal.subject;
    await deps.auth.authorize(principal, route.permission);
    return { response: withCorsAndSecurityHeaders(await endpoint(request, principal)), subject, failure: undefined };
  } catch (error) {
    return { response: withCorsAndSecurityHeaders(problemResponse(error, request.requestId)), subject, failure: error };
  }
}

/** Characters of a subject written to the request log: enough to tell users apart, not a token's worth. */
const MAX_LOGGED_SUBJECT_LENGTH = 128;

/** The subject as logged: cut at a whole character, marked when cut, so long subjects cannot flood the logs. */
function logged(subject: string): string {
  const characters = [...subject];
  return characters.length <= MAX_LOGGED_SUBJECT_LENGTH
    ? subject
    : `${characters.slice(0, MAX_LOGGED_SUBJECT_LENGTH).join('')}…`;
}

function logRequest(
  deps: HandlerDeps,
  route: Route,
  request: HttpRequest,
  outcome: { statusCode: number; subject: string | undefined; failure: unknown; started: number },
): void {
  const { statusCode, subject, failure, started } = outcome;
  const fields = {
    requestId: request.requestId,
    route: route.id,
    method: request.method,
    status: statusCode,
    durationMs: Math.round(performance.now() - started),
    ...(subject === undefined ? {} : { subject: logged(subject) }),
  };
  if (statusCode >= 500) deps.logger.log('error', 'request failed', { ...fields, error: describeError(failure) });
  else if (failure instanceof HttpError) deps.logger.log('info', 'request', { ...fields, problem: failure.message });
  else deps.logger.log('info', 'request', fields);
}

/** A Lambda handler for API Gateway REST (payload 1.0) with a buffered response. */
export function bufferedHandler(route: Route, deps: HandlerDeps, endpoint: Endpoint) {
  return async (event: APIGatewayProxyEvent, _context?: Context): Promise<APIGatewayProxyResult> => {
    const started = performance.now();
    const request = toHttpRequest(event);
    const { response, subject, failure } = await run(route, deps, request, endpoint);
    const result = await toProxyResult(response);
    logRequest(deps, route, request, { statusCode: result.statusCode, subject, failure, started });
    return result;
  };
}

async function toProxyResult(response: HttpResponse): Promise<APIGatewayProxyResult> {
  const headers = { ...response.headers };
  const { body } = response;
  if (body === undefined || typeof body === 'string') {
    return { statusCode: response.statusCode, headers, body: body ?? '' };
  }
  const bytes = body instanceof Readable ? Buffer.concat(await body.toArray()) : Buffer.from(body);
  return { statusCode: response.statusCode, headers, body: bytes.toString('base64'), isBase64Encoded: true };
}

/** The runtime's response stream closed before the body was through: the client went away. */
export class ResponseStreamClosedError extends Error {
  override readonly name = 'ResponseStreamClosedError';
}

/** Resolves once the stream can take more, rejects when it closes first. */
function drained(stream: ResponseStream): Promise<void> {
  return new Promise((resolve, reject) => {
    const settle = (closed: boolean) => {
      stream.off('drain', onDrain).off('close', onClose);
      if (closed) reject(new ResponseStreamClosedError('the response stream closed before the body was sent'));
      else resolve();
    };
    const onDrain = () => settle(false);
    const onClose = () => settle(true);
    stream.on('drain', onDrain).on('close', onClose);
  });
}

/**
 * Copies the body into the runtime's response stream, with back-pressure, and ends it. When the body
 * fails, the stream is left as it is, neither ended nor destroyed, and the failure is thrown: the runtime
 * then ends the response with its error trailers (`Lambda-Runtime-Function-Error-Type`/`-Body`), API
 * Gateway aborts the client's response, and the same process serves the next invocation. Destroying the
 * runtime's stream instead (as `pipeline` does) breaks its request to the Runtime API, and the runtime
 * process dies of the rejection it cannot handle.
 */
async function sendBody(body: Readable, stream: ResponseStream): Promise<void> {
  // Leaving the loop early (a closed stream, a failed body) destroys the body: its S3 connection is freed.
  for await (const chunk of body as AsyncIterable<Buffer>) {
    if (stream.destroyed || stream.writableEnded) {
      throw new ResponseStreamClosedError('the response stream closed before the body was sent');
    }
    if (!stream.write(chunk)) await drained(stream);
  }
  stream.end();
}

/**
 * A Lambda handler for API Gateway REST (payload 1.0) with response streaming: status and headers go
 * out first, then the body is copied through as it arrives. A body that fails part-way makes the
 * handler throw without touching the stream, so the runtime reports the error and the platform aborts
 * the response instead of ending a short body cleanly. The runtime's streaming API is read here, once,
 * when the handler is created.
 */
export function streamingHandler(route: Route, deps: HandlerDeps, endpoint: Endpoint): StreamingHandler {
  const lambda = streamingRuntime();
  return lambda.streamifyResponse(async (event, responseStream) => {
    const started = performance.now();
    const request = toHttpRequest(event);
    const { response, subject, failure } = await run(route, deps, request, endpoint);
    const stream = lambda.HttpResponseStream.from(responseStream, {
      statusCode: response.statusCode,
      headers: { ...response.headers },
    });
    const outcome = { statusCode: response.statusCode, subject, failure, started };
    try {
      // Always one explicit write: the runtime sends the prelude on the first write, not on end().
      const { body } = response;
      if (body instanceof Readable) {
        stream.write('');
        await sendBody(body, stream);
      } else {
        stream.write(body ?? '');
        stream.end();
      }
    } catch (error) {
      if (error instanceof ResponseStreamClosedError) {
        deps.logger.log('info', 'response abandoned', {
          requestId: request.requestId,
          route: route.id,
          method: request.method,
          status: response.statusCode,
        });
      } else {
        logRequest(deps, route, request, { ...outcome, statusCode: 500, failure: error });
      }
      throw error;
    }
    logRequest(deps, route, request, outcome);
  });
}
