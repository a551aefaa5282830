import { randomUUID } from 'node:crypto';
import { authenticatorFromEnv } from '@identities/aws';
import {
  type HttpRequest,
  makeAuthenticator,
  makeEnrollmentPhotoHandler as makeEnrollmentPhoto,
  makeLogger,
  PERMISSIONS,
  type Principal,
  type RoleStore,
  sharedSecret,
  toHttpRequest,
  UnauthorizedError,
} from '@identities/core';
import { type JWTPayload, SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  downloadFileDocument as download,
  startUploadSession as start,
  uploadFileDocument as upload,
} from '../support/functions.ts';
import { apiEvent, invoke } from '../support/lambda.ts';
import { documentStore, newPersonId, objectStore, roleStore } from '../support/storage.ts';
import { AUDIENCE, bearer, bothPermissions, ISSUER, token } from '../support/tokens.ts';
import { expectProblem } from './support.ts';

const SECRET = 'claims-and-names-secret-0123456789abcdef';
const secretKey = new TextEncoder().encode(SECRET);
const nowSeconds = () => Math.floor(Date.now() / 1000);
const DAY = 24 * 3600;

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
function countingRoles() {
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

async function expectUnauthorized(promise: Promise<unknown>, detail: RegExp) {
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

describe('role claims are bounded before any lookup', () => {
  // Short names, so that 600 of them still fit in a token under the 8 KB limit.
  const roles = (count: number) => Array.from({ length: count }, (_, i) => i.toString(36));

  it('answers 401 for a token naming more than 64 distinct roles, asking the role store nothing', async () => {
    const { store, asked } = countingRoles();
    await expectUnauthorized(
      authenticator({ roles: store }).authenticate(request(await signed({ roles: roles(600) }))),
      /more than 64 roles/,
    );
    await expectUnauthorized(
      authenticator({ roles: store }).authenticate(request(await signed({ roles: roles(40), role: roles(65) }))),
      /more than 64 roles/,
    );
    expect(asked).toEqual([]);
  });

  it('accepts 64 distinct roles, however often each is repeated across the role claims', async () => {
    const auth = authenticator({ roles: countingRoles().store });
    const principal = await auth.authenticate(request(await signed({ roles: roles(64), role: roles(64) })));
    expect(principal.roles).toHaveLength(64);
  });

  it('answers 401 for a role name longer than 128 characters, and accepts one of exactly 128', async () => {
    const { store, asked } = countingRoles();
    const auth = authenticator({ roles: store });
    await expectUnauthorized(
      auth.authenticate(request(await signed({ role: 'r'.repeat(129) }))),
      /role longer than 128 characters/,
    );
    expect(asked).toEqual([]);
    const role = `${randomUUID()}-`.padEnd(128, 'r');
    await roleStore.put({ name: role, permissions: [PERMISSIONS.readFiles] });
    const real = authenticator({ roles: roleStore });
    const principal = await real.authenticate(request(await signed({ role })));
    await expect(real.authorize(principal, PERMISSIONS.readFiles)).resolves.toBeUndefined();
  });

  it('answers 401, not 500, on the real handler for a role name over the table key limit', async () => {
    const response = await invoke(
      download,
      apiEvent({
        path: `/api/v1/people/${newPersonId()}/fileDocuments/doc/data`,
        headers: bearer(await token({ claims: { role: 'x'.repeat(1100) } })),
      }),
    );
    expect(String(expectProblem(response, 401).detail)).toMatch(/role longer than 128 characters/);
  });

  it('answers 401 on the real handler for a token naming 600 roles', async () => {
    const response = await invoke(
      download,
      apiEvent({
        path: `/api/v1/people/${newPersonId()}/fileDocuments/doc/data`,
        headers: bearer(await token({ claims: { roles: roles(600) } })),
      }),
    );
    expect(String(expectProblem(response, 401).detail)).toMatch(/more than 64 roles/);
  });
});

// The bound the authenticator keeps (MAX_CACHED_ROLES), written out so the test states the number.
const MAX_CACHED_ROLES = 1000;

describe('the role cache is bounded', () => {
  it(`remembers at most ${MAX_CACHED_ROLES} roles, forgetting the oldest first`, async () => {
    const { store, asked } = countingRoles();
    const auth = authenticator({ roles: store });
    const principal = (roles: string[]): Principal => ({ subject: 'user-1', permissions: new Set(), roles });
    const names = Array.from({ length: MAX_CACHED_ROLES + 1 }, (_, i) => `cached-${i}`);
    for (let i = 0; i < names.length; i += 64) {
      await auth.authorize(principal(names.slice(i, i + 64)), PERMISSIONS.readFiles).catch(() => undefined);
    }
    expect(asked).toHaveLength(names.length);
    // The newest is still remembered; the first one was forgotten to make room and is asked again.
    await auth.authorize(principal([names[names.length - 1] ?? '']), PERMISSIONS.readFiles).catch(() => undefined);
    expect(asked).toHaveLength(names.length);
    await auth.authorize(principal([names[0] ?? '']), PERMISSIONS.readFiles).catch(() => undefined);
    expect(asked).toHaveLength(names.length + 1);
  });
});

describe('the token lifetime is bounded', () => {
  const TOO_LONG = /lifetime is longer than this API accepts/;

  it('answers 401 for an expiry of 1e300', async () => {
    await expectUnauthorized(authenticator().authenticate(request(await signed({ exp: 1e300 }))), TOO_LONG);
  });

  it('answers 401 for an expiry more than 7 days ahead, with or without iat', async () => {
    const exp = nowSeconds() + 7 * DAY + 120;
    await expectUnauthorized(authenticator().authenticate(request(await signed({ exp }))), TOO_LONG);
    await expectUnauthorized(authenticator().authenticate(request(await signed({ exp, iat: undefined }))), TOO_LONG);
  });

  it('answers 401 when exp - iat exceeds 7 days, even with little time left', async () => {
    const iat = nowSeconds() - 7 * DAY;
    await expectUnauthorized(
      authenticator().authenticate(request(await signed({ iat, exp: nowSeconds() + 600 }))),
      TOO_LONG,
    );
  });

  it('accepts a token of exactly 7 days', async () => {
    const iat = nowSeconds();
    await expect(
      authenticator().authenticate(request(await signed({ iat, exp: iat + 7 * DAY }))),
    ).resolves.toMatchObject({ subject: 'user-1' });
  });

  it('follows JWT_MAX_TOKEN_LIFETIME_SECONDS', async () => {
    const auth = authenticatorFromEnv({
      JWT_SECRET: SECRET,
      JWT_ISSUER: ISSUER,
      JWT_AUDIENCE: AUDIENCE,
      JWT_MAX_TOKEN_LIFETIME_SECONDS: '3600',
    });
    await expectUnauthorized(auth.authenticate(request(await signed({ exp: nowSeconds() + 7200 }))), TOO_LONG);
    await expect(auth.authenticate(request(await signed({ exp: nowSeconds() + 1800 })))).resolves.toMatchObject({
      subject: 'user-1',
    });
    expect(() =>
      authenticatorFromEnv({
        JWT_SECRET: SECRET,
        JWT_ISSUER: ISSUER,
        JWT_AUDIENCE: AUDIENCE,
        JWT_MAX_TOKEN_LIFETIME_SECONDS: 'a week',
      }),
    ).toThrow(/JWT_MAX_TOKEN_LIFETIME_SECONDS/);
  });

  it('answers 401 on the real handlers for a token valid for a year', async () => {
    const response = await invoke(
      download,
      apiEvent({
        path: `/api/v1/people/${newPersonId()}/fileDocuments/doc/data`,
        headers: bearer(await token({ expiresIn: '365d' })),
      }),
    );
    expect(String(expectProblem(response, 401).detail)).toMatch(TOO_LONG);
  });
});

describe('subjects', () => {
  it('answers 401 for a subject longer than 1,024 characters, and accepts one of exactly 1,024', async () => {
    await expectUnauthorized(
      authenticator().authenticate(request(await signed({ sub: 's'.repeat(1025) }))),
      /subject is longer than 1024 characters/,
    );
    const subject = 's'.repeat(1024);
    await expect(authenticator().authenticate(request(await signed({ sub: subject })))).resolves.toMatchObject({
      subject,
    });
  });

  it('writes at most the first 128 characters of the subject to the request log, marked when cut', async () => {
    const lines: string[] = [];
    const handler = makeEnrollmentPhoto({
      auth: authenticatorFromEnv(process.env),
      logger: makeLogger('info', (line) => lines.push(line)),
      objects: objectStore,
    });
    const loggedSubject = async (subject: string) => {
      lines.length = 0;
      await invoke(
        handler,
        apiEvent({ path: `/api/v1/people/enrollmentPhoto/${randomUUID()}`, headers: bearer(await token({ subject })) }),
      );
      const entries = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
      const entry = entries.find((candidate) => candidate.message === 'request');
      return entry?.subject;
    };
    const long = `${'😀'.repeat(100)}${'s'.repeat(800)}`;
    expect(await loggedSubject(long)).toBe(`${'😀'.repeat(100)}${'s'.repeat(28)}…`);
    expect(await loggedSubject('s'.repeat(128))).toBe('s'.repeat(128));
  });
});

describe('text fields are well-formed Unicode', () => {
  const SESSIONS = '/api/v1/people/fileDocuments/uploadSessions';
  const startSession = async (body: Record<string, unknown>) =>
    invoke(
      start,
      apiEvent({
        method: 'POST',
        path: SESSIONS,
        headers: { ...bearer(await bothPermissions()), 'Content-Type': 'application/json' },
        body: Buffer.from(JSON.stringify(body)),
      }),
    );
  const session = (extra: Record<string, unknown>) => ({
    personId: newPersonId(),
    name: 'Passport scan',
    fileName: 'passport.pdf',
    contentType: 'application/pdf',
    size: 100,
    ...extra,
  });

  it.each([
    ['fileName', { fileName: 'a\ud800.pdf' }],
    ['fileName', { fileName: 'a\udc00.pdf' }],
    ['fileName', { fileName: '\udc00\ud800.pdf' }],
    ['name', { name: 'Scan \ud83d' }],
    ['description', { description: 'x\udfff' }],
  ])('answers 400 naming %s for a lone surrogate in an upload session', async (field, extra) => {
    const response = await startSession(session(extra));
    expect(String(expectProblem(response, 400).detail)).toMatch(new RegExp(`^${field} is not well-formed Unicode`));
  });

  it('accepts a surrogate pair in an upload session', async () => {
    const response = await startSession(session({ fileName: 'scan 😀.pdf', name: '😀' }));
    expect(response.statusCode).toBe(201);
  });

  const BOUNDARY = '----wellFormedBoundary';
  /** UTF-16LE bytes of a string, lone surrogates included, percent-encoded for `filename*`. */
  const utf16Percent = (value: string) =>
    [...Buffer.from(value, 'utf16le')].map((byte) => `%${byte.toString(16).padStart(2, '0')}`).join('');
  const part = (headers: string[], body: Buffer | string) =>
    Buffer.concat([
      Buffer.from(`--${BOUNDARY}\r\n${headers.map((header) => `${header}\r\n`).join('')}\r\n`, 'latin1'),
      typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
      Buffer.from('\r\n'),
    ]);
  const sendForm = async (parts: Buffer[]) =>
    invoke(
      upload,
      apiEvent({
        method: 'POST',
        path: '/api/v1/people/fileDocuments/upload',
        headers: { ...bearer(await bothPermissions()), 'Content-Type': `multipart/form-data; boundary=${BOUNDARY}` },
        body: Buffer.concat([...parts, Buffer.from(`--${BOUNDARY}--\r\n`)]),
      }),
    );
  const field = (name: string, value: string) => part([`Content-Disposition: form-data; name="${name}"`], value);
  const utf16Field = (name: string, value: string) =>
    part(
      [`Content-Disposition: form-data; name="${name}"`, 'Content-Type: text/plain; charset=utf-16le'],
      Buffer.from(value, 'utf16le'),
    );
  const file = (disposition: string) =>
    part([`Content-Disposition: ${disposition}`, 'Content-Type: application/pdf'], '%PDF-1.7 the document');

  it.each([
    [
      'filename',
      'filename*',
      [field('name', 'Doc'), file(`form-data; name="file"; filename*=utf-16le''${utf16Percent('a\ud800.pdf')}`)],
    ],
    ['name', 'a UTF-16 field', [utf16Field('name', 'Doc \udc00'), file('form-data; name="file"; filename="doc.pdf"')]],
    [
      'description',
      'a UTF-16 field',
      [field('name', 'Doc'), utf16Field('description', '\ud800'), file('form-data; name="file"; filename="doc.pdf"')],
    ],
  ])('answers 400 naming %s for a lone surrogate in a multipart upload (%s)', async (name, _, parts) => {
    const personId = newPersonId();
    const response = await sendForm([field('personId', personId), ...parts]);
    expect(String(expectProblem(response, 400).detail)).toMatch(new RegExp(`^${name} is not well-formed Unicode`));
  });

  it('accepts a well-formed UTF-16 filename*', async () => {
    const personId = newPersonId();
    const response = await sendForm([
      field('personId', personId),
      field('name', 'Doc'),
      field('publicId', 'utf16'),
      file(`form-data; name="file"; filename*=utf-16le''${utf16Percent('scan 😀.pdf')}`),
    ]);
    expect(response.statusCode).toBe(200);
    expect((await documentStore.get(personId, 'utf16'))?.fileName).toBe('scan 😀.pdf');
  });
});
