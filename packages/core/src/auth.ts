import { createPublicKey, type KeyObject } from 'node:crypto';
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  type JSONWebKeySet,
  type JWTPayload,
  type JWTVerifyGetKey,
  jwtVerify,
} from 'jose';

export type { JSONWebKeySet } from 'jose';

import { ForbiddenError, ServiceUnavailableError, UnauthorizedError } from './errors.ts';
import type { HttpRequest } from './http.ts';
import type { RoleStore } from './ports.ts';
import { PERMISSIONS, type Permission } from './routes.ts';

/** Where the keys that sign tokens come from, and the algorithms they may be used with (pinned). */
export interface KeySource {
  readonly key: JWTVerifyGetKey | KeyObject | Uint8Array;
  readonly algorithms: readonly string[];
}

export const DEFAULT_ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256'] as const;

/**
 * Keys published at a JWKS URL. The resolver caches keys and is meant to be created once per
 * container. When the key set cannot be fetched the answer is 503 (retry), not 401: the token may
 * well be valid.
 */
export function remoteKeySet(
  url: URL,
  algorithms: readonly string[] = DEFAULT_ASYMMETRIC_ALGORITHMS,
  options: { timeoutMs?: number; cooldownMs?: number; cacheMaxAgeMs?: number } = {},
): KeySource {
  const jwks = createRemoteJWKSet(url, {
    timeoutDuration: options.timeoutMs ?? 3000,
    cooldownDuration: options.cooldownMs ?? 30_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 600_000,
  });
  const key: JWTVerifyGetKey = async (header, token) => {
    try {
      return await jwks(header, token);
    } catch (error) {
      if (isTokenFault(error)) throw error;
      // The endpoint is down or slow while refreshing a stale cache: the keys already fetched still
      // verify the tokens they signed. Only a token whose key was never seen waits for the endpoint.
      const unavailable = new ServiceUnavailableError('The token signing keys could not be fetched.', {
        cause: error,
        retryAfterSeconds: 5,
      });
      const known = jwks.jwks();
      if (known === undefined) throw unavailable;
      try {
        return await createLocalJWKSet(known)(header, token);
      } catch (lookup) {
        // An unknown key may be a newly rotated one that only the endpoint knows: retry, not 401.
        throw lookup instanceof errors.JWKSNoMatchingKey ? unavailable : lookup;
      }
    }
  };
  return { key, algorithms };
}

function isTokenFault(error: unknown): boolean {
  return (
    error instanceof errors.JWKSNoMatchingKey ||
    error instanceof errors.JWKSMultipleMatchingKeys ||
    error instanceof errors.JOSENotSupported ||
    error instanceof errors.JOSEAlgNotAllowed
  );
}

/** Keys from a JWKS document held locally (configuration or a file). */
export function localKeySet(
  jwks: JSONWebKeySet,
  algorithms: readonly string[] = DEFAULT_ASYMMETRIC_ALGORITHMS,
): KeySource {
  return { key: createLocalJWKSet(jwks), algorithms };
}

/** One public key in PEM (SPKI or certificate); the algorithm follows from the key unless given. */
export function publicKeyPem(pem: string, algorithms?: readonly string[]): KeySource {
  const key = createPublicKey(pem);
  return { key, algorithms: algorithms ?? [algorithmFor(key)] };
}

function algorithmFor(key: KeyObject): string {
  const type = key.asymmetricKeyType;
  if (type === 'rsa') return 'RS256';
  if (type === 'ed25519') return 'EdDSA';
  if (type === 'ec') {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    if (curve === 'prime256v1') return 'ES256';
    if (curve === 'secp384r1') return 'ES384';
    if (curve === 'secp521r1') return 'ES512';
  }
  throw new Error(`unsupported public key type ${type ?? 'unknown'}: set the algorithms explicitly`);
}

/** A shared HS256 secret, for on-prem installs whose issuer signs that way. */
export function sharedSecret(secret: string): KeySource {
  const bytes = new TextEncoder().encode(secret);
  // RFC 7518 §3.2: an HS256 key must be at least as long as the hash.
  if (bytes.length < 32) throw new Error('the HS256 secret must be at least 32 bytes');
  return { key: bytes, algorithms: ['HS256'] };
}

export interface Principal {
  readonly subject: string;
  /** Permissions granted directly by the token's `permissions` claim. */
  readonly permissions: ReadonlySet<string>;
  /** Roles named by the token, resolved to permissions only when needed. */
  readonly roles: readonly string[];
}

export interface Authenticator {
  /** Verifies the bearer token; every failure is a 401 (503 when the keys cannot be fetched). */
  authenticate(request: HttpRequest): Promise<Principal>;
  /** Throws 403 unless the principal holds the permission (null: any authenticated user). */
  authorize(principal: Principal, permission: Permission | null): Promise<void>;
}

