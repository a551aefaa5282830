import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type ByteRange,
  type CorsPolicy,
  decideRange,
  describeError,
  LINK_EXPOSED_HEADERS,
  LINK_REQUEST_HEADERS,
  type Logger,
  MAX_LINK_SECONDS,
  matchesIfNoneMatch,
  PREFLIGHT_MAX_AGE_SECONDS,
} from '@identities/core';
import type { AuthorizationRequest } from './iam.ts';
import { verifySigV4 } from './sigv4.ts';
import { escapeXml } from './store-front.ts';

/** Where the local and on-prem server serves embedded storage to clients: `<server>/_storage/<bucket>`. */
export const STORAGE_PATH = '/_storage';

/**
 * The query a download link may carry: SigV4's query authentication, the version, the response-header
 * overrides the links set, and the SDK's operation marker. Anything else is refused before any check,
 * so nothing reaches the store that the signer did not write.
 */
const LINK_PARAMETERS = new Set([
  'X-Amz-Algorithm',
  'X-Amz-Content-Sha256',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-Signature',
  'X-Amz-SignedHeaders',
  'response-cache-control',
  'response-content-disposition',
  'response-content-type',
  'versionId',
  'x-amz-checksum-mode',
  'x-id',
]);

/**
 * A key segment as this service writes them (ids, GUIDs, `enrollment.jpg`): unreserved characters only,
 * starting with a letter or digit. No escapes (`%2F`), no empty (`//`) or dot (`..`) segments: a path
 * that is not already in this one spelling is refused, never normalised into another key.
 */
const KEY = /^(?:[A-Za-z0-9][A-Za-z0-9._~-]*)(?:\/[A-Za-z0-9][A-Za-z0-9._~-]*)*$/;

/** The object a link names, as storage reports it. */
export interface LinkedObject {
  readonly size: number;
  readonly etag: string;
  readonly contentType: string | undefined;
  readonly lastModified: Date | undefined;
  readonly versionId: string | undefined;
}

/** The embedded store's own reads of a key's current bytes, which need no request to answer. */
export interface ObjectFileReads {
  getObject(
    bucket: string,
    key: string,
    options?: { start?: number; end?: number },
  ): Promise<{ content: Readable | null } | null>;
}

/** Reads objects for verified links (as the install, once the link's signer has been authorised). */
export interface LinkedObjects {
  head(key: string, versionId: string | undefined): Promise<LinkedObject | undefined>;
  open(key: string, versionId: string | undefined, range: ByteRange | undefined): Promise<Readable>;
}

/** Who may sign links, and what each signer may do: S3 authorises a presigned GET as its signer. */
export interface LinkSigners {
  secretOf(accessKeyId: string): string | undefined;
  /** Whether the signer's policy allows the request; a denial is logged by the implementation. */
  may(accessKeyId: string, request: AuthorizationRequest): boolean;
}

