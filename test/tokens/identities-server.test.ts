import { execFile } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import {
  authenticatorFromEnv,
  authenticatorOf,
  ConfigError,
  downloadFileDocumentHandler,
  readAuthSettings,
  readSettings,
  uploadFileDocumentHandler,
} from '@identities/aws';
import { makeLogger, PERMISSIONS, toHttpRequest } from '@identities/core';
import { exportJWK, exportSPKI, generateKeyPair } from 'jose';
import { describe, expect, it } from 'vitest';
import { apiEvent, invoke } from '../support/lambda.ts';
import { uploadEvent } from '../support/multipart.ts';
import { documentStore, newPersonId, roleStore } from '../support/storage.ts';

/*
 * Tokens exactly as the customer's Identities server issues them: ASP.NET Core's JwtSecurityTokenHandler,
 * HS256 over the header {"alg":"HS256","typ":"JWT"}, claims unique_name, nameid, email, role (a string for
 * one role, an array for several), nbf, exp and iat in whole seconds, and iss/aud only when the server
 * is configured with them. Built by hand here (no JWT library), byte for byte in that shape.
 */
const run = promisify(execFile);
const SECRET = 'acme-identities-server-signing-key-2026!';
const ISSUER = 'https://identities.acme.local';
const AUDIENCE = 'identities-api';
const LONG_NAME_ID = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier';
const LONG_NAME = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';
const LONG_ROLE = 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role';

const nowSeconds = () => Math.floor(Date.now() / 1000);
const b64url = (text: string) => Buffer.from(text, 'utf8').toString('base64url');

/** A compact JWS with HMAC-SHA256 over exactly this header and payload text. */
function hs256(payload: Record<string, unknown>, secret: string | Buffer = SECRET, header: object = HEADER): string {
  const signingInput = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  return `${signingInput}.${createHmac('sha256', secret).update(signingInput).digest('base64url')}`;
}
const HEADER = { alg: 'HS256', typ: 'JWT' };

interface Issued {
  readonly name?: string;
  readonly nameid?: string;
  readonly email?: string;
  readonly roles?: readonly string[];
  readonly iss?: string;
  readonly aud?: string;
  readonly issuedAt?: number;
  readonly lifetime?: number;
}

/** The claims the Identities server writes, in its order. */
function issued(claims: Issued = {}): Record<string, unknown> {
  const at = claims.issuedAt ?? nowSeconds();
  const roles = claims.roles ?? [];
  return {
    unique_name: claims.name ?? 'jdoe',
    ...(claims.nameid === undefined ? {} : { nameid: claims.nameid }),
    ...(claims.email === undefined ? {} : { email: claims.email }),
    ...(roles.length === 0 ? {} : { role: roles.length === 1 ? roles[0] : [...roles] }),
    nbf: at,
    exp: at + (claims.lifetime ?? 3600),
    iat: at,
    ...(claims.iss === undefined ? {} : { iss: claims.iss }),
    ...(claims.aud === undefined ? {} : { aud: claims.aud }),
  };
}

// Two deployments holding the server's key: one whose issuer sets iss and aud, one whose issuer sets neither.
const CONFIGURED = { JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE };
const BARE = { JWT_SECRET: SECRET, JWT_UNCHECKED_CLAIMS: 'iss,aud' };
const settingsOf = (jwt: Record<string, string>) =>
  readSettings({ ...process.env, JWT_JWKS: '', JWT_ISSUER: '', JWT_AUDIENCE: '', ...jwt });
const configured = {
  upload: uploadFileDocumentHandler(settingsOf(CONFIGURED)),
  download: downloadFileDocumentHandler(settingsOf(CONFIGURED)),
};
const bare = { download: downloadFileDocumentHandler(settingsOf(BARE)) };

// Roles as the web app defines them, in the role table.
const suffix = randomUUID().slice(0, 8);
const CLERK = `Clerk ${suffix}`;
const READER = `Reader ${suffix}`;
const NOBODY = `Visitor ${suffix}`;
await roleStore.put({ name: CLERK, permissions: [PERMISSIONS.addFiles] });
await roleStore.put({ name: READER, permissions: [PERMISSIONS.readFiles] });
await roleStore.put({ name: NOBODY, permissions: [] });

const personId = newPersonId();
const documentId = 'server-token-doc';
const documentPath = `/api/v1/people/${personId}/fileDocuments/${documentId}/data`;
const download = (handler: typeof configured.download, jwt: string) =>
  invoke(handler, apiEvent({ path: documentPath, headers: { Authorization: `Bearer ${jwt}` } }));
const subjectOf = async (env: Record<string, string>, jwt: string) =>
  (await authenticatorFromEnv(env).authenticate(request(jwt))).subject;
const request = (jwt: string) =>
  toHttpRequest(apiEvent({ path: documentPath, headers: { Authorization: `Bearer ${jwt}` } }));

