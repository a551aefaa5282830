import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { describeError, type Logger } from '@identities/core';
import type { StoreCredentials } from './credentials.ts';
import { verifySigV4 } from './sigv4.ts';

/** Which protocol a front speaks, so that refusals read as the real service's. */
export type StoreService = 's3' | 'dynamodb';

/** DynamoDB requests are JSON: an item is 400 KB at most; this service writes one item a request. */
const MAX_DYNAMODB_BODY_BYTES = 1024 * 1024;
/** Connections a store front accepts at once. */
export const MAX_STORE_CONNECTIONS = 512;

/**
 * An embedded store behind a front that lets through only requests signed (AWS Signature Version 4)
 * with the install's own key: the stand-ins themselves accept anonymous requests, and listen nowhere.
 * The front listens on loopback only; without the key, which lives in the owner-only data dir, nothing
 * reaches the data.
 */
export function storeFront(options: {
  readonly service: StoreService;
  readonly handler: RequestListener;
  readonly credentials: StoreCredentials;
  readonly region: string;
  readonly logger?: Logger | undefined;
}): RequestListener {
  const { service, handler, credentials, region, logger } = options;
  const secretOf = (accessKeyId: string) =>
    accessKeyId === credentials.accessKeyId ? credentials.secretAccessKey : undefined;

  return async (request, response) => {
    try {
      // A body is read (DynamoDB's, to check the hash the signature covers) only for a caller naming the
      // install's key: anyone else is refused before a byte of it is held.
      if (service === 'dynamodb' && !namesKey(request.headers.authorization, credentials.accessKeyId)) {
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
      const body = service === 'dynamodb' ? await readAll(request, MAX_DYNAMODB_BODY_BYTES) : undefined;
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
      if (body === undefined) {
        // Verified here: the stand-in, which knows only its own fixed key, must not check again.
        stripAuthentication(request);
        handler(request, response);
      } else {
        handler(replay(request, body), response);
      }
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

/** Whether an Authorization header claims the given access key (its signature is checked later). */
function namesKey(authorization: string | undefined, accessKeyId: string): boolean {
  return authorization?.startsWith(`AWS4-HMAC-SHA256 Credential=${accessKeyId}/`) === true;
}

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
