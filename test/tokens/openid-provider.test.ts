import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, request as httpsRequest } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { downloadFileDocumentHandler, enrollmentPhotoHandler, readSettings } from '@identities/aws';
import {
  claimAt,
  discoveredKeySet,
  enrollmentPhotoKey,
  makeAuthenticator,
  PERMISSIONS,
  toHttpRequest,
} from '@identities/core';
import { decodeProtectedHeader, exportJWK, generateKeyPair, type JWK } from 'jose';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTls } from '../../packages/local/src/tls.ts';
import { apiEvent, invoke } from '../support/lambda.ts';
import { jpegBytes, putObject, roleStore } from '../support/storage.ts';

/*
 * A certified OpenID Provider (oidc-provider) on loopback over HTTPS, issuing client-credentials access
 * tokens as JWTs (RFC 9068, through resource indicators), and the functions verifying them from its
 * issuer URL alone, by discovery. Its certificate is trusted through JWT_TRUSTED_CA, never by turning
 * verification off.
 */
const AUDIENCE = 'urn:identities:api';
const CLIENT = { client_id: 'ingest-service', client_secret: randomUUID() };
const READER = `realm-reader-${randomUUID().slice(0, 8)}`;

const certDir = await mkdtemp(join(tmpdir(), 'identities-oidc-'));
const tls = await loadTls('self-signed', certDir, ['127.0.0.1']);
afterAll(() => rm(certDir, { recursive: true, force: true }));

