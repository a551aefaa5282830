import type { Readable } from 'node:stream';
import { RangeNotSatisfiableError } from './errors.ts';
import type { HttpRequest, HttpResponse } from './http-types.ts';
import type { ByteRange } from './ports.ts';

export type RangeDecision =
  | { readonly kind: 'full' }
  | { readonly kind: 'partial'; readonly range: ByteRange }
  | { readonly kind: 'unsatisfiable' };

const SINGLE_RANGE = /^bytes=(\d*)-(\d*)$/;

/**
 * RFC 9110 §14: one `bytes=a-b`, `bytes=a-` or `bytes=-n` range against an object of `size` bytes.
 * A Range header that is absent, malformed, of another unit or asks for several ranges is ignored
 * (the whole body is served); a well-formed range that starts past the end is unsatisfiable.
 */
export function decideRange(header: string | undefined, size: number): RangeDecision {
  if (header === undefined) return { kind: 'full' };
  const match = SINGLE_RANGE.exec(header.replace(/\s+/g, ''));
  if (match === null) return { kind: 'full' };
  const [, first = '', last = ''] = match;
  if (first === '' && last === '') return { kind: 'full' };
  if (first === '') {
    const length = Number(last);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'partial', range: { start: Math.max(0, size - length), end: size - 1 } };
  }
  const start = Number(first);
  const end = last === '' ? Number.POSITIVE_INFINITY : Number(last);
  if (end < start) return { kind: 'full' };
  if (start >= size) return { kind: 'unsatisfiable' };
  return { kind: 'partial', range: { start, end: Math.min(end, size - 1) } };
}

/** The entity tags of an If-None-Match or If-Range value (`*` stays `*`). */
function entityTags(header: string): string[] {
  return (header.match(/\*|(?:W\/)?"[^"]*"/g) ?? []).map((tag) => tag.trim());
}

/**
 * Whether the current ETag matches the If-None-Match value (so a GET answers 304). RFC 9110 §13.1.2: it
 * compares weakly, and `*` matches any current representation; no header matches nothing.
 */
export function matchesIfNoneMatch(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const opaque = etag.replace(/^W\//, '');
  return entityTags(header).some((tag) => tag === '*' || tag.replace(/^W\//, '') === opaque);
}

/** RFC 9110 §13.1.5: a Range counts only if If-Range is absent or strongly matches the current ETag. */
function rangeStillValid(ifRange: string | undefined, etag: string): boolean {
  if (ifRange === undefined) return true;
  return !ifRange.startsWith('W/') && !etag.startsWith('W/') && ifRange.trim() === etag;
}

/** What a download serves: validators, size, headers, and a way to open (part of) the bytes. */
export interface Downloadable {
  readonly etag: string;
  readonly size: number;
  /** Content-Type, Cache-Control, Content-Disposition and the like. */
  readonly headers: Readonly<Record<string, string>>;
  open(range: ByteRange | undefined): Promise<Readable>;
  /**
   * Called once the answer is decided and before anything of it is sent (a download that must be
   * recorded first): the body is opened meanwhile, and is never sent, but destroyed, when this rejects.
   */
  beforeSend?(answer: DownloadAnswer): Promise<void>;
}

/** What a download answers, as decided before it is sent. */
export interface DownloadAnswer {
  readonly status: 200 | 206 | 304 | 416;
  /** Body bytes the answer carries: 0 for HEAD, 304 and 416. */
  readonly bytes: number;
}

/** Opens the body while `beforeSend` runs; the body goes out only when both succeeded. */
async function openWhenAllowed(
  download: Downloadable,
  answer: DownloadAnswer,
  range: ByteRange | undefined,
): Promise<Readable> {
  const [opened, allowed] = await Promise.allSettled([download.open(range), download.beforeSend?.(answer)]);
  if (allowed.status === 'rejected') {
    if (opened.status === 'fulfilled') opened.value.destroy();
    throw allowed.reason;
  }
  if (opened.status === 'rejected') throw opened.reason;
  return opened.value;
}

/**
 * A download with HTTP's conditional and range semantics: 304 for a matching If-None-Match, 206 with
 * Content-Range for one satisfiable range, `RangeNotSatisfiableError` (416) for an unsatisfiable one, and HEAD with GET's headers
 * and no body. Only what is sent is read from storage.
 */
export async function serveDownload(request: HttpRequest, download: Downloadable): Promise<HttpResponse> {
  const validators = { ETag: download.etag, 'Cache-Control': download.headers['Cache-Control'] ?? 'private' };
  if (matchesIfNoneMatch(request.headers['if-none-match'], download.etag)) {
    await download.beforeSend?.({ status: 304, bytes: 0 });
    return { statusCode: 304, headers: validators };
  }

  const head = request.method === 'HEAD';
  const headers = { ...download.headers, ...validators, 'Accept-Ranges': 'bytes' };
  const decision = rangeStillValid(request.headers['if-range'], download.etag)
    ? decideRange(request.headers.range, download.size)
    : ({ kind: 'full' } as const);

  if (decision.kind === 'unsatisfiable') {
    await download.beforeSend?.({ status: 416, bytes: 0 });
    throw new RangeNotSatisfiableError(download.size);
  }
  if (decision.kind === 'partial') {
    const { start, end } = decision.range;
    const length = end - start + 1;
    if (head) await download.beforeSend?.({ status: 206, bytes: 0 });
    return {
      statusCode: 206,
      headers: {
        ...headers,
        'Content-Range': `bytes ${start}-${end}/${download.size}`,
        'Content-Length': String(length),
      },
      ...(head ? {} : { body: await openWhenAllowed(download, { status: 206, bytes: length }, decision.range) }),
    };
  }
  if (head) await download.beforeSend?.({ status: 200, bytes: 0 });
  return {
    statusCode: 200,
    headers: { ...headers, 'Content-Length': String(download.size) },
    ...(head ? {} : { body: await openWhenAllowed(download, { status: 200, bytes: download.size }, undefined) }),
  };
}
