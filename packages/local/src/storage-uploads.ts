import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { type CorsPolicy, corsHeaders, describeError, type Logger, toHttpRequest } from '@identities/core';
import busboy from 'busboy';
import { verifyPostPolicySignature } from './sigv4.ts';
import { escapeXml } from './store-front.ts';

/** The form's fields come before its file, and are small: a policy is a few hundred bytes. */
const MAX_FIELDS = 24;
const MAX_FIELD_BYTES = 16 * 1024;
/**
 * A form's fields, which carry its signature, must have arrived within this: until they are verified the
 * client is anonymous, and may not hold a connection for the whole request time-out.
 */
export const FORM_FIELDS_TIMEOUT_MS = 15_000;
/** What a form may carry beside its file: multipart framing and fields. */
const FORM_OVERHEAD_BYTES = 256 * 1024;

/** Fields S3 does not expect a policy condition for. */
const UNCONDITIONED = new Set(['policy', 'x-amz-signature', 'file']);
/** Answers that would send a browser elsewhere: never offered, refused even if a policy names them. */
const REDIRECTS = new Set(['success_action_redirect', 'redirect']);

/** A refusal, answered as S3 words it. */
class S3FormError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** The client went away before its form was stored. */
class ClientGoneError extends Error {}

const denied = (message: string) => new S3FormError(403, 'AccessDenied', message);
const invalidPolicy = (detail: string) => denied(`Invalid according to Policy: ${detail}`);

/** A form's file, whole on disk, and where it goes. */
export interface StagedObject {
  readonly key: string;
  readonly file: string;
  readonly size: number;
  readonly contentType: string | undefined;
}

export interface StorageUploadOptions {
  readonly bucket: string;
  readonly region: string;
  /** Who may sign forms: a form signed with any other key is refused, one whose signer may not put its key denied. */
  readonly signers: FormSigners;
  /** Stores what a verified form carried, once it has arrived whole. */
  readonly put: (object: StagedObject, signal: AbortSignal) => Promise<void>;
  /** Owner-only scratch space: a file is held here until it has arrived whole and matched its policy. */
  readonly stagingDir: string;
  /** The largest file any form may carry, whatever its policy says. */
  readonly maxFileBytes: number;
  readonly cors: CorsPolicy;
  readonly logger: Logger;
  readonly now?: () => Date;
}

/**
 * The keys forms may be signed with and what each signer may put: S3 authorises a presigned POST against
 * the policy of whoever signed it.
 */
export interface FormSigners {
  secretOf(accessKeyId: string): string | undefined;
  mayPut(accessKeyId: string, key: string): boolean;
}

/** Answers one request for the store; `path` is the request's path within the store (`/<bucket>`). */
export type StorageUploads = (request: IncomingMessage, response: ServerResponse, path: string) => Promise<void>;

/**
 * Presigned upload forms for the embedded S3, which checks neither policies nor signatures itself.
 * Accepts only the bucket-root form POST (and its CORS preflight): the policy's signature is verified
 * against the install's key, its expiry and every condition enforced (key, exact size, content type),
 * every field must be covered by a condition, at most the declared size is read, and the object is
 * stored only once it has arrived whole. Every other method or path is refused; nothing is forwarded.
 */
