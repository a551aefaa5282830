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
