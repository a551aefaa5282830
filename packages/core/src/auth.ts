import { createPublicKey, type KeyObject } from 'node:crypto';
import { get as httpGet } from 'node:http';
import { get as httpsGet } from 'node:https';
import { rootCertificates } from 'node:tls';
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTPayload, type JWTVerifyGetKey, jwtVerify } from 'jose';

export type { JSONWebKeySet } from 'jose';

import { ForbiddenError, ServiceUnavailableError, UnauthorizedError } from './errors.ts';
import type { HttpRequest, Principal } from './http-types.ts';
import type { RoleStore } from './ports.ts';
import { PERMISSIONS, type Permission } from './routes.ts';

/** Where the keys that sign tokens come from, and the algorithms they may be used with (pinned). */
export interface KeySource {
  readonly key: JWTVerifyGetKey | KeyObject | Uint8Array;
  readonly algorithms: readonly string[];
  /** The issuer whose discovery document named the keys: tokens must carry exactly this `iss`. */
  readonly issuer?: string;
  /** Resolves once keys are in hand (fetching them if none are yet); keys given inline always are. */
  readonly ready?: () => Promise<void>;
}

const DEFAULT_ASYMMETRIC_ALGORITHMS = ['RS256', 'ES256'] as const;
const HMAC_ALGORITHMS = ['HS256', 'HS384', 'HS512'];

/**
 * Public keys verify only public-key algorithms: an HMAC algorithm "keyed" with a public key, or `none`,
 * would let anyone who knows the public key sign (RFC 8725 §2.1, §3.1).
 */
function publicKeyAlgorithms(algorithms: readonly string[]): readonly string[] {
  const refused = algorithms.filter(
    (alg) => HMAC_ALGORITHMS.includes(alg.toUpperCase()) || alg.toLowerCase() === 'none',
  );
  if (refused.length > 0 || algorithms.length === 0) {
    throw new Error(`public keys verify only public-key algorithms, not ${refused.join(', ') || 'none at all'}`);
  }
  return algorithms;
}

export interface RemoteKeyOptions {
  readonly timeoutMs?: number;
  readonly cooldownMs?: number;
  readonly cacheMaxAgeMs?: number;
  /** CA certificates (PEM) trusted besides the system's for these fetches: an issuer with a private CA. */
  readonly ca?: string;
  readonly now?: () => number;
}

/**
 * Keys published at a JWKS URL. The resolver caches keys and is meant to be created once per
 * container. When the key set cannot be fetched the answer is 503 (retry), not 401: the token may
 * well be valid. An unknown key id refetches the set, at most once per cooldown (key rotation).
 *
 * The set is fetched with node:http(s), not jose's `createRemoteJWKSet`, which builds a `Headers` and
 * calls `fetch`: either loads undici, about 20 ms and 20 MB of every cold start, for one request. It is
 * fetched at creation, without waiting for a first token.
 */
export function remoteKeySet(
  url: URL,
  algorithms: readonly string[] = DEFAULT_ASYMMETRIC_ALGORITHMS,
  options: RemoteKeyOptions = {},
): KeySource {
  // Algorithms first: a refused setting must fail before anything is fetched.
  const pinned = publicKeyAlgorithms(algorithms);
  return { ...keysAt(() => Promise.resolve(url), options), algorithms: pinned };
}

/**
 * The keys of an OpenID provider, found from its issuer URL alone: its discovery document
 * (`<issuer>/.well-known/openid-configuration`) names the JWKS URL, which is then used as a JWKS URL
 * is (cached, refetched for an unknown key id, the same outage behaviour). The document must name
 * exactly this issuer (OpenID Connect Discovery §4.3) and an https `jwks_uri`; once read, it is kept
 * for the container's life. Tokens must carry this issuer.
 */
export function discoveredKeySet(
  issuer: string,
  algorithms: readonly string[] = DEFAULT_ASYMMETRIC_ALGORITHMS,
  options: RemoteKeyOptions = {},
): KeySource {
  const pinned = publicKeyAlgorithms(algorithms);
  const discovery = discoveryUrl(issuer);
  const timeoutMs = options.timeoutMs ?? 3000;
  let jwksUri: URL | undefined;
  const locate = async (): Promise<URL> => {
    if (jwksUri !== undefined) return jwksUri;
    const document = await fetchJson(discovery, timeoutMs, options.ca);
    const named = typeof document === 'object' && document !== null ? (document as Record<string, unknown>) : {};
    if (named.issuer !== issuer) {
      throw new Error(`the discovery document names the issuer ${JSON.stringify(named.issuer)}, not ${issuer}`);
    }
    const uri =
      typeof named.jwks_uri === 'string' && URL.canParse(named.jwks_uri) ? new URL(named.jwks_uri) : undefined;
    if (uri?.protocol !== 'https:') throw new Error('the discovery document names no https jwks_uri');
    jwksUri = uri;
    return uri;
  };
  return { ...keysAt(locate, options), algorithms: pinned, issuer };
}