export function createStorageUploads(options: StorageUploadOptions): StorageUploads {
  const now = options.now ?? (() => new Date());
  // The bucket-root form URL, as the S3 client names it on a path-style endpoint.
  const formPath = `/${options.bucket}`;

  return async (request, response, path) => {
    const started = performance.now();
    const requestId = randomUUID();
    const cors = corsHeaders(options.cors, toHttpRequest(headersOnlyEvent(request)));
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
    const answer = (status: number, headers: Record<string, string> = {}, body = '') => {
      if (response.headersSent || response.destroyed) return;
      response.writeHead(status, {
        ...cors,
        'X-Content-Type-Options': 'nosniff',
        'Cache-Control': 'no-store',
        'x-amz-request-id': requestId,
        ...headers,
        'Content-Length': Buffer.byteLength(body),
      });
      response.end(body);
    };
    const fail = (error: S3FormError) => {
      // Refused before the body was read: the connection is not worth keeping.
      if (!request.complete) response.setHeader('Connection', 'close');
      answer(error.status, { 'Content-Type': 'application/xml' }, errorXml(error, requestId));
      log(error.status, { code: error.code });
      if (!request.complete) discard(request);
    };

    if (path !== formPath) return fail(denied('Access Denied'));
    if (request.method === 'OPTIONS') {
      discard(request);
      const allowed = cors['Access-Control-Allow-Origin'] !== undefined;
      answer(204, allowed ? { 'Access-Control-Allow-Methods': 'POST', 'Access-Control-Max-Age': '600' } : {});
      return log(204);
    }
    if (request.method !== 'POST') return fail(denied('Access Denied'));
    const contentType = request.headers['content-type'] ?? '';
    if (!/^multipart\/form-data\s*;/i.test(contentType)) {
      return fail(
        new S3FormError(412, 'PreconditionFailed', 'Bucket POST must be of the enclosure-type multipart/form-data'),
      );
    }
    const declared = Number(request.headers['content-length']);
    if (request.headers['content-length'] === undefined || !Number.isSafeInteger(declared)) {
      return fail(new S3FormError(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.'));
    }
    if (declared > options.maxFileBytes + FORM_OVERHEAD_BYTES) {
      return fail(new S3FormError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size'));
    }

    // Only now may a client that asked first send its body.
    if (request.headers.expect === '100-continue') response.writeContinue();
    const staged = join(options.stagingDir, `upload-${requestId}`);
    const aborted = new AbortController();
    const onClose = () => {
      if (!response.writableEnded) aborted.abort();
    };
    response.on('close', onClose);
    try {
      const form = await receiveForm(request, contentType, staged, options, now(), aborted.signal);
      outcome.key = form.key;
      outcome.bytes = form.size;
      await options.put(
        { key: form.key, file: staged, size: form.size, contentType: form.contentType },
        aborted.signal,
      );
      const etag = `"${form.md5}"`;
      if (form.successStatus === 201) {
        const body = `<?xml version="1.0" encoding="UTF-8"?>\n<PostResponse><Bucket>${escapeXml(options.bucket)}</Bucket><Key>${escapeXml(form.key)}</Key><ETag>${etag}</ETag></PostResponse>`;
        answer(201, { 'Content-Type': 'application/xml', ETag: etag }, body);
      } else {
        answer(form.successStatus, { ETag: etag });
      }
      log(form.successStatus);
    } catch (error) {
      if (aborted.signal.aborted || error instanceof ClientGoneError) {
        log(499, { aborted: true });
      } else if (error instanceof S3FormError) {
        fail(error);
      } else {
        options.logger.log('error', 'storage upload failed', { requestId, error: describeError(error) });
        answer(
          500,
          { 'Content-Type': 'application/xml' },
          errorXml(
            new S3FormError(500, 'InternalError', 'We encountered an internal error. Please try again.'),
            requestId,
          ),
        );
        log(500);
        if (!request.complete) discard(request);
      }
    } finally {
      response.off('close', onClose);
      await rm(staged, { force: true });
    }
  };
}

interface ReceivedForm {
  readonly key: string;
  readonly contentType: string | undefined;
  readonly size: number;
  readonly md5: string;
  readonly successStatus: 200 | 201 | 204;
}

/**
 * Reads the form: its fields, verified as soon as the file part begins (S3 ignores fields after the
 * file), then the file into `staged`, counted against the policy's size range as it arrives.
 */
function receiveForm(
  request: IncomingMessage,
  contentType: string,
  staged: string,
  options: StorageUploadOptions,
  now: Date,
  signal: AbortSignal,
): Promise<ReceivedForm> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        defParamCharset: 'utf8',
        limits: {
          fields: MAX_FIELDS,
          fieldSize: MAX_FIELD_BYTES,
          files: 1,
          parts: MAX_FIELDS + 1,
          fileSize: options.maxFileBytes + 1,
        },
      });
    } catch {
      reject(
        new S3FormError(
          400,
          'MalformedPOSTRequest',
          'The body of your POST request is not well-formed multipart/form-data.',
        ),
      );
      return;
    }
    const fields = new Map<string, string>();
    let failure: unknown;
    let received: Promise<ReceivedForm> | undefined;
    let fieldsDue: NodeJS.Timeout | undefined;
    const stop = (error: unknown) => {
      clearTimeout(fieldsDue);
      failure ??= error;
      request.unpipe(parser);
      parser.removeAllListeners('file');
      reject(failure);
    };
    signal.addEventListener('abort', () => stop(new ClientGoneError()), { once: true });

    parser.on('field', (name: string | undefined, value: string | undefined, info) => {
      const lower = (name ?? '').toLowerCase();
      if (info.valueTruncated || value === undefined) {
        return stop(
          new S3FormError(400, 'MalformedPOSTRequest', `The form field ${name ?? ''} is too long or unreadable.`),
        );
      }
      if (fields.has(lower)) {
        return stop(new S3FormError(400, 'InvalidArgument', `The form field ${name ?? ''} is sent more than once.`));
      }
      fields.set(lower, value);
    });
    fieldsDue = setTimeout(
      () =>
        stop(
          new S3FormError(
            400,
            'RequestTimeout',
            'Your socket connection to the server was not read from or written to within the timeout period.',
          ),
        ),
      FORM_FIELDS_TIMEOUT_MS,
    );
    parser.on('file', (_name: string | undefined, stream) => {
      clearTimeout(fieldsDue);
      let policy: VerifiedPolicy;
      try {
        policy = verifyForm(fields, options, now);
      } catch (error) {
        stream.resume();
        return stop(error);
      }
      let size = 0;
      const md5 = createHash('md5');
      const sha256 = createHash('sha256');
      stream.on('data', (chunk: Buffer) => {
        size += chunk.length;
        md5.update(chunk);
        sha256.update(chunk);
        if (size > policy.maxBytes) {
          stream.destroy();
          stop(new S3FormError(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size'));
        }
      });
      received = pipeline(stream, createWriteStream(staged, { mode: 0o600 }), { signal }).then(() => {
        if (size < policy.minBytes) {
          throw new S3FormError(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size');
        }
        if (policy.sha256 !== undefined && policy.sha256 !== sha256.digest('base64')) {
          throw new S3FormError(400, 'BadDigest', 'The SHA256 you specified did not match the calculated checksum.');
        }
        return {
          key: policy.key,
          contentType: policy.contentType,
          size,
          md5: md5.digest('hex'),
          successStatus: policy.successStatus,
        };
      });
      // Settled by the parser's close, or never read when the form fails first: never unhandled.
      received.catch(() => undefined);
    });
    parser.on('filesLimit', () =>
      stop(new S3FormError(400, 'InvalidArgument', 'POST requires exactly one file upload per request.')),
    );
    parser.on('fieldsLimit', () => stop(new S3FormError(400, 'MalformedPOSTRequest', 'The form has too many fields.')));
    parser.on('partsLimit', () => stop(new S3FormError(400, 'MalformedPOSTRequest', 'The form has too many parts.')));
    parser.on('error', () =>
      stop(
        new S3FormError(
          400,
          'MalformedPOSTRequest',
          'The body of your POST request is not well-formed multipart/form-data.',
        ),
      ),
    );
    parser.on('close', () => {
      clearTimeout(fieldsDue);
      if (failure !== undefined) return;
      if (received === undefined) {
        return stop(new S3FormError(400, 'InvalidArgument', 'POST requires exactly one file upload per request.'));
      }
      received.then(resolve, stop);
    });
    request.once('close', () => {
      if (!request.complete) stop(new ClientGoneError());
    });
    request.pipe(parser);
  });
}

