import { createHash, createHmac, createPublicKey } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { downloadFileDocumentHandler, enrollmentPhotoHandler, readSettings } from '@identities/aws';
import {
  enrollmentPhotoKey,
  localKeySet,
  makeAuthenticator,
  makeDownloadFileDocumentHandler as makeDownload,
  makeLogger,
  PERMISSIONS,
  publicKeyPem,
} from '@identities/core';
import {
  CompactSign,
  exportJWK,
  exportSPKI,
  generateKeyPair,
  importJWK,
  type JWK,
  type JWTPayload,
  type ProtectedHeaderParameters,
} from 'jose';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import {
  downloadFileDocument as download,
  enrollmentPhoto,
  uploadFileDocument as upload,
} from '../support/functions.ts';
import { type ApiResponse, apiEvent, invoke } from '../support/lambda.ts';
import { uploadEvent } from '../support/multipart.ts';
import {
  auditRecorder,
  documentStore,
  jpegBytes,
  newPersonId,
  objectStore,
  putObject,
  roleStore,
} from '../support/storage.ts';
import { AUDIENCE, bearer, bothPermissions, ISSUER } from '../support/tokens.ts';
import { expectProblem, segment } from './support.ts';

type SigningKey = Parameters<CompactSign['sign']>[0];
type Authorization = string | string[] | undefined;

const encoder = new TextEncoder();
const nowSeconds = () => Math.floor(Date.now() / 1000);

// The run's real signing key and the public key set the handlers trust (JWT_JWKS).
const serverJwk: JWK = JSON.parse(process.env.JWT_JWKS ?? '{"keys":[]}').keys[0];
const serverKey = await importJWK(inject('signingKey'), 'ES256');
const serverKid = serverJwk.kid ?? 'test-key';
const attacker = await generateKeyPair('ES256', { extractable: true });
const attackerJwk = { ...(await exportJWK(attacker.publicKey)), kid: 'attacker', alg: 'ES256' };

/** Claims a token needs to be accepted, with both file permissions, so only the hostile part can fail it. */
const validClaims = (extra: JWTPayload = {}): JWTPayload => ({
  sub: 'attacker',
  iss: ISSUER,
  aud: AUDIENCE,
  iat: nowSeconds(),
  exp: nowSeconds() + 300,
  permissions: [PERMISSIONS.addFiles, PERMISSIONS.readFiles],
  ...extra,
});

/** A compact JWS over any header and payload, signed with any key: the signer applies no policy of ours. */
async function signed(
  header: ProtectedHeaderParameters & { alg: string },
  payload: Readonly<Record<string, unknown>>,
  key: SigningKey = serverKey,
  crit: Record<string, boolean> = {},
): Promise<string> {
  return new CompactSign(encoder.encode(JSON.stringify(payload))).setProtectedHeader(header).sign(key, { crit });
}

const serverSigned = (
  payload: Readonly<Record<string, unknown>> = validClaims(),
  header: Record<string, unknown> = {},
) => signed({ alg: 'ES256', kid: serverKid, ...header }, payload);

/** Replaces one segment of a compact token. */
function withSegment(token: string, index: number, value: string): string {
  const parts = token.split('.');
  parts[index] = value;
  return parts.join('.');
}

/** Flips the first character of a segment to another base64url character (the first carries whole bits). */
function flipped(token: string, index: number): string {
  const part = token.split('.')[index] ?? '';
  const first = part[0] === 'A' ? 'B' : 'A';
  return withSegment(token, index, `${first}${part.slice(1)}`);
}

// An attacker's JWKS server: jku and x5u headers point here. It must never be asked.
let attackerRequests = 0;
const attackerServer = createServer((_, response) => {
  attackerRequests++;
  response.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ keys: [attackerJwk] }));
});
await new Promise<void>((resolve) => attackerServer.listen(0, '127.0.0.1', resolve));
const attackerUrl = `http://127.0.0.1:${(attackerServer.address() as AddressInfo).port}/.well-known/jwks.json`;
afterAll(() => new Promise<void>((resolve) => attackerServer.close(() => resolve())));