/** `<issuer>/.well-known/openid-configuration`, for an https issuer URL without query or fragment. */
export function discoveryUrl(issuer: string): URL {
  const url = URL.canParse(issuer) ? new URL(issuer) : undefined;
  if (
    url?.protocol !== 'https:' ||
    url.search !== '' ||
    url.hash !== '' ||
    url.username !== '' ||
    url.password !== ''
  ) {
    throw new Error(`an OpenID issuer is an https URL without query, fragment or credentials, not ${issuer}`);
  }
  return new URL(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
}

function keysAt(
  locate: () => Promise<URL>,
  options: RemoteKeyOptions,
): { key: JWTVerifyGetKey; ready: () => Promise<void> } {
  const now = options.now ?? Date.now;
  const timeoutMs = options.timeoutMs ?? 3000;
  const cooldownMs = options.cooldownMs ?? 30_000;
  const maxAgeMs = options.cacheMaxAgeMs ?? 600_000;
  type LocalKeys = ReturnType<typeof createLocalJWKSet>;
  let known: LocalKeys | undefined;
  let fetchedAt = Number.NEGATIVE_INFINITY;
  let failedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<LocalKeys> | undefined;
  const unavailable = (cause: unknown) =>
    new ServiceUnavailableError('The token signing keys could not be fetched.', { cause, retryAfterSeconds: 5 });
  const reload = (): Promise<LocalKeys> => {
    pending ??= locate()
      .then((url) => fetchJson(url, timeoutMs, options.ca))
      .then((jwks) => {
        known = createLocalJWKSet(jwks as JSONWebKeySet);
        fetchedAt = now();
        return known;
      })
      .catch((error: unknown) => {
        failedAt = now();
        throw error;
      })
      .finally(() => {
        pending = undefined;
      });
    return pending;
  };
  const key: JWTVerifyGetKey = async (header, token) => {
    let keys = known;
    // With keys in hand, a refresh that just failed is not retried at once: requests would each wait
    // out the timeout during an outage. With none, every request tries (concurrent ones share a fetch).
    const backingOff = keys !== undefined && now() - failedAt < cooldownMs;
    if (keys === undefined || (now() - fetchedAt >= maxAgeMs && !backingOff)) {
      try {
        keys = await reload();
      } catch (error) {
        // The endpoint is down or slow while refreshing a stale cache: the keys already fetched still
        // verify the tokens they signed. Only a token whose key was never seen waits for the endpoint.
        if (keys === undefined) throw unavailable(error);
      }
    }
    try {
      return await keys(header, token);
    } catch (error) {
      if (!(error instanceof errors.JWKSNoMatchingKey) || now() - fetchedAt < cooldownMs) throw error;
      // An unknown key may be a newly rotated one that only the endpoint knows: refetch, or retry (503).
      if (now() - failedAt < cooldownMs) throw unavailable(error);
      let refreshed: LocalKeys;
      try {
        refreshed = await reload();
      } catch (reloadError) {
        throw unavailable(reloadError);
      }
      return await refreshed(header, token);
    }
  };
  // Fetched as soon as the container initialises, so the first request finds the keys in hand; a
  // failure here is retried by that request.
  reload().catch(() => undefined);
  const ready = async () => {
    if (known !== undefined) return;
    try {
      await reload();
    } catch (error) {
      throw unavailable(error);
    }
  };
  return { key, ready };
}

const MAX_JWKS_BYTES = 1024 * 1024;

/** One GET of a JSON document, bounded in time and size. */
function fetchJson(url: URL, timeoutMs: number, ca: string | undefined): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const get = url.protocol === 'https:' ? httpsGet : httpGet;
    const headers = { accept: 'application/json, application/jwk-set+json' };
    // Extra CAs are added to the system's, never instead of verification.
    const trust = ca === undefined || url.protocol !== 'https:' ? {} : { ca: [...rootCertificates, ca] };
    const request = get(url, { headers, ...trust }, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`${url.origin}${url.pathname} answered ${response.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_JWKS_BYTES) request.destroy(new Error('the JWKS document is too large'));
        else chunks.push(chunk);
      });
      response.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        } catch (error) {
          reject(error);
        }
      });
      response.on('error', reject);
    });
    const timer = setTimeout(() => request.destroy(new Error('the JWKS request timed out')), timeoutMs);
    request.on('close', () => clearTimeout(timer));
    request.on('error', reject);
  });
}

/** Keys from a JWKS document held locally (configuration or a file). */
export function localKeySet(
  jwks: JSONWebKeySet,
  algorithms: readonly string[] = DEFAULT_ASYMMETRIC_ALGORITHMS,
): KeySource {
  return { key: createLocalJWKSet(jwks), algorithms: publicKeyAlgorithms(algorithms) };
}

/** One public key in PEM (SPKI or certificate); the algorithm follows from the key unless given. */
export function publicKeyPem(pem: string, algorithms?: readonly string[]): KeySource {
  const key = createPublicKey(pem);
  return { key, algorithms: publicKeyAlgorithms(algorithms ?? [algorithmFor(key)]) };
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

/**
 * A shared HMAC secret (its UTF-8 bytes), as the customer's Identities server signs its tokens (HS256).
 * Only HMAC algorithms are accepted with it: a token claiming RS256 or ES256 is refused, whatever it holds.
 */
export function sharedSecret(secret: string, algorithms: readonly string[] = ['HS256']): KeySource {
  const bytes = new TextEncoder().encode(secret);
  // RFC 7518 §3.2: an HS256 key must be at least as long as the hash.
  if (bytes.length < 32) throw new Error('the HS256 secret must be at least 32 bytes');
  const refused = algorithms.filter((alg) => !HMAC_ALGORITHMS.includes(alg));
  if (refused.length > 0 || algorithms.length === 0) {
    throw new Error(
      `a shared secret verifies only ${HMAC_ALGORITHMS.join(', ')}, not ${refused.join(', ') || 'none at all'}`,
    );
  }
  return { key: bytes, algorithms };
}

export interface Authenticator {
  /** Verifies the bearer token; every failure is a 401 (503 when the keys cannot be fetched). */
  authenticate(request: HttpRequest): Promise<Principal>;
  /** Throws 403 unless the principal holds the permission (null: any authenticated user). */
  authorize(principal: Principal, permission: Permission | null): Promise<void>;
  /** Resolves once the token signing keys are in hand (503 while they cannot be fetched). */
  ready(): Promise<void>;
}

export interface AuthOptions {
  readonly keys: KeySource;
  /**
   * The `iss` tokens must carry; `null` only for an issuer that sets none (an explicit setting): any
   * token the keys verify is then taken, whatever issuer it names.
   */
  readonly issuer: string | null;
  /** The audience(s), one of which tokens must name; `null` only for an issuer that sets no `aud`. */
  readonly audience: string | readonly string[] | null;
  /** Resolves role claims to permissions; without one, only the `permissions` claim counts. */
  readonly roles?: RoleStore;
  /**
   * Where the token's roles are (Keycloak: `realm_access.roles`): a claim name, or a dot-separated path
   * into nested claims. Unset: `role`, `roles` and the long-form role claim URI.
   */
  readonly rolesClaim?: string;
  readonly clockToleranceSeconds?: number;
  /**
   * The longest lifetime a token may claim, in seconds (default 7 days): its `exp` at most this far
   * ahead of now, and `exp - iat` at most this much. A leaked token must not stay valid for ever.
   */
  readonly maxTokenLifetimeSeconds?: number;
  readonly roleCacheMs?: number;
  /**
   * How long a verified token is remembered, by its exact text (0: never). A client sends one token
   * with every request; its signature need not be checked each time. Expiry still applies.
   */
  readonly verifiedTokenCacheMs?: number;
  readonly now?: () => number;
}

/** Verified tokens remembered at most; the oldest is forgotten first. */
const MAX_VERIFIED_TOKENS = 500;
/** Roles remembered at most; the oldest is forgotten first. */
export const MAX_CACHED_ROLES = 1000;
/** Distinct roles one token may name: each may cost a lookup, and no real user holds more. */
const MAX_TOKEN_ROLES = 64;
/** The longest role name accepted, in characters (well inside the metadata table's 1,024-byte keys). */
const MAX_ROLE_NAME_LENGTH = 128;
/** The longest subject accepted, in characters: it is stored with every document as `createdBy`. */
const MAX_SUBJECT_LENGTH = 1024;
export const DEFAULT_MAX_TOKEN_LIFETIME_SECONDS = 7 * 24 * 3600;

const NO_ROLES: RoleStore = { permissionsOf: async () => undefined };

const MAX_TOKEN_LENGTH = 8192;
const ROLE_CLAIMS = ['role', 'roles', 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role'];
/**
 * The subject, in order: `sub`; else the names ASP.NET Core's JwtSecurityTokenHandler writes (the
 * customer's Identities server): `nameid`, then `unique_name`, each also under its long-form claim URI.
 */
const SUBJECT_CLAIMS = [
  'sub',
  'nameid',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/nameidentifier',
  'unique_name',
  'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name',
];
/**
 * Token types taken as access tokens: none given, `JWT`, or RFC 9068's `at+jwt`. Any other declares a
 * different kind of JWT (a logout token, a DPoP proof, a security event) that must not pass for one.
 */
const ACCESS_TOKEN_TYPES = ['jwt', 'at+jwt', 'application/jwt', 'application/at+jwt'];

// RFC 6750 §2.1 / RFC 9110 §11: the scheme is case-insensitive, then exactly one space and a token68.
const BEARER = /^Bearer ([A-Za-z0-9\-._~+/]+=*)$/i;
// RFC 7515 §7.1: a compact JWS is three base64url parts, unpadded. Anything else (padding, base64's `+`
// and `/`) would be a second spelling of one signed token.
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;

export function makeAuthenticator(options: AuthOptions): Authenticator {
  const { keys } = options;
  if (keys.issuer !== undefined && options.issuer !== keys.issuer) {
    throw new Error(`keys discovered for the issuer ${keys.issuer} verify only its tokens, not ${options.issuer}'s`);
  }
  const issuer = options.issuer ?? undefined;
  const roles = options.roles ?? NO_ROLES;
  const audience =
    options.audience === null
      ? undefined
      : typeof options.audience === 'string'
        ? options.audience
        : [...options.audience];
  const rolesClaim = options.rolesClaim;
  const tolerance = options.clockToleranceSeconds ?? 30;
  const maxLifetime = options.maxTokenLifetimeSeconds ?? DEFAULT_MAX_TOKEN_LIFETIME_SECONDS;
  const roleCacheMs = options.roleCacheMs ?? 60_000;
  const now = options.now ?? Date.now;
  const roleCache = new Map<string, { permissions: readonly string[]; expires: number }>();
  const verifiedTokenCacheMs = options.verifiedTokenCacheMs ?? 60_000;
  const verified = new Map<string, { principal: Principal; until: number }>();

  function remember(token: string, principal: Principal, expiresAt: number | undefined): void {
    if (verifiedTokenCacheMs <= 0) return;
    if (verified.size >= MAX_VERIFIED_TOKENS) verified.delete(verified.keys().next().value as string);
    const expiry = expiresAt === undefined ? Number.POSITIVE_INFINITY : (expiresAt + tolerance) * 1000;
    verified.set(token, { principal, until: Math.min(now() + verifiedTokenCacheMs, expiry) });
  }

  async function verify(token: string): Promise<JWTPayload> {
    const verifyOptions = {
      algorithms: [...keys.algorithms],
      ...(issuer === undefined ? {} : { issuer }),
      ...(audience === undefined ? {} : { audience }),
      clockTolerance: tolerance,
      currentDate: new Date(now()),
      requiredClaims: ['exp'],
    };
    const { payload, protectedHeader } =
      typeof keys.key === 'function'
        ? await jwtVerify(token, keys.key, verifyOptions)
        : await jwtVerify(token, keys.key, verifyOptions);
    if (protectedHeader.typ !== undefined && !ACCESS_TOKEN_TYPES.includes(protectedHeader.typ.toLowerCase())) {
      throw new UnauthorizedError(`A token of type "${protectedHeader.typ}" is not an access token.`);
    }
    return payload;
  }

  async function permissionsOfRole(role: string): Promise<readonly string[]> {
    const cached = roleCache.get(role);
    if (cached !== undefined && cached.expires > now()) return cached.permissions;
    const permissions = (await roles.permissionsOf(role)) ?? [];
    // Re-inserted, so the Map's order stays oldest first; bounded, so tokens naming ever new roles
    // cannot grow the container's memory.
    roleCache.delete(role);
    if (roleCache.size >= MAX_CACHED_ROLES) roleCache.delete(roleCache.keys().next().value as string);
    roleCache.set(role, { permissions, expires: now() + roleCacheMs });
    return permissions;
  }

  return {
    async ready() {
      await keys.ready?.();
    },
    async authenticate(request) {
      if (request.repeatedHeaders.has('authorization')) {
        throw new UnauthorizedError('Send exactly one Authorization header.');
      }
      const header = request.headers.authorization;
      if (header === undefined || header === '') throw new UnauthorizedError('A bearer token is required.');
      if (header.length > MAX_TOKEN_LENGTH) throw new UnauthorizedError('The bearer token is too long.');
      const token = BEARER.exec(header)?.[1];
      if (token === undefined) throw new UnauthorizedError('Use the Authorization scheme "Bearer <token>".');
      if (!COMPACT_JWS.test(token)) {
        throw new UnauthorizedError('The token is invalid: a JWT is three unpadded base64url parts.');
      }
      const known = verified.get(token);
      if (known !== undefined) {
        if (known.until > now()) return known.principal;
        verified.delete(token);
      }
      let payload: JWTPayload;
      try {
        payload = await verify(token);
      } catch (error) {
        if (error instanceof ServiceUnavailableError || error instanceof UnauthorizedError) throw error;
        throw new UnauthorizedError(reasonFor(error), { cause: error });
      }
      if (typeof payload.iat === 'number' && payload.iat > now() / 1000 + tolerance) {
        throw new UnauthorizedError('The token was issued in the future.');
      }
      // jose has checked that exp is a number and not past.
      const exp = payload.exp as number;
      if (
        exp > now() / 1000 + maxLifetime + tolerance ||
        (typeof payload.iat === 'number' && exp - payload.iat > maxLifetime)
      ) {
        throw new UnauthorizedError("The token's lifetime is longer than this API accepts.");
      }
      const subject = SUBJECT_CLAIMS.map((claim) => stringClaim(payload[claim])).find((value) => value !== undefined);
      if (subject === undefined) {
        throw new UnauthorizedError('The token names no subject (sub, nameid or unique_name).');
      }
      if (subject.length > MAX_SUBJECT_LENGTH) {
        throw new UnauthorizedError(`The token's subject is longer than ${MAX_SUBJECT_LENGTH} characters.`);
      }
      const principal = {
        subject,
        permissions: permissionsClaim(payload.permissions),
        roles: roleClaims(payload, rolesClaim),
      };
      remember(token, principal, payload.exp);
      return principal;
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

/**
 * A claim that is one string or an array of strings, taken as is: names are compared byte for byte,
 * so nothing is trimmed or normalised ("Clerk " is not "Clerk"). Empty strings name nothing.
 */
function listClaim(value: unknown): string[] {
  const items: unknown[] = Array.isArray(value) ? value : [value];
  return items.filter((item): item is string => typeof item === 'string' && item !== '');
}

/**
 * The distinct roles the token names, bounded before any is looked up: each costs a lookup, and a
 * name longer than a key the role table can hold would fail there as a 500, not as the token's fault.
 */
function roleClaims(payload: JWTPayload, rolesClaim: string | undefined): string[] {
  const values = rolesClaim === undefined ? ROLE_CLAIMS.map((claim) => payload[claim]) : [claimAt(payload, rolesClaim)];
  const roles = [...new Set(values.flatMap(listClaim))];
  if (roles.length > MAX_TOKEN_ROLES) {
    throw new UnauthorizedError(`The token names more than ${MAX_TOKEN_ROLES} roles.`);
  }
  if (roles.some((role) => role.length > MAX_ROLE_NAME_LENGTH)) {
    throw new UnauthorizedError(`The token names a role longer than ${MAX_ROLE_NAME_LENGTH} characters.`);
  }
  return roles;
}

/**
 * A claim by its whole name (`roles`, a claim URI), else by a dot-separated path through nested
 * objects (`realm_access.roles`). Only a claim's own properties are followed, never inherited ones.
 */
export function claimAt(payload: Readonly<Record<string, unknown>>, path: string): unknown {
  if (Object.hasOwn(payload, path)) return payload[path];
  let value: unknown = payload;
  for (const step of path.split('.')) {
    if (typeof value !== 'object' || value === null || Array.isArray(value) || !Object.hasOwn(value, step)) {
      return undefined;
    }
    value = (value as Record<string, unknown>)[step];
  }
  return value;
}

/**
 * The `permissions` claim: an array of names, or one space-separated string. Permission names contain
 * spaces themselves, so in a string a known name counts when it stands between ASCII spaces (or the
 * string's ends) exactly as written ("Add Identity Files Read Identity Files" grants both). No other
 * white space separates: a tab or a no-break space is part of a word, as it would be in an array entry.
 */
function permissionsClaim(value: unknown): ReadonlySet<string> {
  if (typeof value !== 'string') return new Set(listClaim(value));
  const padded = ` ${value} `;
  return new Set(Object.values(PERMISSIONS).filter((permission) => padded.includes(` ${permission} `)));
}
