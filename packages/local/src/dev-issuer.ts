import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PERMISSIONS } from '@identities/core';
import { exportJWK, generateKeyPair, importJWK, type JSONWebKeySet, type JWK, SignJWT } from 'jose';

/** Tokens of the local and on-prem dev issuer carry these; a customer's own issuer replaces them. */
export const DEV_ISSUER = 'identities-dev';
export const DEV_AUDIENCE = 'identities';
export const JWKS_PATH = '/.well-known/jwks.json';

export interface DevIssuer {
  readonly jwks: JSONWebKeySet;
  sign(options: TokenRequest): Promise<string>;
}

export interface TokenRequest {
  readonly subject?: string;
  readonly permissions?: readonly string[];
  readonly roles?: readonly string[];
  /** A jose duration ("1h", "30m") or seconds. */
  readonly expiresIn?: string | number;
}

export const ALL_FILE_PERMISSIONS = [PERMISSIONS.addFiles, PERMISSIONS.readFiles];

interface StoredKey {
  readonly privateJwk: JWK;
  readonly publicJwk: JWK;
}

/**
 * The development issuer: an ES256 key pair made on first start and kept in the data dir (readable by
 * its owner only), so tokens survive restarts and the CLI signs with the server's key.
 */
export async function loadDevIssuer(dataDir: string, create = true): Promise<DevIssuer | undefined> {
  const file = join(dataDir, 'dev-issuer.json');
  let stored: StoredKey;
  try {
    stored = JSON.parse(await readFile(file, 'utf8')) as StoredKey;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    if (!create) return undefined;
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
    const kid = randomUUID();
    stored = {
      privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256' },
      publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' },
    };
    await writeFile(file, JSON.stringify(stored), { mode: 0o600, flag: 'wx' }).catch(async (writeError) => {
      // Another process made it first: use theirs.
      if ((writeError as NodeJS.ErrnoException).code !== 'EEXIST') throw writeError;
      stored = JSON.parse(await readFile(file, 'utf8')) as StoredKey;
    });
  }
  const key = await importJWK(stored.privateJwk, 'ES256');
  return {
    jwks: { keys: [stored.publicJwk] },
    sign(request) {
      return new SignJWT({
        ...(request.permissions === undefined ? {} : { permissions: [...request.permissions] }),
        ...(request.roles === undefined || request.roles.length === 0 ? {} : { roles: [...request.roles] }),
      })
        .setProtectedHeader({ alg: 'ES256', kid: stored.privateJwk.kid ?? '', typ: 'JWT' })
        .setSubject(request.subject ?? 'dev-user')
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime(request.expiresIn ?? '12h')
        .sign(key);
    },
  };
}

/** What the customer's Identities server writes into a token for one user. */
export interface IdentitiesServerTokenRequest {
  /** `unique_name`: the user name. */
  readonly name: string;
  /** `nameid`: the user's id, when the server writes one. */
  readonly nameId?: string;
  readonly email?: string;
  /** `role`: one string for one role, an array for several, absent for none. */
  readonly roles?: readonly string[];
  /** `iss` and `aud`: written only when the server is configured with them. */
  readonly issuer?: string;
  readonly audience?: string;
  /** Seconds. */
  readonly expiresInSeconds: number;
}

/**
 * A token shaped as the customer's Identities server issues them (ASP.NET Core's JwtSecurityTokenHandler):
 * header `{"alg":"HS256","typ":"JWT"}`, claims `unique_name`, `nameid`, `email`, `role`, then `nbf`, `exp`
 * and `iat` in seconds, and `iss`/`aud` only when given. For local work against a server configured
 * with the same secret.
 */
export function signIdentitiesServerToken(
  secret: string,
  request: IdentitiesServerTokenRequest,
  now = Date.now(),
): Promise<string> {
  const issuedAt = Math.floor(now / 1000);
  const roles = request.roles ?? [];
  return new SignJWT({
    unique_name: request.name,
    ...(request.nameId === undefined ? {} : { nameid: request.nameId }),
    ...(request.email === undefined ? {} : { email: request.email }),
    ...(roles.length === 0 ? {} : { role: roles.length === 1 ? roles[0] : [...roles] }),
    nbf: issuedAt,
    exp: issuedAt + request.expiresInSeconds,
    iat: issuedAt,
    ...(request.issuer === undefined ? {} : { iss: request.issuer }),
    ...(request.audience === undefined ? {} : { aud: request.audience }),
  })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}