export interface StorageLinkOptions {
  readonly bucket: string;
  readonly region: string;
  readonly signers: LinkSigners;
  readonly objects: LinkedObjects;
  readonly cors: CorsPolicy;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/** A refusal, answered as S3 words it. */
class S3Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const accessDenied = () => new S3Refusal(403, 'AccessDenied', 'Access Denied');

/**
 * Download links (presigned GETs) for the embedded S3, served as S3 serves them: the query signature
 * verified against the install's keys for exactly the path and query received, the signer's policy
 * checked for the object (or its version), S3's 403-unless-listable for a missing key, ranges and
 * If-None-Match, and the response headers the signature covers. Every other request is a 403: no
 * listing, no unsigned read, no other method, and no path that is not already in its one spelling.
 * The signed query is never logged.
 */
export function createStorageLinks(options: StorageLinkOptions) {
  const now = options.now ?? (() => new Date());
  const bucketPath = `/${options.bucket}/`;

  return async (request: IncomingMessage, response: ServerResponse, path: string): Promise<void> => {
    const started = performance.now();
    const requestId = randomUUID();
    const origin = request.headers.origin;
    const allowed = typeof origin === 'string' && options.cors.allows(origin) ? origin : undefined;
    const cors: Record<string, string> =
      allowed === undefined
        ? { Vary: 'Origin' }
        : {
            'Access-Control-Allow-Origin': allowed,
            'Access-Control-Expose-Headers': LINK_EXPOSED_HEADERS.join(', '),
            Vary: 'Origin',
          };
    const outcome: Record<string, unknown> = {};
    const log = (status: number, extra: Record<string, unknown> = {}) =>
      options.logger.log(status < 400 ? 'info' : 'warn', 'storage request', {
        requestId,
        method: request.method,
        path,
        status,
        sourceIp: request.socket.remoteAddress,
        durationMs: Math.round(performance.now() - started),
        ...outcome,
        ...extra,
      });
    const head = (status: number, headers: Record<string, string>) => {
      response.writeHead(status, {
        ...cors,
        'X-Content-Type-Options': 'nosniff',
        'x-amz-request-id': requestId,
        ...headers,
      });
    };
    const refuse = (refusal: S3Refusal, headers: Record<string, string> = {}) => {
      const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${refusal.code}</Code><Message>${escapeXml(refusal.message)}</Message><RequestId>${requestId}</RequestId></Error>`;
      head(refusal.status, {
        'Content-Type': 'application/xml',
        'Cache-Control': 'no-store',
        ...headers,
        'Content-Length': String(Buffer.byteLength(body)),
      });
      response.end(request.method === 'HEAD' ? undefined : body);
      log(refusal.status, { code: refusal.code });
    };
    // A link's GET has no body: whatever a request sends is read only up to a bound, then cut off.
    const withBody =
      request.headers['content-length'] !== undefined || request.headers['transfer-encoding'] !== undefined;
    if (withBody) response.setHeader('Connection', 'close');
    discard(request);

    try {
      const key = keyOf(request.url ?? '', path, bucketPath);
      if (request.method === 'OPTIONS') {
        const asked = request.headers['access-control-request-method'];
        head(204, {
          ...(allowed !== undefined && asked === 'GET'
            ? {
                'Access-Control-Allow-Methods': 'GET',
                'Access-Control-Allow-Headers': LINK_REQUEST_HEADERS.join(', '),
                'Access-Control-Max-Age': String(PREFLIGHT_MAX_AGE_SECONDS),
              }
            : {}),
          'Content-Length': '0',
        });
        response.end();
        return log(204);
      }
      if (request.method !== 'GET' && request.method !== 'HEAD') throw accessDenied();
      const query = linkQuery(request.url ?? '');
      const verified = verifySigV4(
        { method: request.method, url: request.url ?? '', headers: request.headers },
        options.signers.secretOf,
        { now: now(), service: 's3', region: options.region },
      );
      if (!verified.ok) {
        const status = verified.code === 'AuthorizationQueryParametersError' ? 400 : 403;
        throw new S3Refusal(status, verified.code, verified.message);
      }
      outcome.key = key;
      outcome.signer = verified.accessKeyId;
      const versionId = query.get('versionId');
      const resource = `arn:aws:s3:::${options.bucket}/${key}`;
      const action = versionId === undefined ? 's3:GetObject' : 's3:GetObjectVersion';
      if (!options.signers.may(verified.accessKeyId, { action, resource })) throw accessDenied();

      const object = await options.objects.head(key, versionId);
      if (object === undefined) {
        if (versionId !== undefined) {
          throw new S3Refusal(404, 'NoSuchVersion', 'The specified version does not exist.');
        }
        // S3 tells a missing key from a forbidden one only to a caller that may list it.
        const listing = {
          action: 's3:ListBucket',
          resource: `arn:aws:s3:::${options.bucket}`,
          context: { 's3:prefix': key },
        };
        if (!options.signers.may(verified.accessKeyId, listing)) throw accessDenied();
        throw new S3Refusal(404, 'NoSuchKey', 'The specified key does not exist.');
      }

      const headers: Record<string, string> = {
        'Content-Type': query.get('response-content-type') ?? object.contentType ?? 'binary/octet-stream',
        ETag: object.etag,
        'Accept-Ranges': 'bytes',
        ...(object.lastModified === undefined ? {} : { 'Last-Modified': object.lastModified.toUTCString() }),
        ...(object.versionId === undefined ? {} : { 'x-amz-version-id': object.versionId }),
        ...optional('Cache-Control', query.get('response-cache-control')),
        ...optional('Content-Disposition', query.get('response-content-disposition')),
      };
      if (matchesIfNoneMatch(singleHeader(request.headers['if-none-match']), object.etag)) {
        head(304, { ETag: object.etag, ...optional('Cache-Control', headers['Cache-Control']) });
        response.end();
        return log(304);
      }
      const decision = decideRange(singleHeader(request.headers.range), object.size);
      if (decision.kind === 'unsatisfiable') {
        throw new S3Refusal(416, 'InvalidRange', 'The requested range is not satisfiable');
      }
      const range = decision.kind === 'partial' ? decision.range : undefined;
      const length = range === undefined ? object.size : range.end - range.start + 1;
      // Opened before the status goes out: an object gone meanwhile is still an error answer, not a cut body.
      const body = request.method === 'HEAD' ? undefined : await options.objects.open(key, versionId, range);
      head(range === undefined ? 200 : 206, {
        ...headers,
        ...(range === undefined ? {} : { 'Content-Range': `bytes ${range.start}-${range.end}/${object.size}` }),
        'Content-Length': String(length),
      });
      if (body === undefined) {
        response.end();
        return log(200);
      }
      outcome.bytes = length;
      try {
        // A whole object is the store's file as it is; a range is cut to exactly its bytes.
        await (range === undefined ? pipeline(body, response) : pipeline(body, exactly(length), response));
      } catch (error) {
        // A body cut short must never look complete: the connection goes with it.
        response.destroy();
        return log(499, { aborted: true, error: describeError(error) });
      }
      return log(range === undefined ? 200 : 206);
    } catch (error) {
      if (response.headersSent) {
        response.destroy();
        return log(500, { error: describeError(error) });
      }
      if (error instanceof S3Refusal) {
        return refuse(error, error.status === 416 ? { 'Content-Range': 'bytes */*' } : {});
      }
      options.logger.log('error', 'storage link failed', { requestId, error: describeError(error) });
      return refuse(new S3Refusal(500, 'InternalError', 'We encountered an internal error. Please try again.'));
    }
  };
}

/**
 * The object key of a link's path, or a refusal. The raw target must be exactly the store's path as
 * the server routed it (under `/_storage` or at the store's own port): a target the URL parser had to
 * normalise (`..`, `%2e`, `//`) names another path than was signed, and is refused.
 */
function keyOf(target: string, path: string, bucketPath: string): string {
  const queryStart = target.indexOf('?');
  const rawPath = queryStart === -1 ? target : target.slice(0, queryStart);
  if (rawPath !== path && rawPath !== `${STORAGE_PATH}${path}`) throw accessDenied();
  if (!path.startsWith(bucketPath)) throw accessDenied();
  const key = path.slice(bucketPath.length);
  if (!KEY.test(key)) throw accessDenied();
  return key;
}

/** The link's query, each name at most once and every name one a link carries. */
function linkQuery(target: string): Map<string, string> {
  const queryStart = target.indexOf('?');
  const values = new Map<string, string>();
  if (queryStart === -1) throw accessDenied();
  for (const [name, value] of new URLSearchParams(target.slice(queryStart + 1))) {
    if (!LINK_PARAMETERS.has(name) || values.has(name)) {
      throw new S3Refusal(400, 'InvalidArgument', 'The query names a parameter a download link does not carry.');
    }
    values.set(name, value);
  }
  // Unsigned: S3 calls it anonymous, and the bucket is private.
  if (!values.has('X-Amz-Signature')) throw accessDenied();
  const expires = Number(values.get('X-Amz-Expires'));
  if (Number.isFinite(expires) && expires > MAX_LINK_SECONDS) {
    throw new S3Refusal(
      400,
      'AuthorizationQueryParametersError',
      `X-Amz-Expires must be at most ${MAX_LINK_SECONDS} seconds for a download link.`,
    );
  }
  return values;
}

/** Reads and drops what a request sends, cutting off one that sends more than headers' worth. */
function discard(request: IncomingMessage): void {
  let dropped = 0;
  request.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > 64 * 1024) request.socket.destroy();
  });
  request.resume();
}

function optional(name: string, value: string | undefined): Record<string, string> {
  return value === undefined ? {} : { [name]: value };
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** Passes exactly `length` bytes: a store that sends more (s3rver on `bytes=0-0`) is cut to the range. */
function exactly(length: number): Transform {
  let left = length;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (left <= 0) return done();
      const piece = chunk.length <= left ? chunk : chunk.subarray(0, left);
      left -= piece.length;
      done(null, piece);
    },
    flush(done) {
      done(left === 0 ? null : new Error(`the object ended ${left} bytes early`));
    },
  });
}

/** The body of an SDK read as the Node.js stream it is on Node.js; anything else is a failure of the store. */
export function asReadable(body: unknown): Readable {
  if (body instanceof Readable) return body;
  throw new Error('storage returned no readable body');
}
