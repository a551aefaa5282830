import { PERMISSIONS } from '@identities/core';
import { importJWK, type JWTPayload, SignJWT } from 'jose';
import { inject } from 'vitest';
import { AUDIENCE, ISSUER } from './global-setup.ts';

export { AUDIENCE, ISSUER };

const signingKey = inject('signingKey');
const key = await importJWK(signingKey, 'ES256');

export interface TokenOptions {
  readonly claims?: JWTPayload & Record<string, unknown>;
  readonly subject?: string;
  readonly issuer?: string;
  readonly audience?: string;
  readonly expiresIn?: string | number;
}

/** A token the API under test trusts (signed with the run's key), with the given claims. */
export async function token(options: TokenOptions = {}): Promise<string> {
  const jwt = new SignJWT({ ...options.claims })
    .setProtectedHeader({ alg: 'ES256', kid: signingKey.kid ?? 'test-key' })
    .setSubject(options.subject ?? 'user-1')
    .setIssuer(options.issuer ?? ISSUER)
    .setAudience(options.audience ?? AUDIENCE)
    .setExpirationTime(options.expiresIn ?? '5m');
  return (options.claims?.iat === undefined ? jwt.setIssuedAt() : jwt).sign(key);
}

export const bothPermissions = () => token({ claims: { permissions: [PERMISSIONS.addFiles, PERMISSIONS.readFiles] } });
export const bearer = (jwt: string) => ({ Authorization: `Bearer ${jwt}` });
