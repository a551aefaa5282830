import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describeError, type Logger } from '@identities/core';
import { isAllowed } from './iam.ts';
import { LOCAL_ACCOUNT, type Principal, type Principals } from './principals.ts';
import { verifySigV4 } from './sigv4.ts';
import {
  dynamoAuthorization,
  isDeleteObjects,
  MAX_DELETE_OBJECTS_BYTES,
  type StoreAuthorization,
  s3Authorization,
} from './store-requests.ts';

/** Which protocol a front speaks, so that refusals read as the real service's. */
export type StoreService = 's3' | 'dynamodb';

/** DynamoDB requests are JSON: an item is 400 KB at most; this service writes one item a request. */
const MAX_DYNAMODB_BODY_BYTES = 1024 * 1024;
/** Connections a store front accepts at once. */
export const MAX_STORE_CONNECTIONS = 512;

/**
 * An embedded store behind a front that lets through only requests signed (AWS Signature Version 4)
 * with one of the install's keys (its own, or one of its principals', all derived from it): the
 * stand-ins themselves accept anonymous requests, and listen nowhere. The front listens on loopback
 * only; without the key, which lives in the owner-only data dir, nothing reaches the data. Each
 * verified request is then authorised, as IAM would, against its principal's policy.
 */
export function storeFront(options: {
  readonly service: StoreService;
  readonly handler: RequestListener;
  readonly principals: Principals;
  readonly region: string;
  readonly logger?: Logger | undefined;
  /** Whether an object exists (S3 only): a read of a missing key may be denied instead of answered 404. */
  readonly objectExists?: (bucket: string, key: string) => Promise<boolean>;
  /** The table's partition key attribute, whose values are `dynamodb:LeadingKeys`. */
  readonly partitionKey?: string;
}): RequestListener {
  const { service, handler, principals, region, logger } = options;
  const secretOf = (accessKeyId: string) => principals.byAccessKey(accessKeyId)?.credentials.secretAccessKey;
  const authorise = (principal: Principal, request: IncomingMessage, body: Buffer | undefined) =>
    authoriseRequest(principal, request, body, options);

  return async (request, response) => {
    try {
      // A body is read (DynamoDB's, to check the hash the signature covers) only for a caller naming one of
      // the install's keys: anyone else is refused before a byte of it is held.
      if (service === 'dynamodb' && principals.byAccessKey(namedKey(request.headers.authorization)) === undefined) {
        logger?.log('warn', 'store request refused', {
          service,
          method: request.method,
          code: 'UnrecognizedClientException',
          sourceIp: request.socket.remoteAddress,
        });
        response.setHeader('Connection', 'close');
        return refuse(
          service,
          response,
          400,
          'InvalidAccessKeyId',
          'The security token included in the request is invalid.',
        );
      }
      // DeleteObjects names its keys in its body: read (bounded) to authorise each, for a named key only.
      const deletesMany = service === 's3' && isDeleteObjects(request.method ?? '', request.url ?? '/');
      if (deletesMany && principals.byAccessKey(namedKey(request.headers.authorization)) === undefined) {
        return refuse(service, response, 403, 'AccessDenied', 'Access Denied');
      }
      const body =
        service === 'dynamodb'
          ? await readAll(request, MAX_DYNAMODB_BODY_BYTES)
          : deletesMany
            ? await readAll(request, MAX_DELETE_OBJECTS_BYTES)
            : undefined;
      if (body === 'too-large') return refuse(service, response, 413, 'RequestEntityTooLarge', 'Request too large.');
      const verified = verifySigV4(
        { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body },
        secretOf,
        { service, region },
      );
      if (!verified.ok) {
        logger?.log('warn', 'store request refused', {
          service,
          method: request.method,
          code: verified.code,
          sourceIp: request.socket.remoteAddress,
        });
        // S3 calls an unsigned request anonymous, and refuses anonymous access to a private bucket.
        const code =
          service === 's3' && verified.code === 'MissingAuthenticationToken' ? 'AccessDenied' : verified.code;
        return refuse(service, response, service === 's3' ? 403 : 400, code, verified.message);
      }
      const principal = principals.byAccessKey(verified.accessKeyId);
      const denial = principal === undefined ? 'unknown key' : await authorise(principal, request, body);
      if (denial !== undefined) {
        logger?.log('warn', 'store request denied', {
          service,
          method: request.method,
          principal: principal?.name,
          code: 'AccessDenied',
          denied: denial,
        });
        return service === 's3'
          ? refuse(service, response, 403, 'AccessDenied', denial)
          : refuse(service, response, 400, 'AccessDeniedException', denial);
      }
      // Verified here: the stand-in, which knows only its own fixed key, must not check again.
      if (service === 's3') stripAuthentication(request);
      handler(body === undefined ? request : replay(request, body), response);
    } catch (error) {
      logger?.log('error', 'store front failed', { service, error: describeError(error) });
      if (!response.headersSent) refuse(service, response, 500, 'InternalError', 'The store failed.');
      else response.destroy();
    }
  };
}