const publicPem = createPublicKey({ key: serverJwk, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();

interface Hostile {
  /** The Authorization header value(s) to send; undefined sends none. */
  readonly authorization: Authorization;
}

type Case = readonly [string, () => Promise<Hostile> | Hostile];

/** One verification profile: the genuine signer a deployment trusts, and the claims its tokens carry. */
interface Profile {
  readonly alg: string;
  readonly kid: string | undefined;
  readonly key: SigningKey;
  readonly claims: (extra?: JWTPayload) => JWTPayload;
  /** The claims without any claim naming a subject. */
  readonly anonymous: () => JWTPayload;
}

/** Each hostile case against one profile: what the attacker sends. Built lazily, so time-based claims are fresh. */
function catalogue(profile: Profile): readonly Case[] {
  const validClaims = profile.claims;
  const serverKey = profile.key;
  const serverKid = profile.kid;
  const serverHeader = { alg: profile.alg, ...(serverKid === undefined ? {} : { kid: serverKid }) };
  const serverSigned = (
    payload: Readonly<Record<string, unknown>> = validClaims(),
    header: Record<string, unknown> = {},
  ) =>
    signed({ alg: profile.alg, ...(serverKid === undefined ? {} : { kid: serverKid }), ...header }, payload, serverKey);
  // Cases about the public key and its id: a single shared secret has neither.
  const publicKeyOnly = (cases: readonly Case[]) => (profile.alg === 'HS256' ? [] : cases);
  return [
    [
      'alg none, unsigned (empty signature)',
      () => ({ authorization: `Bearer ${segment({ alg: 'none', typ: 'JWT' })}.${segment(validClaims())}.` }),
    ],
    [
      'alg none, carrying the signature of a valid token',
      async () => ({
        authorization: `Bearer ${withSegment(await serverSigned(), 0, segment({ alg: 'none', kid: serverKid }))}`,
      }),
    ],
    [
      'alg "None" in mixed case, unsigned',
      () => ({ authorization: `Bearer ${segment({ alg: 'None' })}.${segment(validClaims())}.` }),
    ],
    [
      'alg "NONE", unsigned',
      () => ({ authorization: `Bearer ${segment({ alg: 'NONE' })}.${segment(validClaims())}.` }),
    ],
    ...publicKeyOnly([
      [
        "HS256 keyed with the server's public JWK as JSON (algorithm confusion)",
        async () => ({
          authorization: `Bearer ${await signed({ alg: 'HS256', kid: serverKid }, validClaims(), encoder.encode(JSON.stringify(serverJwk)))}`,
        }),
      ],
      [
        "HS256 keyed with the server's public key as PEM (algorithm confusion)",
        async () => ({
          authorization: `Bearer ${await signed({ alg: 'HS256', kid: serverKid }, validClaims(), encoder.encode(publicPem))}`,
        }),
      ],
      [
        'ES384 claimed for an ES256 signature by the real key',
        async () => ({
          authorization: `Bearer ${withSegment(await serverSigned(), 0, segment({ alg: 'ES384', kid: serverKid }))}`,
        }),
      ],
      [
        'an ES256 signature of zeros (CVE-2022-21449, "psychic signatures")',
        async () => ({
          authorization: `Bearer ${withSegment(await serverSigned(), 2, Buffer.alloc(64).toString('base64url'))}`,
        }),
      ],
    ]),
    ...publicKeyOnly([
      [
        'an unknown kid, signed with the real key',
        async () => ({ authorization: `Bearer ${await serverSigned(validClaims(), { kid: 'rotated-away' })}` }),
      ],
      [
        'a kid that is a path traversal',
        async () => ({ authorization: `Bearer ${await serverSigned(validClaims(), { kid: '../../../../dev/null' })}` }),
      ],
      [
        'a kid that is an absolute path',
        async () => ({ authorization: `Bearer ${await serverSigned(validClaims(), { kid: '/etc/passwd' })}` }),
      ],
      [
        'a kid that is SQL',
        async () => ({
          authorization: `Bearer ${await serverSigned(validClaims(), { kid: "test-key' OR '1'='1'; DROP TABLE keys; --" })}`,
        }),
      ],
      [
        "the server's kid followed by a NUL",
        async () => ({ authorization: `Bearer ${await serverSigned(validClaims(), { kid: `${serverKid}\u0000` })}` }),
      ],
    ]),
    [
      "a jku header naming the attacker's key set, signed with the attacker's key",
      async () => ({
        authorization: `Bearer ${await signed({ alg: 'ES256', kid: 'attacker', jku: attackerUrl }, validClaims(), attacker.privateKey)}`,
      }),
    ],
    [
      "an x5u header naming the attacker's URL, signed with the attacker's key",
      async () => ({
        authorization: `Bearer ${await signed({ alg: 'ES256', kid: 'attacker', x5u: attackerUrl }, validClaims(), attacker.privateKey)}`,
      }),
    ],
    [
      "an embedded jwk header carrying the attacker's key, signed with it",
      async () => ({
        authorization: `Bearer ${await signed({ alg: 'ES256', jwk: { kty: attackerJwk.kty, crv: attackerJwk.crv, x: attackerJwk.x, y: attackerJwk.y } }, validClaims(), attacker.privateKey)}`,
      }),
    ],
    [
      "an embedded jwk header with the server's kid, signed with the attacker's key",
      async () => ({
        authorization: `Bearer ${await signed({ alg: 'ES256', kid: serverKid, jwk: { kty: attackerJwk.kty, crv: attackerJwk.crv, x: attackerJwk.x, y: attackerJwk.y } }, validClaims(), attacker.privateKey)}`,
      }),
    ],
    [
      'an unknown crit header, signed with the real key',
      async () => ({
        authorization: `Bearer ${await signed({ ...serverHeader, crit: ['x-must-understand'], 'x-must-understand': true }, validClaims(), serverKey, { 'x-must-understand': true })}`,
      }),
    ],
    [
      'an expired token (beyond the 30 s tolerance)',
      async () => ({ authorization: `Bearer ${await serverSigned(validClaims({ exp: nowSeconds() - 120 }))}` }),
    ],
    [
      'a token whose nbf is in the future',
      async () => ({ authorization: `Bearer ${await serverSigned(validClaims({ nbf: nowSeconds() + 120 }))}` }),
    ],
    [
      'a token issued in the future beyond the tolerance',
      async () => ({ authorization: `Bearer ${await serverSigned(validClaims({ iat: nowSeconds() + 120 }))}` }),
    ],
    [
      'a token without exp',
      async () => {
        const { exp: _, ...claims } = validClaims();
        return { authorization: `Bearer ${await serverSigned(claims)}` };
      },
    ],
    [
      'a token whose exp is a string',
      async () => ({
        authorization: `Bearer ${await serverSigned({ ...validClaims(), exp: String(nowSeconds() + 300) })}`,
      }),
    ],
    [
      'a token without a subject',
      async () => {
        return { authorization: `Bearer ${await serverSigned(profile.anonymous())}` };
      },
    ],
    [
      'a token from another issuer',
      async () => ({ authorization: `Bearer ${await serverSigned(validClaims({ iss: 'https://evil.example' }))}` }),
    ],
    [
      'a token for another audience',
      async () => ({ authorization: `Bearer ${await serverSigned(validClaims({ aud: 'another-api' }))}` }),
    ],
    [
      'a tampered payload (subject and permissions rewritten)',
      async () => ({
        authorization: `Bearer ${withSegment(await serverSigned(validClaims({ permissions: [] })), 1, segment(validClaims({ sub: 'admin' })))}`,
      }),
    ],
    ['a tampered signature', async () => ({ authorization: `Bearer ${flipped(await serverSigned(), 2)}` })],
    ['a truncated signature', async () => ({ authorization: `Bearer ${(await serverSigned()).slice(0, -10)}` })],
    [
      'a token cut to two segments',
      async () => ({ authorization: `Bearer ${(await serverSigned()).split('.').slice(0, 2).join('.')}` }),
    ],
    [
      'a token with a fourth segment',
      async () => {
        const jwt = await serverSigned();
        return { authorization: `Bearer ${jwt}.${jwt.split('.')[2]}` };
      },
    ],
    [
      'a token with five segments (JWE-shaped)',
      async () => ({ authorization: `Bearer ${await serverSigned()}.AAAA.BBBB` }),
    ],
    [
      'a "!" inside the payload (not base64url)',
      async () => {
        const jwt = await serverSigned();
        const payload = jwt.split('.')[1] ?? '';
        return { authorization: `Bearer ${withSegment(jwt, 1, `${payload.slice(0, 5)}!${payload.slice(6)}`)}` };
      },
    ],
    [
      'base64 "+" and "/" in place of base64url "-" and "_"',
      async () => {
        let jwt = await serverSigned();
        // Re-sign until the token has a character that base64 and base64url spell differently.
        while (!/[-_]/.test(jwt)) jwt = await serverSigned(validClaims({ jti: String(Math.random()) }));
        return { authorization: `Bearer ${jwt.replaceAll('-', '+').replaceAll('_', '/')}` };
      },
    ],
    ['base64 padding appended to the signature', async () => ({ authorization: `Bearer ${await serverSigned()}=` })],
    [
      'a validly signed token over 8 KB',
      async () => ({ authorization: `Bearer ${await serverSigned(validClaims({ padding: 'x'.repeat(9000) }))}` }),
    ],
    ['no Authorization header', () => ({ authorization: undefined })],
    ['an empty Authorization header', () => ({ authorization: '' })],
    ['a valid token without the Bearer scheme', async () => ({ authorization: await serverSigned() })],
    ['"Bearer" doubled', async () => ({ authorization: `Bearer Bearer ${await serverSigned()}` })],
    ['"Bearer" with no token', () => ({ authorization: 'Bearer' })],
    ['two spaces after "Bearer"', async () => ({ authorization: `Bearer  ${await serverSigned()}` })],
    ['a tab after "Bearer"', async () => ({ authorization: `Bearer\t${await serverSigned()}` })],
    [
      'two bearer credentials in one header',
      async () => ({ authorization: `Bearer ${await serverSigned()}, Bearer ${await serverSigned()}` }),
    ],
    ['the Basic scheme', () => ({ authorization: `Basic ${Buffer.from('admin:admin').toString('base64')}` })],
    ['a valid token under the Basic scheme', async () => ({ authorization: `Basic ${await serverSigned()}` })],
    [
      'two Authorization headers, both valid',
      async () => ({ authorization: [`Bearer ${await serverSigned()}`, `Bearer ${await serverSigned()}`] }),
    ],
    [
      'two Authorization headers, a valid one and a forged one',
      async () => ({ authorization: [`Bearer ${await serverSigned()}`, `Bearer ${flipped(await serverSigned(), 2)}`] }),
    ],
  ];
}

const ES256_PROFILE: Profile = {
  alg: 'ES256',
  kid: serverKid,
  key: serverKey,
  claims: validClaims,
  anonymous: () => {
    const { sub: _, ...claims } = validClaims();
    return claims;
  },
};
const HOSTILE = catalogue(ES256_PROFILE);

// Stored content both handlers would serve to a valid token.
const faceId = `hostile-${newPersonId()}`;
const personId = newPersonId();
const documentId = 'hostile-doc';
beforeAll(async () => {
  await putObject(enrollmentPhotoKey(faceId), jpegBytes());
  const stored = await invoke(
    upload,
    uploadEvent(
      [
        { name: 'personId', value: personId },
        { name: 'name', value: 'Doc' },
        { name: 'publicId', value: documentId },
        { name: 'file', filename: 'doc.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.7 secret') },
      ],
      await bothPermissions(),
    ),
  );
  expect(stored.statusCode).toBe(200);
});

const withAuthorization = (authorization: Authorization): Record<string, string | string[]> =>
  authorization === undefined ? {} : { Authorization: authorization };

type Handler = Parameters<typeof invoke>[0];

/** The two handlers every case is sent to, as one deployment wires them. */
const targetsOf = (photo: Handler, document: Handler) =>
  ({
    'the enrollment photo': (authorization: Authorization) =>
      invoke(
        photo,
        apiEvent({ path: `/api/v1/people/enrollmentPhoto/${faceId}`, headers: withAuthorization(authorization) }),
      ),
    'the document download': (authorization: Authorization) =>
      invoke(
        document,
        apiEvent({
          path: `/api/v1/people/${personId}/fileDocuments/${documentId}/data`,
          headers: withAuthorization(authorization),
        }),
      ),
  }) as const;
const TARGETS = targetsOf(enrollmentPhoto, download);
type TargetName = keyof typeof TARGETS;
const targetNames = Object.keys(TARGETS) as TargetName[];

/** Every token-shaped piece of what was sent: none may come back in the answer. */
function secretsOf(authorization: Authorization): string[] {
  const values = authorization === undefined ? [] : Array.isArray(authorization) ? authorization : [authorization];
  return values.flatMap((value) => {
    const credentials = value.replace(/^\S+\s+/, '');
    const pieces = credentials.split(/[.\s,]+/).filter((piece) => piece.length >= 16);
    return credentials.length >= 16 ? [credentials, ...pieces] : pieces;
  });
}

function expectUnauthorized(response: ApiResponse, authorization: Authorization) {
  expectProblem(response, 401);
  expect(response.headers['www-authenticate']).toMatch(/^Bearer\b/);
  const body = response.body.toString('utf8');
  for (const secret of secretsOf(authorization)) expect(body).not.toContain(secret);
  expect(attackerRequests).toBe(0);
}

describe('hostile bearer tokens on the real handlers', () => {
  const rows = HOSTILE.flatMap(([name, build]) => targetNames.map((target) => [name, target, build] as const));

  it.each(rows)('answers 401 for %s (%s), never echoing the token', async (_, target, build) => {
    const { authorization } = await build();
    expectUnauthorized(await TARGETS[target](authorization), authorization);
  });

  it.each(targetNames)('serves %s to the valid token the hostile ones are forged from', async (target) => {
    const response = await TARGETS[target](`Bearer ${await serverSigned()}`);
    expect(response.statusCode).toBe(200);
  });

  it.each(targetNames)('accepts the scheme in lower case ("bearer") on %s', async (target) => {
    const response = await TARGETS[target](`bearer ${await serverSigned()}`);
    expect(response.statusCode).toBe(200);
  });

  it.each(targetNames)('accepts a token issued within the clock tolerance on %s', async (target) => {
    const response = await TARGETS[target](`Bearer ${await serverSigned(validClaims({ iat: nowSeconds() + 10 }))}`);
    expect(response.statusCode).toBe(200);
  });
});

const rsa = await generateKeyPair('RS256', { extractable: true });
const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' };
const rsaPem = await exportSPKI(rsa.publicKey);

describe('RS256/HS256 confusion against an RSA key set', () => {
  const logger = makeLogger('silent');
  const handlers = {
    'a PEM public key': makeDownload({
      auth: makeAuthenticator({ keys: publicKeyPem(rsaPem), issuer: ISSUER, audience: AUDIENCE }),
      objects: objectStore,
      documents: documentStore,
      audit: auditRecorder,
      logger,
    }),
    'an RSA JWKS': makeDownload({
      auth: makeAuthenticator({ keys: localKeySet({ keys: [rsaJwk] }), issuer: ISSUER, audience: AUDIENCE }),
      objects: objectStore,
      documents: documentStore,
      audit: auditRecorder,
      logger,
    }),
  } as const;
  type KeySetName = keyof typeof handlers;
  const keySets = Object.keys(handlers) as KeySetName[];
  const get = (keySet: KeySetName, authorization: string) =>
    invoke(
      handlers[keySet],
      apiEvent({ path: `/api/v1/people/${personId}/fileDocuments/${documentId}/data`, headers: bearer(authorization) }),
    );

  const der = Buffer.from(rsaPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  const secrets: readonly (readonly [string, Uint8Array])[] = [
    ['the PEM text', encoder.encode(rsaPem)],
    ['the PEM text without its final newline', encoder.encode(rsaPem.trimEnd())],
    ['the DER bytes', der],
    ['the JWK as JSON', encoder.encode(JSON.stringify(rsaJwk))],
    ['the modulus n', Buffer.from(rsaJwk.n ?? '', 'base64url')],
  ];
  const rows = secrets.flatMap(([name, secret]) => keySets.map((keySet) => [name, keySet, secret] as const));

  it.each(rows)('answers 401 for HS256 keyed with %s of the key behind %s', async (_, keySet, secret) => {
    const forged = await signed({ alg: 'HS256', kid: 'rsa-1' }, validClaims(), secret);
    const response = await get(keySet, forged);
    expectUnauthorized(response, `Bearer ${forged}`);
  });

  it.each(keySets)('serves the document to a genuine RS256 token through %s', async (keySet) => {
    const genuine = await signed({ alg: 'RS256', kid: 'rsa-1' }, validClaims(), rsa.privateKey);
    expect((await get(keySet, genuine)).statusCode).toBe(200);
  });
});

/*
 * The customer's Identities server signs with one HS256 secret (no kid, no public key): the whole
 * catalogue again against a deployment holding that secret, then the forgeries only a shared secret invites.
 */
const SECRET = 'the-identities-server-hs256-secret-of-acme';
const SECRET_ROLE = `Hostile reader ${newPersonId()}`;
const aspNetClaims = (extra: JWTPayload = {}): JWTPayload => ({
  unique_name: 'attacker',
  nameid: '666',
  role: SECRET_ROLE,
  nbf: nowSeconds(),
  exp: nowSeconds() + 300,
  iat: nowSeconds(),
  iss: ISSUER,
  aud: AUDIENCE,
  ...extra,
});
const HS256_PROFILE: Profile = {
  alg: 'HS256',
  kid: undefined,
  key: encoder.encode(SECRET),
  claims: aspNetClaims,
  anonymous: () => {
    const { unique_name: _, nameid: __, ...claims } = aspNetClaims();
    return claims;
  },
};

/** A compact JWS whose signature is an HMAC computed here, over any header, with any key bytes. */
function hmacToken(header: object, payload: object, key: Uint8Array | string, hash = 'sha256'): string {
  const input = `${segment(header)}.${segment(payload)}`;
  return `${input}.${createHmac(hash, key).update(input).digest('base64url')}`;
}

/** Forgeries of a token signed with a shared secret. */
const SECRET_FORGERIES: readonly Case[] = [
  [
    'a token signed with another secret of the same length',
    () => ({
      authorization: `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT' }, aspNetClaims(), SECRET.replace('acme', 'evil'))}`,
    }),
  ],
  [
    'a token signed with the SHA-256 of the secret (raw)',
    () => ({
      authorization: `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT' }, aspNetClaims(), createHash('sha256').update(SECRET).digest())}`,
    }),
  ],
  [
    'a token signed with the SHA-256 of the secret (hex)',
    () => ({
      authorization: `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT' }, aspNetClaims(), createHash('sha256').update(SECRET).digest('hex'))}`,
    }),
  ],
  [
    'a token signed with the secret read as base64',
    () => ({
      authorization: `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT' }, aspNetClaims(), Buffer.from(SECRET, 'base64'))}`,
    }),
  ],
  [
    'a token signed with the secret and a line end',
    () => ({ authorization: `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT' }, aspNetClaims(), `${SECRET}\n`)}` }),
  ],
  [
    'a token signed with the secret cut to 31 bytes',
    () => ({ authorization: `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT' }, aspNetClaims(), SECRET.slice(0, 31))}` }),
  ],
  [
    'a token signed with an empty key',
    () => ({ authorization: `Bearer ${hmacToken({ alg: 'HS256', typ: 'JWT' }, aspNetClaims(), '')}` }),
  ],
  [
    'HS384 with the real secret (only HS256 is pinned)',
    () => ({ authorization: `Bearer ${hmacToken({ alg: 'HS384', typ: 'JWT' }, aspNetClaims(), SECRET, 'sha384')}` }),
  ],
  [
    'HS512 with the real secret (only HS256 is pinned)',
    () => ({ authorization: `Bearer ${hmacToken({ alg: 'HS512', typ: 'JWT' }, aspNetClaims(), SECRET, 'sha512')}` }),
  ],
  [
    'alg "hs256" in lower case, with the real secret',
    () => ({ authorization: `Bearer ${hmacToken({ alg: 'hs256', typ: 'JWT' }, aspNetClaims(), SECRET)}` }),
  ],
  [
    'alg switched to RS256 over an HMAC signature by the real secret',
    () => ({ authorization: `Bearer ${hmacToken({ alg: 'RS256', typ: 'JWT' }, aspNetClaims(), SECRET)}` }),
  ],
  [
    'alg switched to ES256 over an HMAC signature by the real secret',
    () => ({ authorization: `Bearer ${hmacToken({ alg: 'ES256', typ: 'JWT' }, aspNetClaims(), SECRET)}` }),
  ],
  [
    "RS256 signed with the attacker's key, embedded as a jwk header",
    async () => {
      const rsaAttacker = await generateKeyPair('RS256', { extractable: true });
      const jwk = await exportJWK(rsaAttacker.publicKey);
      return {
        authorization: `Bearer ${await signed({ alg: 'RS256', typ: 'JWT', jwk }, aspNetClaims(), rsaAttacker.privateKey)}`,
      };
    },
  ],
  [
    "ES256 signed with the attacker's key",
    async () => ({
      authorization: `Bearer ${await signed({ alg: 'ES256', typ: 'JWT' }, aspNetClaims(), attacker.privateKey)}`,
    }),
  ],
  [
    'an HMAC signature of zeros',
    () => {
      const jwt = hmacToken({ alg: 'HS256', typ: 'JWT' }, aspNetClaims(), SECRET);
      return { authorization: `Bearer ${withSegment(jwt, 2, Buffer.alloc(32).toString('base64url'))}` };
    },
  ],
  [
    'the real signature over a payload with the role rewritten',
    () => {
      const jwt = hmacToken({ alg: 'HS256', typ: 'JWT' }, aspNetClaims({ role: 'Nobody' }), SECRET);
      return { authorization: `Bearer ${withSegment(jwt, 1, segment(aspNetClaims()))}` };
    },
  ],
  [
    'a genuine token of another kind (typ logout+jwt)',
    () => ({ authorization: `Bearer ${hmacToken({ alg: 'HS256', typ: 'logout+jwt' }, aspNetClaims(), SECRET)}` }),
  ],
];

describe("the hostile catalogue against the Identities server's HS256 secret", () => {
  beforeAll(() => roleStore.put({ name: SECRET_ROLE, permissions: [PERMISSIONS.readFiles] }));
  const deployment = (jwt: Record<string, string>) => {
    const settings = readSettings({ ...process.env, JWT_JWKS: '', JWT_ISSUER: '', JWT_AUDIENCE: '', ...jwt });
    return targetsOf(enrollmentPhotoHandler(settings), downloadFileDocumentHandler(settings));
  };
  const deployments = {
    'iss and aud verified': deployment({ JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE }),
    'iss and aud unchecked': deployment({ JWT_SECRET: SECRET, JWT_UNCHECKED_CLAIMS: 'iss,aud' }),
  } as const;
  const verified = deployments['iss and aud verified'];
  const rows = [...catalogue(HS256_PROFILE), ...SECRET_FORGERIES].flatMap(([name, build]) =>
    targetNames.map((target) => [name, target, build] as const),
  );

  it.each(rows)('answers 401 for %s (%s), never echoing the token', async (_, target, build) => {
    const { authorization } = await build();
    expectUnauthorized(await verified[target](authorization), authorization);
  });

  const unchecked = SECRET_FORGERIES.flatMap(([name, build]) =>
    targetNames.map((target) => [name, target, build] as const),
  );
  it.each(unchecked)('answers 401 for %s (%s) where iss and aud are unchecked', async (_, target, build) => {
    const { authorization } = await build();
    expectUnauthorized(await deployments['iss and aud unchecked'][target](authorization), authorization);
  });

  const genuine = (Object.keys(deployments) as (keyof typeof deployments)[]).flatMap((name) =>
    targetNames.map((target) => [target, name] as const),
  );
  it.each(genuine)('serves %s to the genuine token the forgeries are made from (%s)', async (target, name) => {
    const jwt = hmacToken({ alg: 'HS256', typ: 'JWT' }, aspNetClaims(), SECRET);
    expect((await deployments[name][target](`Bearer ${jwt}`)).statusCode).toBe(200);
  });
});
