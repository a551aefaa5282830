import { routes, type StreamingHandler } from '@identities/core';
import { invokeStreamingHandler, isStreamingHandler, localContext, matchPath, proxyEvent } from '@identities/local';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';

export interface ApiRequest {
  readonly method?: string;
  readonly path: string;
  readonly headers?: Record<string, string | string[]>;
  readonly body?: Buffer;
}

/** The event API Gateway would send for this request (`path` may carry a query), routed by the route table. */
export function apiEvent(request: ApiRequest): APIGatewayProxyEvent {
  const method = request.method ?? 'GET';
  const [path = '', search] = request.path.split(/\?(.*)/s);
  const query: Record<string, string[]> = {};
  for (const [name, value] of new URLSearchParams(search ?? '')) query[name] = [...(query[name] ?? []), value];
  const route = routes.find((candidate) => candidate.method === method && matchPath(candidate.path, path));
  if (route === undefined) throw new Error(`no route for ${method} ${request.path}`);
  const headers = Object.fromEntries(
    Object.entries(request.headers ?? {}).map(([name, value]) => [name, Array.isArray(value) ? value : [value]]),
  );
  return proxyEvent({ route, method, path, headers, query, ...(request.body ? { body: request.body } : {}) });
}

export const lambdaContext = (): Context =>
  localContext({ functionName: 'test', memoryMb: 512, requestId: 'test-request', deadline: Date.now() + 30_000 });

export interface ApiResponse {
  readonly statusCode: number;
  /** Lower-cased names. */
  readonly headers: Record<string, string>;
  readonly body: Buffer;
  json(): Record<string, unknown>;
}

type BufferedHandler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

/** Invokes a handler as API Gateway would, streamed or buffered, and reads the whole response. */
export async function invoke(handler: StreamingHandler | BufferedHandler, event: APIGatewayProxyEvent) {
  if (isStreamingHandler(handler)) {
    const result = invokeStreamingHandler(handler, event, lambdaContext());
    const response = await result.response;
    const body = Buffer.concat(await response.body.toArray());
    await result.done;
    return toApiResponse(response.statusCode, response.headers, body);
  }
  const result = await (handler as BufferedHandler)(event, lambdaContext());
  const body = Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8');
  return toApiResponse(result.statusCode, (result.headers ?? {}) as Record<string, string>, body);
}

function toApiResponse(statusCode: number, headers: Record<string, string>, body: Buffer): ApiResponse {
  return {
    statusCode,
    headers: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), String(value)])),
    body,
    json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown>,
  };
}