export interface AuthOptions {
  readonly keys: KeySource;
  readonly issuer: string;
  readonly audience: string | readonly string[];
  /** Resolves role claims to permissions; without one, only the `permissions` claim counts. */
  readonly roles?: RoleStore;
  readonly clockToleranceSeconds?: number;
  readonly roleCacheMs?: number;
  readonly now?: () => number;
}

const NO_ROLES: RoleStore = { permissionsOf: async () => undefined };

export const MAX_TOKEN_LENGTH = 8192;
export const ROLE_CLAIMS = ['role', 'roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
const NAME_IDENTIFIER_CLAIM = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier';

// RFC 6750 §2.1 / RFC 9110 §11: the scheme is case-insensitive, then exactly one space and a token68.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;

export function makeAuthenticator(options: AuthOptions): Authenticator {
  const { keys, issuer } = options;
  const roles = options.roles ?? NO_ROLES;
  const audience = typeof options.audience === 'string' ? options.audience : [...options.audience];
  const tolerance = options.clockToleranceSeconds ?? 30;
  const roleCacheMs = options.roleCacheMs ?? 60_000;
  const now = options.now ?? Date.now;
  const roleCache = new Map<string, { permissions: readonly string[]; expires: number }>();

  async function verify(token: string): Promise<JWTPayload> {
    const verifyOptions = {
      algorithms: [...keys.algorithms],
      issuer,
      audience,
      clockTolerance: tolerance,
      currentDate: new Date(now()),
      requiredClaims: ['exp'],
    };
    return typeof keys.key === 'function'
      ? (await jwtVerify(token, keys.key, verifyOptions)).payload
      : (await jwtVerify(token, keys.key, verifyOptions)).payload;
  }

  async function permissionsOfRole(role: string): Promise<readonly string[]> {
    const cached = roleCache.get(role);
    if (cached !== undefined && cached.expires > now()) return cached.permissions;
    const permissions = (await roles.permissionsOf(role)) ?? [];
    roleCache.set(role, { permissions, expires: now() + roleCacheMs });
    return permissions;
  }

  return {
    async authenticate(request) {
      if (request.repeatedHeaders.has('authorization')) {
        throw new UnauthorizedError('Send exactly one Authorization header.');
      }
      const header = request.headers.authorization;
      if (header === undefined || header === '') throw new UnauthorizedError('A bearer token is required.');
      if (header.length > MAX_TOKEN_LENGTH) throw new UnauthorizedError('The bearer token is too long.');
      const token = BEARER.exec(header)?.[1];
      if (token === undefined) throw new UnauthorizedError('Use the Authorization scheme "Bearer <token>".');
      let payload: JWTPayload;
      try {
        payload = await verify(token);
      } catch (error) {
        if (error instanceof ServiceUnavailableError) throw error;
        throw new UnauthorizedError(reasonFor(error), { cause: error });
      }
      if (typeof payload.iat === 'number' && payload.iat > now() / 1000 + tolerance) {
        throw new UnauthorizedError('The token was issued in the future.');
      }
      const subject = stringClaim(payload.sub) ?? stringClaim(payload[NAME_IDENTIFIER_CLAIM]);
      if (subject === undefined) throw new UnauthorizedError('The token names no subject.');
      return {
        subject,
        permissions: permissionsClaim(payload.permissions),
        roles: [...new Set(ROLE_CLAIMS.flatMap((claim) => listClaim(payload[claim])))],
      };
    },

    async authorize(principal, permission) {
      if (permission === null || principal.permissions.has(permission)) return;
      const granted = await Promise.all(principal.roles.map(permissionsOfRole));
      if (granted.some((permissions) => permissions.includes(permission))) return;
      throw new ForbiddenError(`This operation needs the "${permission}" permission.`);
    },
  };
}

function reasonFor(error: unknown): string {
  if (error instanceof errors.JWTExpired) return 'The token has expired.';
  if (error instanceof errors.JWTClaimValidationFailed) {
    if (error.claim === 'nbf') return 'The token is not valid yet.';
    if (error.claim === 'iss') return 'The token was issued by an issuer this API does not trust.';
    if (error.claim === 'aud') return 'The token is meant for another audience.';
    return `The token's "${error.claim}" claim is missing or invalid.`;
  }
  return 'The token is invalid.';
}

function stringClaim(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** A claim that is one string or an array of strings. */
function listClaim(value: unknown): string[] {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  return items
    .filter((item): item is string => typeof item === 'string' && item.trim() !== '')
    .map((item) => item.trim());
}

/**
 * The `permissions` claim: an array of names, or one space-separated string. Permission names contain
 * spaces themselves, so in a string a known name counts when its words stand together between word
 * boundaries ("Add Identity Files Read Identity Files" grants both).
 */
function permissionsClaim(value: unknown): ReadonlySet<string> {
  if (typeof value !== 'string') return new Set(listClaim(value));
  const words = ` ${value.trim().split(/\s+/).join(' ')} `;
  return new Set(Object.values(PERMISSIONS).filter((permission) => words.includes(` ${permission} `)));
}
