import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  enrollmentPhotoKey,
  type HttpRequest,
  type KeySource,
  localKeySet,
  makeAuthenticator,
  PERMISSIONS,
  publicKeyPem,
  type RoleStore,
  remoteKeySet,
  sharedSecret,
  toHttpRequest,
} from '@identities/core';
import { exportJWK, exportSPKI, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { enrollmentPhoto } from './support/functions.ts';
import { apiEvent, invoke } from './support/lambda.ts';
import { jpegBytes, putObject, roleStore } from './support/storage.ts';
import { AUDIENCE, ISSUER, token } from './support/tokens.ts';

type KeyLike = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

const faceId = randomUUID();
const path = `/api/v1/people/enrollmentPhoto/${faceId}`;
beforeAll(() => putObject(enrollmentPhotoKey(faceId), jpegBytes()));

async function withAuthorization(value: string | string[] | undefined) {
  return invoke(enrollmentPhoto, apiEvent({ path, headers: value === undefined ? {} : { Authorization: value } }));
}

async function expect401(value: string | string[] | undefined, detail?: RegExp) {
  const response = await withAuthorization(value);
  expect(response.statusCode).toBe(401);
  expect(response.headers['www-authenticate']).toMatch(/^Bearer realm="identities"/);
  expect(response.headers['content-type']).toBe('application/problem+json');
  if (detail !== undefined) expect(String(response.json().detail)).toMatch(detail);
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('bearer token on the handlers', () => {
  it('accepts a valid token', async () => {
    expect((await withAuthorization(`Bearer ${await token()}`)).statusCode).toBe(200);
  });

  it('accepts the scheme in any case (RFC 9110)', async () => {
    expect((await withAuthorization(`bearer ${await token()}`)).statusCode).toBe(200);
    expect((await withAuthorization(`BEARER ${await token()}`)).statusCode).toBe(200);
  });

  it('answers 401 when the Authorization header is missing', async () => {
    await expect401(undefined, /required/);
  });

  it('answers 401 for another scheme', async () => {
    await expect401('Basic dXNlcjpwYXNz', /Bearer/);
  });

  it('answers 401 for "Bearer" with no token', async () => {
    await expect401('Bearer ');
    await expect401('Bearer');
  });

  it('answers 401 for a doubled "Bearer"', async () => {
    await expect401(`Bearer Bearer ${await token()}`);
  });

  it('answers 401 for a token that is not a JWT', async () => {
    await expect401('Bearer abc.def', /invalid/);
  });

  it('answers 401 for two Authorization headers', async () => {
    const jwt = await token();
    await expect401([`Bearer ${jwt}`, `Bearer ${jwt}`], /exactly one/);
  });

  it('answers 401 for an expired token', async () => {
    await expect401(`Bearer ${await token({ expiresIn: nowSeconds() - 120 })}`, /expired/);
  });

  it('accepts a token expired within the clock tolerance', async () => {
    expect((await withAuthorization(`Bearer ${await token({ expiresIn: nowSeconds() - 5 })}`)).statusCode).toBe(200);
  });

  it('answers 401 for a token not valid yet', async () => {
    await expect401(`Bearer ${await token({ claims: { nbf: nowSeconds() + 600 } })}`, /not valid yet/);
  });

  it('answers 401 for a token issued in the future', async () => {
    await expect401(`Bearer ${await token({ claims: { iat: nowSeconds() + 600 } })}`, /future/);
  });

  it('answers 401 for a token signed with another key', async () => {
    const { privateKey } = await generateKeyPair('ES256');
    const forged = await new SignJWT({})
      .setProtectedHeader({ alg: 'ES256', kid: 'test-key' })
      .setSubject('attacker')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime('5m')
      .sign(privateKey);
    await expect401(`Bearer ${forged}`, /invalid/);
  });

  it('answers 401 for a tampered payload', async () => {
    const [header, , signature] = (await token()).split('.');
    const payload = Buffer.from(JSON.stringify({ sub: 'admin', iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 300 }));
    await expect401(`Bearer ${header}.${payload.toString('base64url')}.${signature}`);
  });

  it('answers 401 for an unsigned token (alg none)', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify({ sub: 'x', iss: ISSUER, aud: AUDIENCE, exp: nowSeconds() + 300 }));
    await expect401(`Bearer ${header}.${payload.toString('base64url')}.`);
  });

  it('answers 401 for a token from another issuer', async () => {
    await expect401(`Bearer ${await token({ issuer: 'https://evil.example' })}`, /issuer/);
  });

  it('answers 401 for a token meant for another audience', async () => {
    await expect401(`Bearer ${await token({ audience: 'another-api' })}`, /audience/);
  });

  it('answers 401 for a token without an expiry', async () => {
    const jwt = await token();
    const parts = jwt.split('.');
    const payload = JSON.parse(Buffer.from(parts[1] ?? '', 'base64url').toString()) as JWTPayload;
    delete payload.exp;
    // Re-signing is impossible without the key: a token lacking exp fails as tampered or as missing exp.
    await expect401(`Bearer ${parts[0]}.${Buffer.from(JSON.stringify(payload)).toString('base64url')}.${parts[2]}`);
  });

  it('answers 401 for a token longer than 8 KB', async () => {
    await expect401(`Bearer ${await token({ claims: { padding: 'x'.repeat(9000) } })}`, /too long/);
  });

  it('never reveals the token in the problem body', async () => {
    const jwt = await token({ audience: 'another-api' });
    const response = await withAuthorization(`Bearer ${jwt}`);
    expect(response.body.toString()).not.toContain(jwt.split('.')[1] ?? '');
  });
});

