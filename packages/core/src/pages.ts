import { createHash } from 'node:crypto';
import { BadRequestError } from './errors.ts';
import type { HttpRequest, HttpResponse } from './http-types.ts';

/**
 * Pages of a list: `?limit=` items at most (default 50, at most 100) and an opaque `?cursor=` from the
 * previous page. The cursor says where that page ended and which list it belongs to (a person's documents,
 * a person's trail), with a checksum: an edited or truncated cursor, or one from another list, is a 400.
 * The position it carries is checked again by the list that reads it, so even a cursor forged with a
 * valid checksum can only start a page inside the list the caller may read anyway.
 */
export const PAGE_LIMIT = { default: 50, max: 100 } as const;

/** Longest cursor accepted: a position is a sort key, well under a kilobyte. */
const MAX_CURSOR_CHARS = 2048;
const CURSOR_VERSION = 1;
const CHECKSUM_BYTES = 12;

export interface PageRequest {
  readonly limit: number;
  /** Where the previous page ended (exclusive), as the list encoded it; undefined for the first page. */
  readonly after: string | undefined;
}

export interface Page<T> {
  readonly items: readonly T[];
  /** Where this page ended, when more items follow. */
  readonly next: string | undefined;
}

/**
 * Reads `limit` and `cursor` for the list named by `scope` (for example `documents:{personId}`). 400 for
 * a repeated, malformed or out-of-range value, or a cursor issued for another list.
 */
export function readPageRequest(request: HttpRequest, scope: string): PageRequest {
  for (const name of ['limit', 'cursor']) {
    if (request.repeatedQuery.has(name)) throw new BadRequestError(`The ${name} parameter is given more than once.`);
  }
  const rawLimit = Object.hasOwn(request.query, 'limit') ? request.query.limit : undefined;
  let limit: number = PAGE_LIMIT.default;
  if (rawLimit !== undefined) {
    if (!/^[0-9]{1,3}$/.test(rawLimit) || Number(rawLimit) < 1 || Number(rawLimit) > PAGE_LIMIT.max) {
      throw new BadRequestError(`The limit must be a whole number from 1 to ${PAGE_LIMIT.max}.`);
    }
    limit = Number(rawLimit);
  }
  const rawCursor = Object.hasOwn(request.query, 'cursor') ? request.query.cursor : undefined;
  return { limit, after: rawCursor === undefined ? undefined : decodeCursor(rawCursor, scope) };
}

export function encodeCursor(scope: string, position: string): string {
  const payload = Buffer.from(JSON.stringify({ v: CURSOR_VERSION, s: scope, p: position }), 'utf8');
  return `${payload.toString('base64url')}.${checksum(payload).toString('base64url')}`;
}

export function decodeCursor(cursor: string, scope: string): string {
  const invalid = () => new BadRequestError('The cursor is not one this list issued; start again without it.');
  if (cursor.length === 0 || cursor.length > MAX_CURSOR_CHARS) throw invalid();
  const [encoded, sum, ...rest] = cursor.split('.');
  if (encoded === undefined || sum === undefined || rest.length > 0) throw invalid();
  if (!/^[A-Za-z0-9_-]+$/.test(encoded) || !/^[A-Za-z0-9_-]+$/.test(sum)) throw invalid();
  const payload = Buffer.from(encoded, 'base64url');
  // Base64url has several spellings of the same bytes; only the canonical one is accepted.
  if (payload.toString('base64url') !== encoded || checksum(payload).toString('base64url') !== sum) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(payload.toString('utf8'));
  } catch {
    throw invalid();
  }
  if (typeof parsed !== 'object' || parsed === null) throw invalid();
  const { v, s, p } = parsed as Record<string, unknown>;
  if (v !== CURSOR_VERSION || s !== scope || typeof p !== 'string' || p.length === 0) throw invalid();
  return p;
}

function checksum(payload: Buffer): Buffer {
  return createHash('sha256').update(payload).digest().subarray(0, CHECKSUM_BYTES);
}

/**
 * A page as JSON, `{ items, nextCursor }`, with the next page's link (RFC 8288) relative to the route's
 * path (whose last segment is a fixed word), so it holds behind any base path: `Link: <documents?limit=50&cursor=…>; rel="next"`.
 */
export function pageResponse<T>(
  page: Page<T>,
  options: { readonly scope: string; readonly limit: number; readonly routePath: string },
): HttpResponse {
  const nextCursor = page.next === undefined ? null : encodeCursor(options.scope, page.next);
  const headers: Record<string, string> = {
    'Content-Type': 'application/json',
    'Cache-Control': 'private, no-store',
  };
  if (nextCursor !== null) {
    const last = options.routePath.split('/').at(-1) ?? '';
    const query = new URLSearchParams({ limit: String(options.limit), cursor: nextCursor });
    headers.Link = `<${last}?${query.toString()}>; rel="next"`;
  }
  return { statusCode: 200, headers, body: JSON.stringify({ items: page.items, nextCursor }) };
}
