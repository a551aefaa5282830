import type { HttpRequest } from './http-types.ts';

/** Browsers keep to HTTPS for this host for a year once they have seen it over HTTPS. */
export const HSTS = 'max-age=31536000';

/**
 * Headers every response carries, error or not: nosniff, and HSTS when the request came over HTTPS
 * (API Gateway, and the local gateway, say so in X-Forwarded-Proto).
 */
export function securityHeaders(request: HttpRequest): Record<string, string> {
  return request.headers['x-forwarded-proto'] === 'https'
    ? { 'X-Content-Type-Options': 'nosniff', 'Strict-Transport-Security': HSTS }
    : { 'X-Content-Type-Options': 'nosniff' };
}