const request = (authorization: string): HttpRequest =>
  toHttpRequest(apiEvent({ path, headers: { Authorization: `Bearer ${authorization}` } }));

async function signedWith(source: { key: KeyLike | Uint8Array; alg: string }, claims: JWTPayload = {}) {
  return new SignJWT(claims)
    .setProtectedHeader({ alg: source.alg, kid: 'k1' })
    .setSubject('user-1')
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(source.key);
}

const authenticator = (keys: KeySource, roles?: RoleStore, now?: () => number) =>
  makeAuthenticator({ keys, issuer: ISSUER, audience: AUDIENCE, ...(roles ? { roles } : {}), ...(now ? { now } : {}) });

describe('key sources', () => {
  let jwksServer: Server;
  let jwksUrl: URL;
  let rsa: { publicKey: KeyLike; privateKey: KeyLike };
  let jwksRequests = 0;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256', { extractable: true });
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256' };
    jwksServer = createServer((_, response) => {
      jwksRequests++;
      response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
    });
    await new Promise<void>((resolve) => jwksServer.listen(0, '127.0.0.1', resolve));
    jwksUrl = new URL(`http://127.0.0.1:${(jwksServer.address() as AddressInfo).port}/.well-known/jwks.json`);
  });
  afterAll(() => new Promise<void>((resolve) => jwksServer.close(() => resolve())));

  it('verifies through a JWKS URL, fetching the key set once per container', async () => {
    const auth = authenticator(remoteKeySet(jwksUrl));
    const before = jwksRequests;
    for (let i = 0; i < 3; i++) {
      const jwt = await signedWith({ key: rsa.privateKey, alg: 'RS256' });
      await expect(auth.authenticate(request(jwt))).resolves.toMatchObject({ subject: 'user-1' });
    }
    expect(jwksRequests - before).toBe(1);
  });

  it('answers 503 with Retry-After, not 401, when the JWKS URL cannot be reached', async () => {
    const auth = authenticator(remoteKeySet(new URL('http://127.0.0.1:9/jwks.json'), ['RS256'], { timeoutMs: 500 }));
    const jwt = await signedWith({ key: rsa.privateKey, alg: 'RS256' });
    await expect(auth.authenticate(request(jwt))).rejects.toMatchObject({
      statusCode: 503,
      headers: { 'Retry-After': expect.any(String) },
    });
  });

  it('keeps verifying tokens signed with a cached key when the JWKS endpoint goes down', async () => {
    let up = true;
    const flaky = createServer((_, response) => {
      if (!up) {
        response.socket?.destroy();
        return;
      }
      void exportJWK(rsa.publicKey).then((jwk) =>
        response
          .writeHead(200, { 'Content-Type': 'application/json' })
          .end(JSON.stringify({ keys: [{ ...jwk, kid: 'k1', alg: 'RS256' }] })),
      );
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    try {
      const url = new URL(`http://127.0.0.1:${(flaky.address() as AddressInfo).port}/jwks.json`);
      // A cache that goes stale at once: every verification tries the endpoint first.
      const auth = authenticator(remoteKeySet(url, ['RS256'], { cacheMaxAgeMs: 0, cooldownMs: 0, timeoutMs: 500 }));
      const jwt = await signedWith({ key: rsa.privateKey, alg: 'RS256' });
      await expect(auth.authenticate(request(jwt))).resolves.toMatchObject({ subject: 'user-1' });
      up = false;
      await expect(auth.authenticate(request(jwt))).resolves.toMatchObject({ subject: 'user-1' });
      const other = await generateKeyPair('RS256');
      const unknownKey = await new SignJWT({})
        .setProtectedHeader({ alg: 'RS256', kid: 'never-seen' })
        .setSubject('x')
        .setIssuer(ISSUER)
        .setAudience(AUDIENCE)
        .setExpirationTime('5m')
        .sign(other.privateKey);
      await expect(auth.authenticate(request(unknownKey))).rejects.toMatchObject({ statusCode: 503 });
    } finally {
      flaky.closeAllConnections();
      await new Promise<void>((resolve) => flaky.close(() => resolve()));
    }
  });

  it('does not ask a failing endpoint again within the cooldown while keys in hand can serve', async () => {
    let up = true;
    let asked = 0;
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1', alg: 'RS256' };
    const flaky = createServer((_, response) => {
      asked++;
      if (up) response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      else response.writeHead(500).end();
    });
    await new Promise<void>((resolve) => flaky.listen(0, '127.0.0.1', resolve));
    try {
      const url = new URL(`http://127.0.0.1:${(flaky.address() as AddressInfo).port}/jwks.json`);
      const auth = authenticator(remoteKeySet(url, ['RS256'], { cacheMaxAgeMs: 0, cooldownMs: 60_000 }));
      // Distinct tokens, so that none is answered from the verified-token cache.
      const jwt = (n: number) => signedWith({ key: rsa.privateKey, alg: 'RS256' }, { n });
      // The set is fetched when the key source is created; wait for that fetch, so the counts below do
      // not depend on whether it finished before the first token arrived.
      await vi.waitFor(() => expect(asked).toBe(1));
      await auth.authenticate(request(await jwt(1)));
      // A cache age of 0 makes every token a refresh.
      expect(asked).toBe(2);
      up = false;
      await expect(auth.authenticate(request(await jwt(2)))).resolves.toMatchObject({ subject: 'user-1' });
      expect(asked).toBe(3);
      for (let n = 3; n < 8; n++) await expect(auth.authenticate(request(await jwt(n)))).resolves.toBeDefined();
      expect(asked).toBe(3);
    } finally {
      await new Promise<void>((resolve) => flaky.close(() => resolve()));
    }
  });

  it('verifies with a local JWKS', async () => {
    const jwk = { ...(await exportJWK(rsa.publicKey)), kid: 'k1' };
    const auth = authenticator(localKeySet({ keys: [jwk] }, ['RS256']));
    const jwt = await signedWith({ key: rsa.privateKey, alg: 'RS256' });
    await expect(auth.authenticate(request(jwt))).resolves.toMatchObject({ subject: 'user-1' });
  });

  it('verifies with a PEM public key, pinning the algorithm to the key type', async () => {
    const auth = authenticator(publicKeyPem(await exportSPKI(rsa.publicKey)));
    const jwt = await signedWith({ key: rsa.privateKey, alg: 'RS256' });
    await expect(auth.authenticate(request(jwt))).resolves.toMatchObject({ subject: 'user-1' });
  });

  it('refuses an RS256 public key used as an HS256 secret (algorithm confusion)', async () => {
    const pem = await exportSPKI(rsa.publicKey);
    const auth = authenticator(publicKeyPem(pem));
    const forged = await signedWith({ key: new TextEncoder().encode(pem), alg: 'HS256' });
    await expect(auth.authenticate(request(forged))).rejects.toMatchObject({ statusCode: 401 });
  });

  it('verifies with an HS256 shared secret', async () => {
    const secret = 'a-shared-secret-of-at-least-32-bytes!';
    const auth = authenticator(sharedSecret(secret));
    const jwt = await signedWith({ key: new TextEncoder().encode(secret), alg: 'HS256' });
    await expect(auth.authenticate(request(jwt))).resolves.toMatchObject({ subject: 'user-1' });
    const other = await signedWith({ key: new TextEncoder().encode(`${secret}-other`), alg: 'HS256' });
    await expect(auth.authenticate(request(other))).rejects.toMatchObject({ statusCode: 401 });
  });

  it('refuses an HS256 secret shorter than 32 bytes', () => {
    expect(() => sharedSecret('short')).toThrow(/32 bytes/);
  });
});