/** Serves a store front on a loopback port, with bounded timeouts; resolves with its endpoint. */
export async function listenOnLoopback(server: Server, host: string): Promise<string> {
  server.headersTimeout = 20_000;
  server.requestTimeout = 300_000;
  server.keepAliveTimeout = 5_000;
  // The server's own clients keep a few connections each; nobody else should hold any.
  server.maxConnections = MAX_STORE_CONNECTIONS;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  return `http://${host}:${(server.address() as AddressInfo).port}`;
}

/** The access key an Authorization header claims (its signature is checked later), or ''. */
function namedKey(authorization: string | undefined): string {
  return /^AWS4-HMAC-SHA256 Credential=([A-Z0-9]{16,128})\//.exec(authorization ?? '')?.[1] ?? '';
}

/**
 * Why IAM would deny the request to its principal, in AWS's words, or undefined when it allows it.
 * Every action the operation needs must be allowed (a copy's read and write). A read of a missing key
 * is denied unless the principal may list the bucket with `s3:prefix` set to that key, as S3 does.
 */
async function authoriseRequest(
  principal: Principal,
  request: IncomingMessage,
  body: Buffer | undefined,
  scope: {
    readonly service: StoreService;
    readonly region: string;
    readonly objectExists?: (bucket: string, key: string) => Promise<boolean>;
    readonly partitionKey?: string;
  },
): Promise<string | undefined> {
  const policy = principal.policy;
  if (policy === undefined) return undefined;
  const authorization: StoreAuthorization =
    scope.service === 's3'
      ? s3Authorization(request.method ?? 'GET', request.url ?? '/', request.headers, body)
      : dynamoAuthorization(headerValue(request.headers['x-amz-target']), body ?? Buffer.alloc(0), {
          region: scope.region,
          account: LOCAL_ACCOUNT,
          partitionKey: scope.partitionKey ?? 'pk',
        });
  const who = `User: arn:aws:sts::${LOCAL_ACCOUNT}:assumed-role/${principal.name}/local`;
  if (authorization.kind === 'unknown') {
    return `${who} is not authorized to perform ${authorization.operation}: no identity-based policy allows it`;
  }
  for (const wanted of authorization.requests) {
    if (!isAllowed(policy, wanted)) {
      return `${who} is not authorized to perform: ${wanted.action} on resource: ${wanted.resource} because no identity-based policy allows the ${wanted.action} action`;
    }
  }
  const read = authorization.reads;
  if (read === undefined || scope.objectExists === undefined) return undefined;
  const listing = {
    action: 's3:ListBucket',
    resource: `arn:aws:s3:::${read.bucket}`,
    context: { 's3:prefix': read.key },
  };
  if (isAllowed(policy, listing) || (await scope.objectExists(read.bucket, read.key))) return undefined;
  return `${who} is not authorized to perform: s3:ListBucket on resource: ${listing.resource} because no identity-based policy allows the s3:ListBucket action`;
}

const headerValue = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

async function readAll(request: IncomingMessage, limit: number): Promise<Buffer | 'too-large'> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return 'too-large';
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

const QUERY_AUTH = /^x-amz-(algorithm|credential|date|expires|signedheaders|signature|security-token)$/i;

function stripAuthentication(request: IncomingMessage): void {
  delete request.headers.authorization;
  const url = new URL(request.url ?? '/', 'http://store');
  const names = [...url.searchParams.keys()].filter((name) => QUERY_AUTH.test(name));
  if (names.length === 0) return;
  for (const name of names) url.searchParams.delete(name);
  request.url = `${url.pathname}${url.search}`;
}

/** The request again, its body already read: what the DynamoDB stand-in reads its input from. */
function replay(request: IncomingMessage, body: Buffer): IncomingMessage {
  const copy = Readable.from(body.length === 0 ? [] : [body]) as Readable & Partial<IncomingMessage>;
  return Object.assign(copy, {
    headers: request.headers,
    method: request.method,
    url: request.url,
    socket: request.socket,
  }) as unknown as IncomingMessage;
}

/** A refusal as the real service words it: S3's XML error, DynamoDB's JSON `__type`. */
function refuse(service: StoreService, response: ServerResponse, status: number, code: string, message: string) {
  const requestId = randomUUID();
  const body =
    service === 's3'
      ? `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message><RequestId>${requestId}</RequestId></Error>`
      : JSON.stringify({ __type: `com.amazon.coral.service#${dynamoCode(code)}`, message });
  response.writeHead(status, {
    'Content-Type': service === 's3' ? 'application/xml' : 'application/x-amz-json-1.0',
    'Content-Length': Buffer.byteLength(body),
    ...(service === 's3' ? { 'x-amz-request-id': requestId } : { 'x-amzn-RequestId': requestId }),
  });
  response.end(body);
}

function dynamoCode(code: string): string {
  if (code === 'InvalidAccessKeyId') return 'UnrecognizedClientException';
  if (code === 'SignatureDoesNotMatch') return 'InvalidSignatureException';
  if (code === 'RequestTimeTooSkewed') return 'InvalidSignatureException';
  return code;
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (char) => `&#${char.charCodeAt(0)};`);
}
