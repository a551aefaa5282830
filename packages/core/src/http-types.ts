import type { Readable } from 'node:stream';

/**
 * The types the HTTP layer and the modules beside it share. A leaf: it imports nothing of the project,
 * so anything may import it without forming a cycle.
 */

/** A request as the handlers see it: header names lower-cased, path parameters decoded by the platform. */
export interface HttpRequest {
  readonly method: string;
  readonly pathParameters: Readonly<Record<string, string | undefined>>;
  /** Lower-cased header names; a header sent more than once keeps its first value here. */
  readonly headers: Readonly<Record<string, string>>;
  /** Lower-cased names of headers that were sent more than once. */
  readonly repeatedHeaders: ReadonlySet<string>;
  /** Query string parameters, decoded; a parameter sent more than once keeps its first value here. */
  readonly query: Readonly<Record<string, string>>;
  /** Names of query parameters that were sent more than once. */
  readonly repeatedQuery: ReadonlySet<string>;
  /** The client's address as the platform saw it (API Gateway's `sourceIp`), or `unknown`. */
  readonly sourceIp: string;
  readonly requestId: string;
  /** The body's bytes, base64-decoded when the platform encoded it; 400 when that encoding is broken. */
  body(): Buffer;
}

export interface HttpResponse {
  readonly statusCode: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** Bytes, text, or a stream that is piped through without being held in memory. */
  readonly body?: Uint8Array | string | Readable;
}

/** Who made a request, once the bearer token is verified. */
export interface Principal {
  readonly subject: string;
  /** Permissions granted directly by the token's `permissions` claim. */
  readonly permissions: ReadonlySet<string>;
  /** Roles named by the token, resolved to permissions only when needed. */
  readonly roles: readonly string[];
}

/** What a route does with an authenticated, authorised request. */
export type Endpoint = (request: HttpRequest, principal: Principal) => Promise<HttpResponse>;