describe('verified tokens', () => {
  const secret = 'token-cache-secret-0123456789abcdef-012';
  const bytes = new TextEncoder().encode(secret);

  /** An HS256 key source that counts how often a signature is checked against it. */
  function counting() {
    let lookups = 0;
    const source: KeySource = {
      key: async () => {
        lookups++;
        return bytes;
      },
      algorithms: ['HS256'],
    };
    return { source, lookups: () => lookups };
  }

  it('checks a repeated token once, and still honours its expiry', async () => {
    const { source, lookups } = counting();
    let now = Date.now();
    const auth = authenticator(source, undefined, () => now);
    const jwt = await new SignJWT({})
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('user-1')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setExpirationTime(Math.floor(now / 1000) + 20)
      .sign(bytes);
    for (let i = 0; i < 5; i++)
      await expect(auth.authenticate(request(jwt))).resolves.toMatchObject({ subject: 'user-1' });
    expect(lookups()).toBe(1);
    now += 60_000;
    await expect(auth.authenticate(request(jwt))).rejects.toMatchObject({ statusCode: 401 });
  });

  it('remembers a token for a minute at most, then checks it again', async () => {
    const { source, lookups } = counting();
    let now = Date.now();
    const auth = authenticator(source, undefined, () => now);
    const jwt = await signedWith({ key: bytes, alg: 'HS256' }, { exp: Math.floor(now / 1000) + 3600 });
    await auth.authenticate(request(jwt));
    now += 61_000;
    await auth.authenticate(request(jwt));
    expect(lookups()).toBe(2);
  });

  it('never remembers a token that failed', async () => {
    const { source, lookups } = counting();
    const auth = authenticator(source);
    const forged = await signedWith({ key: new TextEncoder().encode(`${secret}-other`), alg: 'HS256' });
    for (let i = 0; i < 3; i++)
      await expect(auth.authenticate(request(forged))).rejects.toMatchObject({ statusCode: 401 });
    expect(lookups()).toBe(3);
  });
});