describe("the Identities server's tokens, on a deployment holding its key", () => {
  it('stores an upload by a clerk whose token names one role as a string, recording nameid as the uploader', async () => {
    const jwt = hs256(issued({ name: 'jdoe', nameid: '42', roles: [CLERK], iss: ISSUER, aud: AUDIENCE }));
    const response = await invoke(
      configured.upload,
      uploadEvent(
        [
          { name: 'personId', value: personId },
          { name: 'name', value: 'ID card' },
          { name: 'publicId', value: documentId },
          { name: 'file', filename: 'card.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.7 card') },
        ],
        jwt,
      ),
    );
    expect(response.statusCode).toBe(200);
    expect((await documentStore.get(personId, documentId))?.createdBy).toBe('42');
  });

  it('serves the document to a token naming several roles as an array, one of them granting the read', async () => {
    const jwt = hs256(issued({ roles: [NOBODY, READER, CLERK], iss: ISSUER, aud: AUDIENCE, email: 'j@acme.example' }));
    const response = await download(configured.download, jwt);
    expect(response.statusCode).toBe(200);
    expect(response.body.toString()).toBe('%PDF-1.7 card');
  });

  it('answers 403 to a valid token whose roles grant no read', async () => {
    expect(
      (await download(configured.download, hs256(issued({ roles: [CLERK], iss: ISSUER, aud: AUDIENCE })))).statusCode,
    ).toBe(403);
    expect((await download(configured.download, hs256(issued({ iss: ISSUER, aud: AUDIENCE })))).statusCode).toBe(403);
  });

  it('takes the subject from nameid, else unique_name, else their long-form claim URIs', async () => {
    const base = { iss: ISSUER, aud: AUDIENCE };
    expect(await subjectOf(CONFIGURED, hs256(issued({ ...base, name: 'jdoe', nameid: '42' })))).toBe('42');
    expect(await subjectOf(CONFIGURED, hs256(issued({ ...base, name: 'jdoe' })))).toBe('jdoe');
    const { unique_name: _, ...withoutName } = issued(base);
    expect(await subjectOf(CONFIGURED, hs256({ ...withoutName, [LONG_NAME_ID]: 'u-7', [LONG_NAME]: 'x' }))).toBe('u-7');
    expect(await subjectOf(CONFIGURED, hs256({ ...withoutName, [LONG_NAME]: 'jroe' }))).toBe('jroe');
    await expect(subjectOf(CONFIGURED, hs256(withoutName))).rejects.toThrow(/no subject/);
  });

  it('takes roles from role (string or array), roles and the long-form role URI', async () => {
    const auth = authenticatorFromEnv(CONFIGURED, roleStore);
    const { role: _, ...claims } = issued({ iss: ISSUER, aud: AUDIENCE });
    for (const roleClaims of [{ role: READER }, { role: [READER] }, { roles: [READER] }, { [LONG_ROLE]: READER }]) {
      const principal = await auth.authenticate(request(hs256({ ...claims, ...roleClaims })));
      expect(principal.roles).toEqual([READER]);
      await expect(auth.authorize(principal, PERMISSIONS.readFiles)).resolves.toBeUndefined();
    }
  });

  it('accepts a renewed token, and the one it renewed until that one expires', async () => {
    const first = hs256(issued({ roles: [READER], iss: ISSUER, aud: AUDIENCE, issuedAt: nowSeconds() - 3000 }));
    const renewed = hs256(issued({ roles: [READER], iss: ISSUER, aud: AUDIENCE }));
    expect((await download(configured.download, first)).statusCode).toBe(200);
    expect((await download(configured.download, renewed)).statusCode).toBe(200);
    const expired = hs256(issued({ roles: [READER], iss: ISSUER, aud: AUDIENCE, issuedAt: nowSeconds() - 7200 }));
    const response = await download(configured.download, expired);
    expect(response.statusCode).toBe(401);
    expect(String(response.json().detail)).toMatch(/expired/);
  });

  it('answers 401 to a token without iss and aud where the deployment verifies them (the default)', async () => {
    const response = await download(configured.download, hs256(issued({ roles: [READER] })));
    expect(response.statusCode).toBe(401);
    expect((await download(configured.download, hs256(issued({ roles: [READER], iss: ISSUER })))).statusCode).toBe(401);
    expect((await download(configured.download, hs256(issued({ roles: [READER], aud: AUDIENCE })))).statusCode).toBe(
      401,
    );
  });

  it('answers 401 to another issuer or audience', async () => {
    for (const claims of [
      { iss: 'https://identities.other.local', aud: AUDIENCE },
      { iss: ISSUER, aud: 'another-api' },
    ]) {
      expect((await download(configured.download, hs256(issued({ roles: [READER], ...claims })))).statusCode).toBe(401);
    }
  });
});

