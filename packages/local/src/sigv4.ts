// Signature Version 4 verification for the stand-ins' authenticating front.
//
// Written against node:crypto alone, not the SDK's signer: the tests sign with the SDK, so a bug
// shared by signer and verifier cannot hide, and the front needs nothing the SDK does not expose.

import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface SignedRequest {
  method: string;
  /** Path and query exactly as received (IncomingMessage.url). */
  url: string;
  /**
   * Lower-case header names. IncomingMessage.headers works for every SDK request; pass
   * IncomingMessage.headersDistinct when a client may repeat a signed header, since Node joins
   * repeats with ", " where Signature Version 4 joins them with ",".
   */
  headers: Record<string, string | string[] | undefined>;
  /** The body when the caller has it buffered (DynamoDB: always; S3: to check a declared hash). */
  body?: Buffer;
}

export type FailureCode =
  | 'MissingAuthenticationToken'
  | 'InvalidAccessKeyId'
  | 'SignatureDoesNotMatch'
  | 'RequestTimeTooSkewed'
  | 'IncompleteSignature'
  | 'AuthorizationQueryParametersError'
  | 'XAmzContentSHA256Mismatch'
  | 'AccessDenied'
  | 'InvalidArgument';

export type Verified =
  | {
      ok: true;
      accessKeyId: string;
      region: string;
      service: string;
      /**
       * The payload hash the signature covers: a hex SHA-256, or UNSIGNED-PAYLOAD. When it is a
       * hash and no body was passed, the caller must check the body against it as it streams.
       */
      payloadHash: string;
    }
  | { ok: false; code: FailureCode; message: string };

export interface VerifyOptions {
  /** The verifier's clock; the current time when absent. */
  now?: Date;
  /** The service the credential scope must name. */
  service?: 's3' | 'dynamodb';
  /** The region the credential scope must name. */
  region?: string;
}

export type SecretOf = (accessKeyId: string) => string | undefined;

const ALGORITHM = 'AWS4-HMAC-SHA256';
const UNSIGNED_PAYLOAD = 'UNSIGNED-PAYLOAD';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** AWS's allowance between the signer's clock and the service's. */
const MAX_SKEW_MS = 15 * 60 * 1000;
/** The longest a presigned URL may live: seven days. */
const MAX_EXPIRES_SECONDS = 7 * 24 * 60 * 60;

const HEX_SHA256 = /^[0-9a-f]{64}$/;
const LONG_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
// One or more lower-case header names, ';'-separated; order and uniqueness are checked apart.
const SIGNED_HEADERS = /^[!#$%&'*+.^_`|~0-9a-z-]+(?:;[!#$%&'*+.^_`|~0-9a-z-]+)*$/;
const AUTHORIZATION = new RegExp(
  `^${ALGORITHM} Credential=([^\\s,]+),\\s*SignedHeaders=([^\\s,]+),\\s*Signature=([^\\s,]+)$`,
);

type Failure = Extract<Verified, { ok: false }>;

function fail(code: FailureCode, message: string): Failure {
  return { ok: false, code, message };
}

/** The key the signature is an HMAC under: a chain of HMACs over the credential scope. */
export function signingKey(secret: string, date: string, region: string, service: string): Buffer {
  let key = hmac(`AWS4${secret}`, date);
  for (const part of [region, service, 'aws4_request']) key = hmac(key, part);
  return key;
}

function hmac(key: string | Buffer, data: string): Buffer {
  return createHmac('sha256', key).update(data, 'utf8').digest();
}

function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Verifies a request signed with Signature Version 4, in the Authorization header or in the
 * query string (a presigned URL). The credential scope's service picks the canonical rules:
 * S3's (each path segment encoded once, nothing normalised; the declared payload hash) or every
 * other service's (the normalised path encoded a second time; the body's hash).
 */
