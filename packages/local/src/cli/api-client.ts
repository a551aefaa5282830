import type { IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { type RouteId, routeById, type routes } from '@identities/core';
import createClient from 'openapi-fetch';
import type { paths } from './api-types.ts';

/**
 * The CLI's client of the API, typed by the types generated from openapi.json (api-types.ts, by
 * `npm run openapi`): a request or response the description does not allow fails the CLI's type-check.
 * Requests go over the CLI's own HTTP(S) transport, with its certificate rules.
 */

/** One HTTP(S) exchange: what `send` in document.ts does, given the command's target. */
export type Transport = (
  url: URL,
  request: { readonly method: string; readonly headers: OutgoingHttpHeaders; readonly body?: Buffer },
) => Promise<IncomingMessage>;

/** A route's path as the route table spells it, typed as that literal: the client's key for it. */
export function apiPath<Id extends RouteId>(id: Id): ApiPath<Id> {
  const path: string = routeById(id).path;
  return path as ApiPath<Id>;
}

type ApiPath<Id extends RouteId> = Extract<(typeof routes)[number], { readonly id: Id }>['path'];

/** Statuses whose responses have no body, which a `Response` cannot be given one for. */
const NULL_BODY = new Set([101, 204, 205, 304]);

/** `fetch` over the transport: the response body streams as it arrives. */
function fetchOver(transport: Transport) {
  return async (request: Request): Promise<Response> => {
    const body = request.body === null ? undefined : Buffer.from(await request.arrayBuffer());
    const answer = await transport(new URL(request.url), {
      method: request.method,
      headers: Object.fromEntries(request.headers),
      ...(body === undefined ? {} : { body }),
    });
    const status = answer.statusCode ?? 502;
    const headers = new Headers();
    for (const [name, value] of Object.entries(answer.headers)) {
      for (const one of Array.isArray(value) ? value : value === undefined ? [] : [value]) headers.append(name, one);
    }
    if (NULL_BODY.has(status) || request.method === 'HEAD') {
      answer.resume();
      return new Response(null, { status, headers });
    }
    return new Response(Readable.toWeb(answer) as unknown as ConstructorParameters<typeof Response>[0], {
      status,
      headers,
    });
  };
}

export function apiClient(baseUrl: string, token: string, transport: Transport) {
  return createClient<paths>({
    baseUrl: baseUrl.replace(/\/$/, ''),
    headers: { Authorization: `Bearer ${token}` },
    fetch: fetchOver(transport),
  });
}

export type ApiClient = ReturnType<typeof apiClient>;

/** A response body the client handed over as a web stream, as a Node stream. */
export function nodeStream(body: unknown): Readable {
  return Readable.fromWeb(body as ReadableStream);
}

/** What a refusal says: the problem's detail, API Gateway's message, or the start of the body. */
export function refusal(status: number, error: unknown): string {
  if (typeof error === 'object' && error !== null) {
    const { detail, message } = error as { detail?: unknown; message?: unknown };
    if (typeof detail === 'string') return `${status}: ${detail}`;
    if (typeof message === 'string') return `${status}: ${message}`;
  }
  return `${status}: ${String(error ?? '').slice(0, 200)}`;
}