describe('a deployment whose Identities server sets neither iss nor aud (JWT_UNCHECKED_CLAIMS=iss,aud)', () => {
  it('accepts its tokens, with and without iss and aud', async () => {
    expect((await download(bare.download, hs256(issued({ roles: [READER] })))).statusCode).toBe(200);
    expect(
      (await download(bare.download, hs256(issued({ roles: [READER], iss: 'anything', aud: 'any' })))).statusCode,
    ).toBe(200);
  });

  it('still requires exp and a valid signature', async () => {
    const { exp: _, ...withoutExp } = issued({ roles: [READER] });
    expect((await download(bare.download, hs256(withoutExp))).statusCode).toBe(401);
    expect((await download(bare.download, hs256(issued({ roles: [READER] }), `${SECRET}x`))).statusCode).toBe(401);
  });

  it('says so once at start, however many functions the settings make', () => {
    const lines: string[] = [];
    const logger = makeLogger('info', (line) => lines.push(line));
    const settings = readAuthSettings(BARE);
    for (let count = 0; count < 7; count++) authenticatorOf(settings, undefined, logger);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] ?? '{}')).toMatchObject({ level: 'warn', unchecked: 'iss,aud' });
    authenticatorOf(readAuthSettings(CONFIGURED), undefined, logger);
    expect(lines).toHaveLength(1);
  });

  it('is logged once by a function module at its cold start', async () => {
    const module = new URL('../../functions/upload-file-document.ts', import.meta.url).pathname;
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', '-e', `await import(${JSON.stringify(module)})`],
      {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'eu-west-1',
          BUCKET_NAME: 'b',
          TABLE_NAME: 't',
          LOG_LEVEL: 'info',
          ...BARE,
        },
        timeout: 30_000,
      },
    );
    const warnings = stdout.split('\n').filter((line) => line.includes('without checking these claims'));
    expect(warnings).toHaveLength(1);
    expect(JSON.parse(warnings[0] ?? '{}')).toMatchObject({ level: 'warn', unchecked: 'iss,aud' });
  });
});

describe('the settings for an issuer without iss or aud', () => {
  it('is an explicit statement, never an empty variable', () => {
    expect(() => readAuthSettings({ JWT_SECRET: SECRET, JWT_AUDIENCE: AUDIENCE })).toThrow(
      /JWT_ISSUER is not set \(an issuer that sets no iss claim: JWT_UNCHECKED_CLAIMS=iss\)/,
    );
    expect(() => readAuthSettings({ JWT_SECRET: SECRET, JWT_ISSUER: ' ', JWT_AUDIENCE: AUDIENCE })).toThrow(
      ConfigError,
    );
    expect(readAuthSettings({ JWT_SECRET: SECRET, JWT_AUDIENCE: AUDIENCE, JWT_UNCHECKED_CLAIMS: 'iss' })).toMatchObject(
      { issuer: null, audience: [AUDIENCE] },
    );
    expect(readAuthSettings({ JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_UNCHECKED_CLAIMS: 'aud' })).toMatchObject({
      issuer: ISSUER,
      audience: null,
    });
  });

  it('accepts exactly iss and aud, and refuses a contradiction', () => {
    for (const value of ['none', 'ISS', 'iss,exp', 'true', 'sub']) {
      expect(() => readAuthSettings({ ...BARE, JWT_UNCHECKED_CLAIMS: value })).toThrow(/names only iss and aud/);
    }
    expect(() => readAuthSettings({ ...BARE, JWT_ISSUER: ISSUER })).toThrow(/choose one/);
    expect(() => readAuthSettings({ ...BARE, JWT_AUDIENCE: AUDIENCE })).toThrow(/choose one/);
  });

  it('is refused for keys published at a URL, which may sign for other issuers', () => {
    const { JWT_SECRET: _, ...unchecked } = BARE;
    expect(() => readAuthSettings({ ...unchecked, JWT_JWKS_URL: 'https://login.example/jwks' })).toThrow(
      /only for keys this deployment holds/,
    );
    expect(() => readAuthSettings({ ...unchecked, JWT_OIDC_ISSUER: 'https://login.example' })).toThrow(
      /only for keys this deployment holds/,
    );
  });

  it('refuses a secret shorter than 32 bytes, and algorithms that do not fit a secret', () => {
    expect(() => authenticatorFromEnv({ ...CONFIGURED, JWT_SECRET: 'x'.repeat(31) })).toThrow(/at least 32 bytes/);
    expect(() => authenticatorFromEnv({ ...CONFIGURED, JWT_ALGORITHMS: 'RS256' })).toThrow(ConfigError);
    expect(() => authenticatorFromEnv({ ...CONFIGURED, JWT_ALGORITHMS: 'none' })).toThrow(ConfigError);
  });

  it('never lets an HMAC algorithm verify with public keys (algorithm confusion)', async () => {
    const { publicKey } = await generateKeyPair('RS256');
    const pem = await exportSPKI(publicKey);
    const publicKeys = [
      { JWT_PUBLIC_KEY: pem },
      { JWT_JWKS: JSON.stringify({ keys: [await exportJWK(publicKey)] }) },
      { JWT_JWKS_URL: 'https://login.example/jwks' },
      { JWT_OIDC_ISSUER: 'https://login.example' },
    ];
    for (const keys of publicKeys) {
      for (const algorithms of ['HS256', 'RS256,HS256', 'hs512', 'none']) {
        expect(() =>
          authenticatorFromEnv({
            JWT_ISSUER: 'https://login.example',
            JWT_AUDIENCE: AUDIENCE,
            ...keys,
            JWT_ALGORITHMS: algorithms,
          }),
        ).toThrow(/public-key algorithms/);
      }
    }
  });
});