describe('permissions', () => {
  const secret = 'permissions-test-secret-0123456789abcdef';
  const key = { key: new TextEncoder().encode(secret), alg: 'HS256' };
  const principalFor = async (claims: JWTPayload, roles?: RoleStore, now?: () => number) => {
    const auth = authenticator(sharedSecret(secret), roles, now);
    return { auth, principal: await auth.authenticate(request(await signedWith(key, claims))) };
  };

  it('grants from a permissions array', async () => {
    const { auth, principal } = await principalFor({ permissions: [PERMISSIONS.readFiles] });
    await expect(auth.authorize(principal, PERMISSIONS.readFiles)).resolves.toBeUndefined();
    await expect(auth.authorize(principal, PERMISSIONS.addFiles)).rejects.toMatchObject({ statusCode: 403 });
  });

  it('grants from a space-separated permissions string', async () => {
    const { auth, principal } = await principalFor({ permissions: 'openid Add Identity Files Read Identity Files' });
    await expect(auth.authorize(principal, PERMISSIONS.addFiles)).resolves.toBeUndefined();
    await expect(auth.authorize(principal, PERMISSIONS.readFiles)).resolves.toBeUndefined();
  });

  it('does not grant a permission whose words are only scattered in the string', async () => {
    const { auth, principal } = await principalFor({ permissions: 'Read Identity Photos Files' });
    await expect(auth.authorize(principal, PERMISSIONS.readFiles)).rejects.toMatchObject({ statusCode: 403 });
  });

  it('matches permission names exactly', async () => {
    const { auth, principal } = await principalFor({ permissions: ['read identity files', 'Read Identity File'] });
    await expect(auth.authorize(principal, PERMISSIONS.readFiles)).rejects.toMatchObject({ statusCode: 403 });
  });

  it('lets any authenticated user through where no permission is needed', async () => {
    const { auth, principal } = await principalFor({});
    await expect(auth.authorize(principal, null)).resolves.toBeUndefined();
  });

  it.each([
    ['role', (role: string) => ({ role })],
    ['roles', (role: string) => ({ roles: ['Other', role] })],
    [
      'the long-form role claim',
      (role: string) => ({ 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role': role }),
    ],
  ])('grants through a role named by the %s claim, resolved in DynamoDB', async (_, claims) => {
    const role = `Clerk ${randomUUID()}`;
    await roleStore.put({ name: role, permissions: [PERMISSIONS.readFiles] });
    const { auth, principal } = await principalFor(claims(role), roleStore);
    await expect(auth.authorize(principal, PERMISSIONS.readFiles)).resolves.toBeUndefined();
    await expect(auth.authorize(principal, PERMISSIONS.addFiles)).rejects.toMatchObject({ statusCode: 403 });
  });

  it('answers 403 for a role that does not exist', async () => {
    const { auth, principal } = await principalFor({ role: `Missing ${randomUUID()}` }, roleStore);
    await expect(auth.authorize(principal, PERMISSIONS.readFiles)).rejects.toMatchObject({ statusCode: 403 });
  });

  it('sees a role change once the role cache has expired, not before', async () => {
    const role = `Changing ${randomUUID()}`;
    await roleStore.put({ name: role, permissions: [] });
    let now = Date.now();
    const { auth, principal } = await principalFor({ role }, roleStore, () => now);
    await expect(auth.authorize(principal, PERMISSIONS.addFiles)).rejects.toMatchObject({ statusCode: 403 });
    await roleStore.put({ name: role, permissions: [PERMISSIONS.addFiles] });
    now += 30_000;
    await expect(auth.authorize(principal, PERMISSIONS.addFiles)).rejects.toMatchObject({ statusCode: 403 });
    now += 31_000;
    await expect(auth.authorize(principal, PERMISSIONS.addFiles)).resolves.toBeUndefined();
  });

  it('asks the role store once per role within the cache time', async () => {
    const role = `Cached ${randomUUID()}`;
    await roleStore.put({ name: role, permissions: [PERMISSIONS.readFiles] });
    let lookups = 0;
    const counting: RoleStore = {
      permissionsOf: (name) => {
        lookups++;
        return roleStore.permissionsOf(name);
      },
    };
    const { auth, principal } = await principalFor({ role }, counting);
    for (let i = 0; i < 5; i++) await auth.authorize(principal, PERMISSIONS.readFiles);
    expect(lookups).toBe(1);
  });

  it('does not look roles up when the token grants the permission itself', async () => {
    let lookups = 0;
    const counting: RoleStore = {
      permissionsOf: async () => {
        lookups++;
        return [];
      },
    };
    const { auth, principal } = await principalFor({ permissions: [PERMISSIONS.readFiles], role: 'Any' }, counting);
    await auth.authorize(principal, PERMISSIONS.readFiles);
    expect(lookups).toBe(0);
  });
});