interface VerifiedPolicy {
  readonly key: string;
  readonly contentType: string | undefined;
  readonly minBytes: number;
  readonly maxBytes: number;
  readonly sha256: string | undefined;
  readonly successStatus: 200 | 201 | 204;
}

/** The form's signature, expiry and conditions, checked as S3 checks them; throws S3's refusal. */
function verifyForm(fields: ReadonlyMap<string, string>, options: StorageUploadOptions, now: Date): VerifiedPolicy {
  const field = (name: string) => fields.get(name);
  const policyText = field('policy');
  const signature = field('x-amz-signature');
  const credential = field('x-amz-credential');
  const date = field('x-amz-date');
  if (policyText === undefined || signature === undefined || credential === undefined || date === undefined) {
    throw denied('Bucket POST must contain a policy, its signature, a credential and a date.');
  }
  const verified = verifyPostPolicySignature(
    {
      policy: policyText,
      'x-amz-credential': credential,
      'x-amz-date': date,
      'x-amz-signature': signature,
      'x-amz-algorithm': field('x-amz-algorithm') ?? '',
    },
    (accessKeyId) => options.signers.secretOf(accessKeyId),
    { now, service: 's3', region: options.region },
  );
  if (!verified.ok) {
    const status = verified.code === 'InvalidArgument' ? 400 : 403;
    throw new S3FormError(status, verified.code, verified.message);
  }

  let policy: { conditions?: unknown };
  try {
    policy = JSON.parse(Buffer.from(policyText, 'base64').toString('utf8')) as typeof policy;
  } catch {
    throw new S3FormError(400, 'InvalidPolicyDocument', 'Invalid Policy: Invalid JSON.');
  }
  // Its signature and expiry are verified above: only its conditions are left.
  if (!Array.isArray(policy.conditions)) {
    throw new S3FormError(400, 'InvalidPolicyDocument', 'Invalid Policy: Policy missing conditions.');
  }

  const values = new Map(fields);
  values.set('bucket', options.bucket);
  if (field('bucket') !== undefined && field('bucket') !== options.bucket) throw invalidPolicy('Bucket mismatch.');
  const covered = new Set<string>();
  let range: { min: number; max: number } | undefined;
  for (const condition of policy.conditions as unknown[]) {
    const checked = checkCondition(condition, values);
    if (checked.kind === 'range') range = checked;
    else covered.add(checked.name);
  }
  for (const name of fields.keys()) {
    if (REDIRECTS.has(name)) throw new S3FormError(400, 'InvalidArgument', `${name} is not supported.`);
    if (!UNCONDITIONED.has(name) && !name.startsWith('x-ignore-') && !covered.has(name)) {
      throw invalidPolicy(`Extra input fields: ${name}`);
    }
  }
  const objectKey = field('key');
  if (objectKey === undefined || objectKey === '' || !covered.has('key'))
    throw invalidPolicy('Policy Condition failed: key.');
  if (!options.signers.mayPut(verified.accessKeyId, objectKey)) throw denied('Access Denied');
  const status = field('success_action_status');
  return {
    key: objectKey,
    contentType: field('content-type'),
    minBytes: range?.min ?? 0,
    maxBytes: Math.min(range?.max ?? options.maxFileBytes, options.maxFileBytes),
    sha256: field('x-amz-checksum-sha256'),
    successStatus: status === '200' ? 200 : status === '201' ? 201 : 204,
  };
}

