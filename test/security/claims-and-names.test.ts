import { randomUUID } from 'node:crypto';
import {
  type HttpRequest,
  makeAuthenticator,
  PERMISSIONS,
  type RoleStore,
  sharedSecret,
  toHttpRequest,
  UnauthorizedError,
} from '@identities/core';
import { type JWTPayload, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { apiEvent } from '../support/lambda.ts';
import { roleStore } from '../support/storage.ts';
import { AUDIENCE, ISSUER } from '../support/tokens.ts';

const SECRET = 'claims-and-names-secret-0123456789abcdef';
const secretKey = new TextEncoder().encode(SECRET);
const nowSeconds = () => Math.floor(Date.now() / 1000);
const _DAY = 24 * 3600;

const request = (jwt: string): HttpRequest =>
  toHttpRequest(
    apiEvent({ path: `/api/v1/people/enrollmentPhoto/${randomUUID()}`, headers: { Authorization: `Bearer ${jwt}` } }),
  );

/** An HS256 token with the given claims; `sub`, `iat` and `exp` default to a five-minute token of user-1. */
function signed(claims: JWTPayload & Record<string, unknown> = {}): Promise<string> {
  return new SignJWT({ sub: 'user-1', iat: nowSeconds(), exp: nowSeconds() + 300, ...claims })
    .setProtectedHeader({ alg: 'HS256' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .sign(secretKey);
}

const authenticator = (options: { roles?: RoleStore; maxTokenLifetimeSeconds?: number } = {}) =>
  makeAuthenticator({ keys: sharedSecret(SECRET), issuer: ISSUER, audience: AUDIENCE, ...options });

/** A role store that counts lookups and knows no role. */
function _countingRoles() {
  const asked: string[] = [];
  const store: RoleStore = {
    permissionsOf: async (name) => {
      asked.push(name);
      return undefined;
    },
  };
  return { store, asked };
}

async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

async function _expectUnauthorized(promise: Promise<unknown>, detail: RegExp) {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(UnauthorizedError);
  expect((error as UnauthorizedError).message).toMatch(detail);
}

describe('permission names match exactly', () => {
  const auth = authenticator();
  const granted = async (permissions: unknown) => {
    const principal = await auth.authenticate(request(await signed({ permissions })));
    return auth.authorize(principal, PERMISSIONS.readFiles).then(
      () => true,
      () => false,
    );
  };

  it.each([
    ['trailing spaces', `${PERMISSIONS.readFiles}   `],
    ['a leading space', ` ${PERMISSIONS.readFiles}`],
    ['a trailing tab', `${PERMISSIONS.readFiles}\t`],
    ['a no-break space between words', PERMISSIONS.readFiles.replace(' ', '\u00a0')],
  ])('does not grant an array entry with %s', async (_, entry) => {
    expect(await granted([entry])).toBe(false);
  });

  it.each([
    ['a no-break space between its words', `openid ${PERMISSIONS.readFiles.replace(' ', '\u00a0')}`],
    ['a tab between its words', `openid ${PERMISSIONS.readFiles.replace(' ', '\t')}`],
    ['two spaces between its words', `openid ${PERMISSIONS.readFiles.replace(' ', '  ')}`],
    ['a tab before it', `openid\t${PERMISSIONS.readFiles}`],
    ['a no-break space after it', `${PERMISSIONS.readFiles}\u00a0openid`],
    ['a newline before it', `openid\n${PERMISSIONS.readFiles}`],
  ])('does not grant a name in the string form with %s', async (_, value) => {
    expect(await granted(value)).toBe(false);
  });

  it.each([
    ['the array form', [PERMISSIONS.readFiles]],
    ['the string form alone', PERMISSIONS.readFiles],
    ['the string form after another scope', `openid ${PERMISSIONS.readFiles}`],
    ['the string form between ASCII spaces, doubled', `openid  ${PERMISSIONS.readFiles}  ${PERMISSIONS.addFiles}`],
    ['the string form padded with ASCII spaces', `  ${PERMISSIONS.readFiles} `],
  ])('grants the exact name in %s', async (_, value) => {
    expect(await granted(value)).toBe(true);
  });

  it('looks a role up exactly as named, not trimmed, and ignores empty role names', async () => {
    const role = `Clerk ${randomUUID()}`;
    await roleStore.put({ name: role, permissions: [PERMISSIONS.readFiles] });
    const auth = authenticator({ roles: roleStore });
    const padded = await auth.authenticate(request(await signed({ roles: [` ${role}`, `${role} `, ''] })));
    expect(padded.roles).toEqual([` ${role}`, `${role} `]);
    await expect(auth.authorize(padded, PERMISSIONS.readFiles)).rejects.toMatchObject({ statusCode: 403 });
    const exact = await auth.authenticate(request(await signed({ role })));
    await expect(auth.authorize(exact, PERMISSIONS.readFiles)).resolves.toBeUndefined();
  });
});
