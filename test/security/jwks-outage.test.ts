import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { authenticatorFromEnv } from '@identities/aws';
import {
  type Authenticator,
  localKeySet,
  makeAuthenticator,
  makeDownloadFileDocumentHandler as makeDownload,
  makeLogger,
  PERMISSIONS,
  remoteKeySet,
} from '@identities/core';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterEach, describe, expect, it } from 'vitest';
import { apiEvent, invoke } from '../support/lambda.ts';
import { auditRecorder, documentStore, newPersonId, objectStore } from '../support/storage.ts';
import { AUDIENCE, ISSUER } from '../support/tokens.ts';
import { expectProblem } from './support.ts';

const issuerKeys = await generateKeyPair('RS256', { extractable: true });
const issuerJwk = { ...(await exportJWK(issuerKeys.publicKey)), kid: 'issuer-1', alg: 'RS256' };

/** A token the issuer behind the JWKS URL really signed: only the key set's availability is in question. */
const issuerToken = () =>
  new SignJWT({ permissions: [PERMISSIONS.readFiles] })
    .setProtectedHeader({ alg: 'RS256', kid: 'issuer-1' })
    .setSubject('user-1')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(issuerKeys.privateKey);

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
});

/** A JWKS endpoint on 127.0.0.1 that behaves as given; counts the requests it gets. */
async function jwksEndpoint(behaviour: (response: ServerResponse, request: IncomingMessage) => void) {
  let requests = 0;
  const server = createServer((request, response) => {
    requests++;
    behaviour(response, request);
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = new URL(`http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`);
  return { url, requests: () => requests };
}

const neverAnswers = () => undefined;

const downloadWith = (auth: Authenticator) =>
  makeDownload({
    auth,
    objects: objectStore,
    documents: documentStore,
    audit: auditRecorder,
    logger: makeLogger('silent'),
  });

/** One document download with the token, timed. */
async function timedDownload(auth: Authenticator) {
  const handler = downloadWith(auth);
  const event = apiEvent({
    path: `/api/v1/people/${newPersonId()}/fileDocuments/doc-1/data`,
    headers: { Authorization: `Bearer ${await issuerToken()}` },
  });
  const started = performance.now();
  const response = await invoke(handler, event);
  return { response, elapsedMs: performance.now() - started };
}

function expectRetryLater(response: Awaited<ReturnType<typeof timedDownload>>['response']) {
  const problem = expectProblem(response, 503);
  // A 5xx shows no internals: not the key set's address, not the fetch error.
  expect(JSON.stringify(problem)).not.toMatch(/127\.0\.0\.1|jwks|timed? ?out|abort/i);
  expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
  expect(response.headers['www-authenticate']).toBeUndefined();
}

describe('a JWKS endpoint that is slow, with no key cached', () => {
  it('answers 503 with Retry-After within the 3 s fetch timeout the functions are configured with, when the endpoint never answers', async () => {
    const endpoint = await jwksEndpoint(neverAnswers);
    // The functions' own wiring: JWT_JWKS_URL read by authenticatorFromEnv, default timeout.
    const auth = authenticatorFromEnv({ JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE, JWT_JWKS_URL: endpoint.url.href });
    const { response, elapsedMs } = await timedDownload(auth);
    expectRetryLater(response);
    expect(elapsedMs).toBeLessThan(4500);
    expect(endpoint.requests()).toBe(1);
  });

  it('answers 503 when the key set arrives only after the timeout', async () => {
    const endpoint = await jwksEndpoint((response) => {
      setTimeout(() => {
        if (!response.destroyed) response.writeHead(200).end(JSON.stringify({ keys: [issuerJwk] }));
      }, 1500);
    });
    const auth = makeAuthenticator({
      keys: remoteKeySet(endpoint.url, ['RS256'], { timeoutMs: 300 }),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const { response, elapsedMs } = await timedDownload(auth);
    expectRetryLater(response);
    expect(elapsedMs).toBeLessThan(1200);
  });

  it('answers 503 when the endpoint sends its headers and then stalls in the body', async () => {
    const endpoint = await jwksEndpoint((response) => {
      response.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '4096' });
      response.write('{"keys":[');
    });
    const auth = makeAuthenticator({
      keys: remoteKeySet(endpoint.url, ['RS256'], { timeoutMs: 300 }),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const { response, elapsedMs } = await timedDownload(auth);
    expectRetryLater(response);
    expect(elapsedMs).toBeLessThan(1200);
  });

  it('answers every one of a burst of concurrent requests with 503 in bounded time, asking the endpoint once', async () => {
    const endpoint = await jwksEndpoint(neverAnswers);
    const auth = makeAuthenticator({
      keys: remoteKeySet(endpoint.url, ['RS256'], { timeoutMs: 300 }),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    const started = performance.now();
    const results = await Promise.all(Array.from({ length: 8 }, () => timedDownload(auth)));
    for (const { response } of results) expectRetryLater(response);
    expect(performance.now() - started).toBeLessThan(1500);
    expect(endpoint.requests()).toBe(1);
  });

  it('verifies once the endpoint answers in time again (the outage was not cached as a failure)', async () => {
    let slow = true;
    const endpoint = await jwksEndpoint((response) => {
      if (slow) return;
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [issuerJwk] }));
    });
    const auth = makeAuthenticator({
      keys: remoteKeySet(endpoint.url, ['RS256'], { timeoutMs: 300 }),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    expectRetryLater((await timedDownload(auth)).response);
    slow = false;
    // The token is genuine: past authentication, the document simply does not exist.
    expect((await timedDownload(auth)).response.statusCode).toBe(404);
  });
});

describe('whether the keys are in hand (the on-prem server reports it at /readyz)', () => {
  it('is not while the JWKS endpoint is down, and is once it answers', async () => {
    let up = false;
    const endpoint = await jwksEndpoint((response) => {
      if (!up) {
        response.writeHead(503).end();
        return;
      }
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [issuerJwk] }));
    });
    const auth = makeAuthenticator({
      keys: remoteKeySet(endpoint.url, ['RS256'], { timeoutMs: 500 }),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    await expect(auth.ready()).rejects.toMatchObject({ statusCode: 503 });
    up = true;
    await expect(auth.ready()).resolves.toBeUndefined();
    const fetches = endpoint.requests();
    // Once in hand, asking again fetches nothing.
    await auth.ready();
    expect(endpoint.requests()).toBe(fetches);
  });

  it('always is for keys given inline', async () => {
    const auth = makeAuthenticator({
      keys: localKeySet({ keys: [issuerJwk] }, ['RS256']),
      issuer: ISSUER,
      audience: AUDIENCE,
    });
    await expect(auth.ready()).resolves.toBeUndefined();
  });
});
