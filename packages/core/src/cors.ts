import type { HttpRequest, HttpResponse } from './http-types.ts';

/** Which browser origins may call the API: the customer's web app, and local development origins. */
export interface CorsPolicy {
  allows(origin: string): boolean;
}

/** Response headers a browser script may read. */
export const EXPOSED_HEADERS = [
  'Content-Disposition',
  'ETag',
  'Content-Length',
  'Content-Range',
  'Accept-Ranges',
  'Location',
  'Retry-After',
] as const;

/** Request headers a browser script may send. */
export const ALLOWED_REQUEST_HEADERS = [
  'Authorization',
  'Content-Type',
  'Range',
  'If-None-Match',
  'If-Range',
  'If-Match',
] as const;
export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE', 'OPTIONS'] as const;

/** What a browser may send with a download link's GET (to the bucket, or the local storage path). */
export const LINK_REQUEST_HEADERS = ['Range', 'If-None-Match'] as const;
/** What a browser script may read of a download link's answer: a download's own headers. */
export const LINK_EXPOSED_HEADERS = [
  'Content-Disposition',
  'ETag',
  'Content-Length',
  'Content-Range',
  'Accept-Ranges',
] as const;
export const PREFLIGHT_MAX_AGE_SECONDS = 600;

/** The origins local and on-prem development servers allow by default. */
export const LOCAL_ORIGINS = ['http://localhost:*', 'http://127.0.0.1:*'] as const;

const ORIGIN = /^(https?):\/\/([a-z0-9.-]+|\[[0-9a-f:]+\])(?::(\d{1,5}|\*))?$/i;

/**
 * Origins as configured: exact (`https://app.example.com`), or any port of a host
 * (`http://localhost:*`). Anything else is a configuration error, caught at cold start.
 */
export function corsPolicy(patterns: readonly string[]): CorsPolicy {
  const exact = new Set<string>();
  const anyPort = new Set<string>();
  for (const pattern of patterns) {
    const match = ORIGIN.exec(pattern);
    if (match === null) throw new Error(`not an origin: ${pattern}`);
    const [, scheme = '', host = '', port] = match;
    const base = `${scheme.toLowerCase()}://${host.toLowerCase()}`;
    if (port === '*') anyPort.add(base);
    else exact.add(port === undefined ? base : `${base}:${port}`);
  }
  return {
    allows(origin) {
      const match = ORIGIN.exec(origin);
      if (match === null || match[3] === '*') return false;
      const [, scheme = '', host = '', port] = match;
      const base = `${scheme.toLowerCase()}://${host.toLowerCase()}`;
      return exact.has(port === undefined ? base : `${base}:${port}`) || anyPort.has(base);
    },
  };
}

export const NO_CORS: CorsPolicy = { allows: () => false };

/** The CORS headers for a response to this request: none unless its Origin is allowed. */
export function corsHeaders(policy: CorsPolicy, request: HttpRequest): Record<string, string> {
  const origin = request.headers.origin;
  if (origin === undefined || !policy.allows(origin)) return { Vary: 'Origin' };
  return {
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': EXPOSED_HEADERS.join(', '),
    Vary: 'Origin',
  };
}

/**
 * A preflight (`OPTIONS` with `Access-Control-Request-Method`): 204 allowing the methods and headers the
 * API uses, for an allowed origin; 204 with no CORS headers otherwise, which the browser treats as a
 * refusal. Bearer tokens, not cookies, carry identity: credentials are never allowed.
 */
export function preflightResponse(policy: CorsPolicy, request: HttpRequest): HttpResponse {
  const origin = request.headers.origin;
  const vary = { Vary: 'Origin, Access-Control-Request-Method, Access-Control-Request-Headers' };
  if (origin === undefined || !policy.allows(origin)) return { statusCode: 204, headers: vary };
  return {
    statusCode: 204,
    headers: {
      ...vary,
      'Access-Control-Allow-Origin': origin,
      'Access-Control-Allow-Methods': ALLOWED_METHODS.join(', '),
      'Access-Control-Allow-Headers': ALLOWED_REQUEST_HEADERS.join(', '),
      'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
    },
  };
}