async function signingKey(kid: string): Promise<JWK> {
  const { privateKey } = await generateKeyPair('RS256', { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
}

type Listener = (request: IncomingMessage, response: ServerResponse) => void;

/** One provider on its own HTTPS port; what answers behind it can be swapped (a rotation, an outage). */
async function startProvider() {
  let current: Listener = (_, response) => response.writeHead(503).end();
  const server = createServer({ cert: tls.cert, key: tls.key }, (request, response) => current(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const serve = (keys: readonly JWK[]) => {
    const provider = new Provider(issuer, {
      clients: [{ ...CLIENT, grant_types: ['client_credentials'], redirect_uris: [], response_types: [] }],
      jwks: { keys: [...keys] },
      cookies: { keys: [randomUUID()] },
      ttl: { ClientCredentials: 300 },
      features: {
        devInteractions: { enabled: false },
        clientCredentials: { enabled: true },
        resourceIndicators: {
          enabled: true,
          defaultResource: () => AUDIENCE,
          useGrantedResource: () => true,
          getResourceServerInfo: () => ({
            scope: 'files',
            audience: AUDIENCE,
            accessTokenTTL: 300,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'RS256' } },
          }),
        },
      },
      // Keycloak's place for realm roles.
      extraTokenClaims: () => ({ realm_access: { roles: [READER, 'offline_access'] } }),
    });
    current = provider.callback();
  };
  return {
    issuer,
    serve,
    down: () => {
      current = (request) => request.socket.destroy();
    },
    answer: (listener: Listener) => {
      current = listener;
    },
    /** A client-credentials access token, as the service would request one. */
    async accessToken(): Promise<string> {
      const body = new URLSearchParams({ grant_type: 'client_credentials', ...CLIENT }).toString();
      const answer = await new Promise<string>((resolve, reject) => {
        const post = httpsRequest(
          `${issuer}/token`,
          { method: 'POST', ca: tls.cert, headers: { 'content-type': 'application/x-www-form-urlencoded' } },
          (response) => {
            let text = '';
            response.on('data', (chunk: Buffer) => {
              text += chunk.toString('utf8');
            });
            response.on('end', () => (response.statusCode === 200 ? resolve(text) : reject(new Error(text))));
          },
        );
        post.on('error', reject);
        post.end(body);
      });
      return (JSON.parse(answer) as { access_token: string }).access_token;
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const provider = await startProvider();
const other = await startProvider();
afterAll(() => Promise.all([provider.close(), other.close()]));
const firstKey = await signingKey('key-1');
provider.serve([firstKey]);

const faceId = `oidc-${randomUUID()}`;
beforeAll(async () => {
  await putObject(enrollmentPhotoKey(faceId), jpegBytes());
  await roleStore.put({ name: READER, permissions: [PERMISSIONS.readFiles] });
});

/** The functions of a stage pointed at the provider by its issuer URL alone. */
function stage(issuer: string) {
  const settings = readSettings({
    ...process.env,
    JWT_JWKS: '',
    JWT_ISSUER: '',
    JWT_OIDC_ISSUER: issuer,
    JWT_AUDIENCE: AUDIENCE,
    JWT_ROLES_CLAIM: 'realm_access.roles',
    JWT_TRUSTED_CA: tls.cert,
    TOKEN_CACHE_SECONDS: '0',
  });
  return { photo: enrollmentPhotoHandler(settings), download: downloadFileDocumentHandler(settings) };
}
const photo = (handler: ReturnType<typeof stage>['photo'], jwt: string) =>
  invoke(
    handler,
    apiEvent({ path: `/api/v1/people/enrollmentPhoto/${faceId}`, headers: { Authorization: `Bearer ${jwt}` } }),
  );

describe('an OpenID provider, by its issuer URL alone', () => {
  const functions = stage(provider.issuer);

  it("serves a client-credentials access token (at+jwt), its keys found through the provider's discovery", async () => {
    const jwt = await provider.accessToken();
    expect(decodeProtectedHeader(jwt)).toMatchObject({ typ: 'at+jwt', alg: 'RS256', kid: 'key-1' });
    const response = await photo(functions.photo, jwt);
    expect(response.statusCode).toBe(200);
  });

  it('grants the permissions of the roles at the configured claim path (realm_access.roles)', async () => {
    const jwt = await provider.accessToken();
    const claims = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString('utf8'));
    expect(claimAt(claims, 'realm_access.roles')).toContain(READER);
    // Any document of an unknown person: past authorisation, a 404 (not a 403) shows the permission held.
    const response = await invoke(
      functions.download,
      apiEvent({
        path: `/api/v1/people/${randomUUID()}/fileDocuments/none/data`,
        headers: { Authorization: `Bearer ${jwt}` },
      }),
    );
    expect(response.statusCode).toBe(404);
  });

  it("refuses a token from a second provider that signs with the same kid, and the second provider's own", async () => {
    other.serve([await signingKey('key-1')]);
    const foreign = await other.accessToken();
    expect(decodeProtectedHeader(foreign).kid).toBe('key-1');
    const response = await photo(functions.photo, foreign);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
  });
});

describe("following the provider's keys", () => {
  it('follows a key rotation at the provider without a restart', async () => {
    let clock = Date.now();
    const keys = discoveredKeySet(provider.issuer, undefined, { ca: tls.cert, now: () => clock });
    const auth = makeAuthenticator({ keys, issuer: provider.issuer, audience: AUDIENCE });
    const check = async (jwt: string) =>
      (
        await auth.authenticate(
          toHttpRequest(
            apiEvent({ path: '/api/v1/people/enrollmentPhoto/x', headers: { Authorization: `Bearer ${jwt}` } }),
          ),
        )
      ).subject;
    provider.serve([firstKey]);
    expect(await check(await provider.accessToken())).toBe(CLIENT.client_id);

    // The provider signs with a new key and retires the old one; past the refetch cooldown, the
    // verifier fetches the key set again on meeting the new key id.
    provider.serve([await signingKey('key-2')]);
    const rotated = await provider.accessToken();
    expect(decodeProtectedHeader(rotated).kid).toBe('key-2');
    clock += 31_000;
    expect(await check(rotated)).toBe(CLIENT.client_id);
    provider.serve([firstKey]);
  });

  it('answers 503 with Retry-After while the provider cannot be reached, then verifies once it answers', async () => {
    provider.serve([firstKey]);
    const jwt = await provider.accessToken();
    // Down before the functions start: they have never seen a key.
    provider.down();
    const functions = stage(provider.issuer);
    const refused = await photo(functions.photo, jwt);
    expect(refused.statusCode).toBe(503);
    expect(refused.headers['retry-after']).toBeDefined();
    provider.serve([firstKey]);
    expect((await photo(functions.photo, jwt)).statusCode).toBe(200);
    // Keys in hand keep verifying while the provider is down again.
    provider.down();
    expect((await photo(functions.photo, jwt)).statusCode).toBe(200);
    provider.serve([firstKey]);
  });

  it('refuses a discovery document that names another issuer, or a plain-http jwks_uri, with 503', async () => {
    const jwt = await provider.accessToken();
    for (const document of [
      { issuer: other.issuer, jwks_uri: `${provider.issuer}/jwks` },
      { issuer: provider.issuer, jwks_uri: `http://127.0.0.1:1/jwks` },
    ]) {
      provider.answer((_, response) => {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(document));
      });
      const functions = stage(provider.issuer);
      const response = await photo(functions.photo, jwt);
      expect(response.statusCode).toBe(503);
    }
    provider.serve([firstKey]);
  });

  it('refuses an issuer that is not an https URL, at start', () => {
    for (const issuer of ['http://127.0.0.1:1', 'https://login.example/?tenant=x', 'not a url']) {
      expect(() => stage(issuer)).toThrow(/JWT_OIDC_ISSUER/);
    }
  });

  it('verifies nothing without the trusted CA: the certificate is checked, not skipped', async () => {
    const keys = discoveredKeySet(provider.issuer);
    const auth = makeAuthenticator({ keys, issuer: provider.issuer, audience: AUDIENCE });
    const jwt = await provider.accessToken();
    await expect(
      auth.authenticate(
        toHttpRequest(
          apiEvent({ path: '/api/v1/people/enrollmentPhoto/x', headers: { Authorization: `Bearer ${jwt}` } }),
        ),
      ),
    ).rejects.toMatchObject({ statusCode: 503 });
  });
});