type Checked = { kind: 'field'; name: string } | { kind: 'range'; min: number; max: number };

/** One policy condition: `{"name": "value"}`, `["eq" | "starts-with", "$name", "value"]`, or a size range. */
function checkCondition(condition: unknown, values: ReadonlyMap<string, string>): Checked {
  const failed = () => invalidPolicy(`Policy Condition failed: ${JSON.stringify(condition)}`);
  const malformed = () =>
    new S3FormError(400, 'InvalidPolicyDocument', `Invalid Policy: Invalid condition ${JSON.stringify(condition)}.`);
  if (Array.isArray(condition)) {
    const [operator, name, value] = condition as unknown[];
    if (operator === 'content-length-range') {
      if (!Number.isSafeInteger(name) || !Number.isSafeInteger(value)) throw malformed();
      return { kind: 'range', min: name as number, max: value as number };
    }
    if ((operator !== 'eq' && operator !== 'starts-with') || typeof name !== 'string' || typeof value !== 'string')
      throw malformed();
    if (!name.startsWith('$')) throw malformed();
    const field = name.slice(1).toLowerCase();
    const actual = values.get(field) ?? '';
    if (operator === 'eq' ? actual !== value : !actual.startsWith(value)) throw failed();
    return { kind: 'field', name: field };
  }
  if (typeof condition === 'object' && condition !== null) {
    const entries = Object.entries(condition);
    const [entry] = entries;
    if (entries.length !== 1 || entry === undefined || typeof entry[1] !== 'string') throw malformed();
    const field = entry[0].toLowerCase();
    if (values.get(field) !== entry[1]) throw failed();
    return { kind: 'field', name: field };
  }
  throw malformed();
}

function errorXml(error: S3FormError, requestId: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${error.code}</Code><Message>${escapeXml(error.message)}</Message><RequestId>${requestId}</RequestId></Error>`;
}

/** Reads and drops what is left of a refused request, cutting off a client that sends more than a form could. */
function discard(request: IncomingMessage): void {
  let dropped = 0;
  request.on('data', (chunk: Buffer) => {
    dropped += chunk.length;
    if (dropped > FORM_OVERHEAD_BYTES) request.socket.destroy();
  });
  request.resume();
}

/** Just enough of an event for `toHttpRequest` to read the request's headers. */
function headersOnlyEvent(request: IncomingMessage) {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (typeof value === 'string') headers[name] = value;
  }
  return { httpMethod: request.method ?? 'POST', headers, multiValueHeaders: {} } as unknown as Parameters<
    typeof toHttpRequest
  >[0];
}
