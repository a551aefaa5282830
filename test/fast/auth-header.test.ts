import { type HttpRequest, makeAuthenticator, PERMISSIONS, sharedSecret, UnauthorizedError } from '@identities/core';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { memoryRoleStore } from '../support/memory-ports.ts';

const secret = 'fast-tier-secret-0123456789abcdef-0123';
const issuer = 'https://issuer.test';
const audience = 'identities';
const auth = makeAuthenticator({
  keys: sharedSecret(secret),
  issuer,
  audience,
  roles: memoryRoleStore({ Clerk: [PERMISSIONS.readFiles] }),
});

const sign = (claims: Record<string, unknown> = {}) =>
  new SignJWT(claims)
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('user-1')
    .setIssuer(issuer)
    .setAudience(audience)
    .setIssuedAt()
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(secret));

function request(authorization?: string, repeated = false): HttpRequest {
  return {
    method: 'GET',
    pathParameters: {},
    headers: authorization === undefined ? {} : { authorization },
    repeatedHeaders: new Set(repeated ? ['authorization'] : []),
    query: {},
    repeatedQuery: new Set(),
    sourceIp: '127.0.0.1',
    requestId: 'fast',
    body: () => Buffer.alloc(0),
  };
}

describe('the Authorization header', () => {
  it('takes "Bearer <token>", the scheme in any case', async () => {
    const token = await sign();
    await expect(auth.authenticate(request(`Bearer ${token}`))).resolves.toMatchObject({ subject: 'user-1' });
    await expect(auth.authenticate(request(`bEARER ${token}`))).resolves.toMatchObject({ subject: 'user-1' });
  });

  it.each([
    ['no header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic dXNlcjpwYXNz'],
    ['the scheme alone', 'Bearer'],
    ['two spaces', 'Bearer  abc'],
    ['a trailing space', 'Bearer abc '],
    ['a character outside token68', 'Bearer abc,def'],
    ['an over-long header', `Bearer ${'a'.repeat(9000)}`],
  ])('answers 401 with WWW-Authenticate for %s', async (_, header) => {
    const failure = auth.authenticate(request(header));
    await expect(failure).rejects.toBeInstanceOf(UnauthorizedError);
    await expect(failure).rejects.toMatchObject({
      statusCode: 401,
      headers: { 'WWW-Authenticate': 'Bearer realm="identities"' },
    });
  });

  it('answers 401 when the header is sent twice, whatever the first holds', async () => {
    await expect(auth.authenticate(request(`Bearer ${await sign()}`, true))).rejects.toMatchObject({
      statusCode: 401,
    });
  });
});

describe('authorize', () => {
  it('grants a permission from the claim or from a role, and 403 otherwise', async () => {
    const direct = await auth.authenticate(request(`Bearer ${await sign({ permissions: [PERMISSIONS.addFiles] })}`));
    await expect(auth.authorize(direct, PERMISSIONS.addFiles)).resolves.toBeUndefined();
    const clerk = await auth.authenticate(request(`Bearer ${await sign({ roles: ['Clerk'] })}`));
    await expect(auth.authorize(clerk, PERMISSIONS.readFiles)).resolves.toBeUndefined();
    await expect(auth.authorize(clerk, PERMISSIONS.addFiles)).rejects.toMatchObject({ statusCode: 403 });
  });
});