export function verifySigV4(request: SignedRequest, secretOf: SecretOf, options: VerifyOptions = {}): Verified {
  const now = options.now ?? new Date();
  const queryStart = request.url.indexOf('?');
  const rawPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
  const rawQuery = queryStart === -1 ? '' : request.url.slice(queryStart + 1);
  const query = parseQuery(rawQuery);
  if (Array.isArray(request.headers.authorization) && request.headers.authorization.length > 1) {
    return fail('IncompleteSignature', 'The Authorization header is given more than once.');
  }
  const authorization = single(request.headers.authorization);
  if (query === undefined) {
    return authorization === undefined
      ? fail('MissingAuthenticationToken', 'Request is missing Authentication Token.')
      : fail('SignatureDoesNotMatch', 'The query string is not validly percent-encoded.');
  }
  const queryAuth = query.some(([name]) => name === 'X-Amz-Algorithm' || name === 'X-Amz-Signature');
  if (authorization !== undefined && queryAuth) {
    return fail(
      'InvalidArgument',
      'Only one auth mechanism allowed; only the X-Amz-Algorithm query parameter or the Authorization header should be specified.',
    );
  }

  const parsed =
    authorization !== undefined
      ? parseHeaderAuth(authorization, request.headers)
      : queryAuth
        ? parseQueryAuth(query)
        : undefined;
  if (parsed === undefined) return fail('MissingAuthenticationToken', 'Request is missing Authentication Token.');
  if (!('accessKeyId' in parsed)) return parsed;
  const { accessKeyId, date, region, service, signedHeaders, signature, longDate } = parsed;
  const malformed = parsed.query ? 'AuthorizationQueryParametersError' : 'IncompleteSignature';

  if (options.service !== undefined && service !== options.service) {
    return fail(malformed, `Credential should be scoped to correct service: '${options.service}'.`);
  }
  if (options.region !== undefined && region !== options.region) {
    return fail(
      malformed,
      `Credential should be scoped to a valid region, not '${region}'; expecting '${options.region}'.`,
    );
  }

  const signedAt = parseLongDate(longDate);
  if (signedAt === undefined)
    return fail(malformed, `X-Amz-Date must be in the ISO8601 basic format; got '${longDate}'.`);
  if (date !== longDate.slice(0, 8)) {
    return fail(malformed, `Credential should be scoped to a valid date: '${longDate.slice(0, 8)}'; got '${date}'.`);
  }
  if (parsed.query) {
    // A link may be followed any time before it expires, but not before it was made.
    if (signedAt - now.getTime() > MAX_SKEW_MS) return fail('RequestTimeTooSkewed', 'Request is not valid yet.');
    if (now.getTime() > signedAt + parsed.expiresSeconds * 1000) return fail('AccessDenied', 'Request has expired');
  } else if (Math.abs(now.getTime() - signedAt) > MAX_SKEW_MS) {
    return fail('RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.');
  }

  const names = signedHeaders.split(';');
  if (!names.includes('host')) return fail(malformed, "'host' must be a signed header.");
  // An unsigned x-amz- header could change what a captured request does (x-amz-copy-source
  // turns a PutObject into a copy), so, as S3 does, every one present must be signed.
  for (const name of Object.keys(request.headers)) {
    if (name.startsWith('x-amz-') && request.headers[name] !== undefined && !names.includes(name)) {
      return fail('AccessDenied', `There were headers present in the request which were not signed: ${name}.`);
    }
  }
  const canonicalHeaders: string[] = [];
  for (const name of names) {
    const value = request.headers[name];
    if (value === undefined) return fail('SignatureDoesNotMatch', `The signed header '${name}' is not in the request.`);
    canonicalHeaders.push(`${name}:${canonicalHeaderValue(value)}\n`);
  }

  const s3 = service === 's3';
  let payloadHash: string;
  if (s3 && parsed.query) {
    // A link is followed by clients that cannot know the body beforehand.
    payloadHash = UNSIGNED_PAYLOAD;
  } else if (s3) {
    const declared = single(request.headers['x-amz-content-sha256']);
    if (declared === undefined) {
      return fail('InvalidArgument', 'Missing required header for this request: x-amz-content-sha256.');
    }
    // Streamed (aws-chunked) bodies carry a signature per chunk, which only a reader of the
    // stream can check: refused rather than half-verified.
    if (declared !== UNSIGNED_PAYLOAD && !HEX_SHA256.test(declared)) {
      return fail(
        'InvalidArgument',
        `x-amz-content-sha256 must be UNSIGNED-PAYLOAD or a valid sha256 value; got '${declared}'.`,
      );
    }
    payloadHash = declared;
  } else {
    payloadHash = request.body === undefined ? EMPTY_SHA256 : sha256Hex(request.body);
  }

  const canonicalUri = s3 ? s3CanonicalUri(rawPath) : normalisedCanonicalUri(rawPath);
  if (canonicalUri === undefined) return fail('SignatureDoesNotMatch', 'The path is not validly percent-encoded.');
  const canonicalQuery = query
    .filter(([name]) => !(parsed.query && name === 'X-Amz-Signature'))
    .map(([name, value]) => [uriEncode(name), uriEncode(value)] as const)
    .sort(([nameA, valueA], [nameB, valueB]) => compare(nameA, nameB) || compare(valueA, valueB))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');

  const canonicalRequest = [
    request.method,
    canonicalUri,
    canonicalQuery,
    canonicalHeaders.join(''),
    signedHeaders,
    payloadHash,
  ].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const stringToSign = [ALGORITHM, longDate, scope, sha256Hex(canonicalRequest)].join('\n');

  const secret = secretOf(accessKeyId);
  if (secret === undefined) {
    return fail('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  }
  const expected = createHmac('sha256', signingKey(secret, date, region, service))
    .update(stringToSign)
    .digest();
  if (!sameSignature(expected, signature)) {
    return fail(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  if (s3 && HEX_SHA256.test(payloadHash) && request.body !== undefined && sha256Hex(request.body) !== payloadHash) {
    return fail(
      'XAmzContentSHA256Mismatch',
      "The provided 'x-amz-content-sha256' header does not match what was computed.",
    );
  }
  return { ok: true, accessKeyId, region, service, payloadHash };
}

export interface PostPolicyFields {
  policy: string;
  'x-amz-credential': string;
  'x-amz-date': string;
  'x-amz-signature': string;
  'x-amz-algorithm': string;
}

/**
 * Verifies the signature of a presigned POST form: an HMAC of the base64 policy itself, and the
 * policy's expiration. The policy's conditions on the other fields are the caller's to enforce.
 */
export function verifyPostPolicySignature(
  fields: PostPolicyFields,
  secretOf: SecretOf,
  options: VerifyOptions = {},
): Verified {
  const now = options.now ?? new Date();
  if (fields['x-amz-algorithm'] !== ALGORITHM) {
    return fail('InvalidArgument', `X-Amz-Algorithm only supports '${ALGORITHM}'.`);
  }
  const credential = parseCredential(fields['x-amz-credential']);
  if (credential === undefined) return fail('InvalidArgument', 'X-Amz-Credential is malformed.');
  const { accessKeyId, date, region, service } = credential;
  const longDate = fields['x-amz-date'];
  if (parseLongDate(longDate) === undefined || longDate.slice(0, 8) !== date) {
    return fail('InvalidArgument', 'X-Amz-Date must be an ISO8601 basic date on the credential scope date.');
  }
  if (service !== 's3' || (options.service !== undefined && service !== options.service)) {
    return fail('InvalidArgument', `Credential should be scoped to correct service: '${options.service ?? 's3'}'.`);
  }
  if (options.region !== undefined && region !== options.region) {
    return fail('InvalidArgument', `Credential should be scoped to a valid region, not '${region}'.`);
  }
  if (!/^[0-9a-f]{64}$/.test(fields['x-amz-signature']))
    return fail('InvalidArgument', 'X-Amz-Signature is malformed.');
  const secret = secretOf(accessKeyId);
  if (secret === undefined) {
    return fail('InvalidAccessKeyId', 'The AWS Access Key Id you provided does not exist in our records.');
  }
  const expected = createHmac('sha256', signingKey(secret, date, region, service))
    .update(fields.policy)
    .digest();
  if (!sameSignature(expected, fields['x-amz-signature'])) {
    return fail(
      'SignatureDoesNotMatch',
      'The request signature we calculated does not match the signature you provided.',
    );
  }
  // Read only once the signature holds: until then the policy is anyone's text.
  const expiration = policyExpiration(fields.policy);
  if (expiration === undefined) return fail('InvalidArgument', 'The policy has no valid expiration.');
  if (now.getTime() > expiration) return fail('AccessDenied', 'Invalid according to Policy: Policy expired.');
  return { ok: true, accessKeyId, region, service, payloadHash: UNSIGNED_PAYLOAD };
}

interface ParsedAuth {
  query: boolean;
  accessKeyId: string;
  date: string;
  region: string;
  service: string;
  longDate: string;
  signedHeaders: string;
  signature: string;
  expiresSeconds: number;
}

function parseHeaderAuth(authorization: string, headers: SignedRequest['headers']): ParsedAuth | Failure {
  const match = AUTHORIZATION.exec(authorization);
  if (match === null) {
    return authorization.startsWith(`${ALGORITHM} `)
      ? fail('IncompleteSignature', 'The Authorization header is malformed.')
      : fail('IncompleteSignature', 'Unsupported Authorization Type.');
  }
  const [, credentialText = '', signedHeaders = '', signature = ''] = match;
  const credential = parseCredential(credentialText);
  if (credential === undefined)
    return fail('IncompleteSignature', `Authorization header requires a valid Credential; got '${credentialText}'.`);
  const problem = signedHeadersProblem(signedHeaders) ?? signatureProblem(signature);
  if (problem !== undefined) return fail('IncompleteSignature', problem);
  const longDate = single(headers['x-amz-date']);
  if (longDate === undefined) return fail('AccessDenied', 'AWS authentication requires a valid x-amz-date header.');
  return { query: false, ...credential, longDate, signedHeaders, signature, expiresSeconds: 0 };
}

function parseQueryAuth(query: [string, string][]): ParsedAuth | Failure {
  const wanted = [
    'X-Amz-Algorithm',
    'X-Amz-Credential',
    'X-Amz-Date',
    'X-Amz-Expires',
    'X-Amz-SignedHeaders',
    'X-Amz-Signature',
  ];
  const values = new Map<string, string>();
  for (const [name, value] of query) {
    if (!wanted.includes(name)) continue;
    if (values.has(name)) return fail('AuthorizationQueryParametersError', `${name} is given more than once.`);
    values.set(name, value);
  }
  const missing = wanted.filter((name) => !values.has(name));
  if (missing.length > 0) {
    return fail('AuthorizationQueryParametersError', `Query-string authentication requires ${missing.join(', ')}.`);
  }
  const get = (name: string) => values.get(name) ?? '';
  if (get('X-Amz-Algorithm') !== ALGORITHM) {
    return fail('AuthorizationQueryParametersError', `X-Amz-Algorithm only supports '${ALGORITHM}'.`);
  }
  const credential = parseCredential(get('X-Amz-Credential'));
  if (credential === undefined) return fail('AuthorizationQueryParametersError', 'X-Amz-Credential is malformed.');
  const expires = get('X-Amz-Expires');
  const expiresSeconds = /^\d{1,7}$/.test(expires) ? Number(expires) : Number.NaN;
  if (!(expiresSeconds >= 1 && expiresSeconds <= MAX_EXPIRES_SECONDS)) {
    return fail('AuthorizationQueryParametersError', 'X-Amz-Expires must be a number of seconds from 1 to 604800.');
  }
  const signedHeaders = get('X-Amz-SignedHeaders');
  const signature = get('X-Amz-Signature');
  const problem = signedHeadersProblem(signedHeaders) ?? signatureProblem(signature);
  if (problem !== undefined) return fail('AuthorizationQueryParametersError', problem);
  return { query: true, ...credential, longDate: get('X-Amz-Date'), signedHeaders, signature, expiresSeconds };
}

function parseCredential(
  text: string,
): { accessKeyId: string; date: string; region: string; service: string } | undefined {
  const parts = text.split('/');
  if (parts.length !== 5) return undefined;
  const [accessKeyId = '', date = '', region = '', service = '', terminator] = parts;
  if (accessKeyId === '' || !/^\d{8}$/.test(date) || region === '' || service === '' || terminator !== 'aws4_request') {
    return undefined;
  }
  return { accessKeyId, date, region, service };
}

function signedHeadersProblem(signedHeaders: string): string | undefined {
  if (!SIGNED_HEADERS.test(signedHeaders))
    return `SignedHeaders must be lower-case names separated by ';'; got '${signedHeaders}'.`;
  const names = signedHeaders.split(';');
  // Sorted and unique, as every signer writes them: anything else is a hand-made header.
  for (let i = 1; i < names.length; i++) {
    if (compare(names[i - 1] ?? '', names[i] ?? '') >= 0)
      return `SignedHeaders must be sorted and unique; got '${signedHeaders}'.`;
  }
  return undefined;
}

function signatureProblem(signature: string): string | undefined {
  return HEX_SHA256.test(signature) ? undefined : 'Signature must be 64 lower-case hexadecimal digits.';
}

function parseLongDate(text: string): number | undefined {
  const match = LONG_DATE.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  const time = Date.UTC(year ?? 0, (month ?? 0) - 1, day, hour, minute, second);
  // Date.UTC rolls 20260231 over into March; a date that does not round-trip is not a date.
  const roundTrip = new Date(time).toISOString().replace(/[-:]|\.\d{3}/g, '');
  return roundTrip === text ? time : undefined;
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? (value.length === 1 ? value[0] : undefined) : value;
}

function canonicalHeaderValue(value: string | string[]): string {
  const values = Array.isArray(value) ? value : [value];
  return values.map((one) => one.trim().replace(/\s+/g, ' ')).join(',');
}

/** Name-value pairs decoded; undefined when a percent-escape is broken. */
function parseQuery(rawQuery: string): [string, string][] | undefined {
  const pairs: [string, string][] = [];
  for (const piece of rawQuery.split('&')) {
    if (piece === '') continue;
    const equals = piece.indexOf('=');
    const name = decodeQueryComponent(equals === -1 ? piece : piece.slice(0, equals));
    const value = decodeQueryComponent(equals === -1 ? '' : piece.slice(equals + 1));
    if (name === undefined || value === undefined) return undefined;
    pairs.push([name, value]);
  }
  return pairs;
}

function decodeQueryComponent(text: string): string | undefined {
  // A bare '+' is a space to the stores behind the front (form decoding), so it is signed as one.
  return decode(text.replace(/\+/g, ' '));
}

function decode(text: string): string | undefined {
  try {
    return decodeURIComponent(text);
  } catch {
    return undefined;
  }
}

/** RFC 3986 percent-encoding of everything but the unreserved characters, in UTF-8. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * S3 signs the path as the client sent it: each segment encoded once, empty segments and dot
 * segments kept, since they are part of object keys. Decoding and re-encoding each segment gives
 * that form whatever escapes the client chose for unreserved characters.
 */
function s3CanonicalUri(rawPath: string): string | undefined {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    const decoded = decode(segment);
    if (decoded === undefined) return undefined;
    segments.push(uriEncode(decoded));
  }
  const path = segments.join('/');
  return path === '' ? '/' : path;
}

/**
 * Every other service normalises the path (no empty or dot segments) and then encodes the path
 * as sent once more, so an escape such as %20 is signed as %2520.
 */
function normalisedCanonicalUri(rawPath: string): string {
  const segments: string[] = [];
  for (const segment of rawPath.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') segments.pop();
    else segments.push(segment);
  }
  const trailing = segments.length > 0 && rawPath.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

function policyExpiration(policy: string): number | undefined {
  try {
    const document: unknown = JSON.parse(Buffer.from(policy, 'base64').toString('utf8'));
    if (typeof document !== 'object' || document === null || !('expiration' in document)) return undefined;
    const { expiration } = document;
    if (typeof expiration !== 'string') return undefined;
    const time = Date.parse(expiration);
    return Number.isNaN(time) ? undefined : time;
  } catch {
    return undefined;
  }
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function sameSignature(expected: Buffer, hex: string): boolean {
  const given = Buffer.from(hex, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
