import {
  corsPolicy,
  DEFAULT_AUDIT_RETENTION_DAYS,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  discoveryUrl,
  isLogLevel,
  type JSONWebKeySet,
  type LogLevel,
  MAX_AUDIT_RETENTION_DAYS,
} from '@identities/core';
import { ConfigError, type Env, listEnv, optionalEnv, regionOf, requireEnv } from './env.ts';

/**
 * Every setting of the service, as one typed value: read from the environment by the functions (once,
 * at cold start), built from its own options by the server, and checked the same way for both. Each
 * part fails fast with a ConfigError naming the setting.
 */
export interface Settings {
  readonly storage: StorageSettings;
  readonly auth: AuthSettings;
  readonly logLevel: LogLevel;
  /** Browser origins whose scripts may read responses: exact, or `scheme://host:*`. */
  readonly corsOrigins: readonly string[];
  /** The access trail's retention and whether photo downloads are recorded; the defaults when absent. */
  readonly audit?: AuditSettings | undefined;
}

export interface AuditSettings {
  /** Days an access event is kept before the table's TTL removes it. */
  readonly retentionDays: number;
  /** Record every photo download too (off by default: any authenticated user reads photos, often). */
  readonly photoDownloads: boolean;
}

export const DEFAULT_AUDIT_SETTINGS: AuditSettings = {
  retentionDays: DEFAULT_AUDIT_RETENTION_DAYS,
  photoDownloads: false,
};

/** A key pair for stores whose access is not AWS's default credential chain (the embedded ones). */
export interface AccessKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

export interface StorageSettings {
  readonly region: string;
  readonly bucket: string;
  /** The metadata table; photo functions read none. */
  readonly table: string | undefined;
  /** S3- and DynamoDB-compatible endpoints (the embedded stand-ins, an on-prem store); AWS when absent. */
  readonly s3Endpoint: string | undefined;
  readonly dynamoEndpoint: string | undefined;
  /** Where clients reach storage for presigned uploads, when not at `s3Endpoint`. */
  readonly s3PublicEndpoint: string | undefined;
  /** Given for the embedded stores; otherwise the SDK's default credential chain. */
  readonly credentials?: AccessKey | undefined;
}

/**
 * Where the token signing keys come from: exactly one source. `ca` (PEM) is trusted besides the
 * system's CAs when the keys are fetched over https.
 */
export type KeySettings =
  | { readonly jwksUrl: URL; readonly ca?: string }
  | { readonly oidcIssuer: string; readonly ca?: string }
  | { readonly jwks: JSONWebKeySet }
  | { readonly publicKeyPem: string }
  | { readonly secret: string };

export interface AuthSettings {
  /** The `iss` tokens must carry; null when JWT_UNCHECKED_CLAIMS says the issuer sets none. */
  readonly issuer: string | null;
  /** The audiences, one of which tokens must name; null when JWT_UNCHECKED_CLAIMS says the issuer sets none. */
  readonly audience: readonly string[] | null;
  readonly keys: KeySettings;
  /** Pinned algorithms; the key type's own when absent. */
  readonly algorithms: readonly string[] | undefined;
  /** The claim (name or dot-separated path) holding the caller's roles; the usual role claims when absent. */
  readonly rolesClaim?: string | undefined;
  readonly clockToleranceSeconds: number;
  readonly maxTokenLifetimeSeconds: number;
  readonly roleCacheSeconds: number;
  readonly tokenCacheSeconds: number;
}

const KEY_SETTINGS = ['JWT_JWKS_URL', 'JWT_OIDC_ISSUER', 'JWT_JWKS', 'JWT_PUBLIC_KEY', 'JWT_SECRET'] as const;
/** The claims JWT_UNCHECKED_CLAIMS may name: those an issuer may leave out of its tokens. */
const UNCHECKABLE_CLAIMS = ['iss', 'aud'] as const;
type UncheckedClaim = (typeof UNCHECKABLE_CLAIMS)[number];

/** BUCKET_NAME, TABLE_NAME (optional), AWS_REGION, S3_ENDPOINT, DYNAMODB_ENDPOINT, S3_PUBLIC_ENDPOINT. */
export function readStorageSettings(env: Env): StorageSettings {
  return {
    region: regionOf(env),
    bucket: requireEnv(env, 'BUCKET_NAME'),
    table: optionalEnv(env, 'TABLE_NAME'),
    s3Endpoint: optionalEnv(env, 'S3_ENDPOINT'),
    dynamoEndpoint: optionalEnv(env, 'DYNAMODB_ENDPOINT'),
    s3PublicEndpoint: optionalEnv(env, 'S3_PUBLIC_ENDPOINT'),
  };
}

/**
 * JWT_ISSUER, JWT_AUDIENCE, exactly one key source, JWT_ROLES_CLAIM and the optional tuning settings.
 * Issuer and audience are required unless JWT_UNCHECKED_CLAIMS names them (`iss`, `aud` or `iss,aud`):
 * the explicit statement that the issuer writes no such claim, allowed only for keys the deployment
 * holds itself (JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS). With JWT_OIDC_ISSUER the issuer is that URL.
 */
export function readAuthSettings(env: Env): AuthSettings {
  const keys = readKeySettings(env);
  const unchecked = readUncheckedClaims(env);
  if (unchecked.size > 0 && ('jwksUrl' in keys || 'oidcIssuer' in keys)) {
    throw new ConfigError(
      'JWT_UNCHECKED_CLAIMS is only for keys this deployment holds (JWT_SECRET, JWT_PUBLIC_KEY, JWT_JWKS): a key set published at a URL may sign tokens for other issuers and audiences',
    );
  }
  return {
    issuer: readIssuer(env, keys, unchecked.has('iss')),
    audience: readAudience(env, unchecked.has('aud')),
    keys,
    algorithms: listEnv(env, 'JWT_ALGORITHMS'),
    rolesClaim: optionalEnv(env, 'JWT_ROLES_CLAIM'),
    ...readAuthTuning(env),
  };
}

function readIssuer(env: Env, keys: KeySettings, unchecked: boolean): string | null {
  const issuer = optionalEnv(env, 'JWT_ISSUER');
  if ('oidcIssuer' in keys) {
    if (issuer !== undefined && issuer !== keys.oidcIssuer) {
      throw new ConfigError('JWT_ISSUER must be unset or equal to JWT_OIDC_ISSUER, the issuer its tokens carry');
    }
    return keys.oidcIssuer;
  }
  if (unchecked) {
    if (issuer !== undefined)
      throw new ConfigError('JWT_ISSUER is set, but JWT_UNCHECKED_CLAIMS names iss: choose one');
    return null;
  }
  if (issuer === undefined) {
    throw new ConfigError('JWT_ISSUER is not set (an issuer that sets no iss claim: JWT_UNCHECKED_CLAIMS=iss)');
  }
  return issuer;
}

function readAudience(env: Env, unchecked: boolean): readonly string[] | null {
  const audience = listEnv(env, 'JWT_AUDIENCE');
  if (unchecked) {
    if (audience !== undefined) {
      throw new ConfigError('JWT_AUDIENCE is set, but JWT_UNCHECKED_CLAIMS names aud: choose one');
    }
    return null;
  }
  if (audience === undefined || audience.length === 0) {
    throw new ConfigError('JWT_AUDIENCE is not set (an issuer that sets no aud claim: JWT_UNCHECKED_CLAIMS=aud)');
  }
  return audience;
}

/** JWT_UNCHECKED_CLAIMS: `iss`, `aud`, or both, comma-separated; any other value is an error. */
function readUncheckedClaims(env: Env): ReadonlySet<UncheckedClaim> {
  const names = listEnv(env, 'JWT_UNCHECKED_CLAIMS') ?? [];
  const unknown = names.filter((name) => !(UNCHECKABLE_CLAIMS as readonly string[]).includes(name));
  if (unknown.length > 0) {
    throw new ConfigError(`JWT_UNCHECKED_CLAIMS names only iss and aud, not ${unknown.join(', ')}`);
  }
  return new Set(names as UncheckedClaim[]);
}

export type AuthTuning = Pick<
  AuthSettings,
  'clockToleranceSeconds' | 'maxTokenLifetimeSeconds' | 'roleCacheSeconds' | 'tokenCacheSeconds'
>;

/** JWT_CLOCK_TOLERANCE_SECONDS, JWT_MAX_TOKEN_LIFETIME_SECONDS, ROLE_CACHE_SECONDS, TOKEN_CACHE_SECONDS. */
export function readAuthTuning(env: Env): AuthTuning {
  return {
    clockToleranceSeconds: seconds(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 30),
    maxTokenLifetimeSeconds: seconds(env, 'JWT_MAX_TOKEN_LIFETIME_SECONDS', DEFAULT_MAX_TOKEN_LIFETIME_SECONDS),
    roleCacheSeconds: seconds(env, 'ROLE_CACHE_SECONDS', 60),
    tokenCacheSeconds: seconds(env, 'TOKEN_CACHE_SECONDS', 60),
  };
}

/**
 * Exactly one of JWT_JWKS_URL, JWT_OIDC_ISSUER, JWT_JWKS, JWT_PUBLIC_KEY or JWT_SECRET; JWT_TRUSTED_CA
 * (PEM) with the first two only.
 */
export function readKeySettings(env: Env): KeySettings {
  const given = KEY_SETTINGS.filter((name) => optionalEnv(env, name) !== undefined);
  if (given.length !== 1) {
    throw new ConfigError(`set exactly one of ${KEY_SETTINGS.join(', ')} (found ${given.length})`);
  }
  const ca = optionalEnv(env, 'JWT_TRUSTED_CA')?.replaceAll('\\n', '\n');
  if (ca !== undefined && !ca.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError('JWT_TRUSTED_CA must hold PEM certificates');
  }
  const trust = ca === undefined ? {} : { ca };
  const url = optionalEnv(env, 'JWT_JWKS_URL');
  if (url !== undefined) return { jwksUrl: parseJwksUrl(url), ...trust };
  const oidcIssuer = optionalEnv(env, 'JWT_OIDC_ISSUER');
  if (oidcIssuer !== undefined) return { oidcIssuer: parseOidcIssuer(oidcIssuer), ...trust };
  if (ca !== undefined) throw new ConfigError('JWT_TRUSTED_CA applies only to JWT_JWKS_URL and JWT_OIDC_ISSUER');
  const jwks = optionalEnv(env, 'JWT_JWKS');
  if (jwks !== undefined) return { jwks: parseJwks(jwks) };
  const pem = optionalEnv(env, 'JWT_PUBLIC_KEY');
  if (pem !== undefined) return { publicKeyPem: pem.replaceAll('\\n', '\n') };
  return { secret: requireEnv(env, 'JWT_SECRET') };
}

/** A JWKS URL: https, or plain http on localhost only. */
export function parseJwksUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`JWT_JWKS_URL is not a URL: ${value}`);
  }
  if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
    throw new ConfigError('JWT_JWKS_URL must use https (plain http only on localhost)');
  }
  return url;
}

/** An OpenID issuer URL: https, without query or fragment; kept exactly as written (tokens carry it so). */
export function parseOidcIssuer(value: string): string {
  try {
    discoveryUrl(value);
  } catch (error) {
    throw new ConfigError(`JWT_OIDC_ISSUER: ${(error as Error).message}`);
  }
  return value;
}

function parseJwks(value: string): JSONWebKeySet {
  try {
    const parsed: unknown = JSON.parse(value);
    if (typeof parsed === 'object' && parsed !== null && Array.isArray((parsed as { keys?: unknown }).keys)) {
      return parsed as JSONWebKeySet;
    }
  } catch {
    // reported below
  }
  throw new ConfigError('JWT_JWKS must be a JSON Web Key Set: {"keys": [...]}');
}

function seconds(env: Env, name: string, fallback: number): number {
  const value = optionalEnv(env, name);
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!Number.isFinite(parsed) || parsed < 0) throw new ConfigError(`${name} must be a number of seconds`);
  return parsed;
}

/** LOG_LEVEL: debug, info (the default), warn, error or silent. */
export function readLogLevel(env: Env): LogLevel {
  return parseLogLevel(optionalEnv(env, 'LOG_LEVEL') ?? 'info', 'LOG_LEVEL');
}

/** A log level as written in a setting or an option named `name`. */
export function parseLogLevel(value: string, name: string): LogLevel {
  if (!isLogLevel(value)) throw new ConfigError(`${name} must be debug, info, warn, error or silent, not ${value}`);
  return value;
}

/** CORS_ALLOWED_ORIGINS: comma-separated origins (`https://app.example.com`, `http://localhost:*`). */
export function readCorsOrigins(env: Env): string[] {
  return parseOrigins(listEnv(env, 'CORS_ALLOWED_ORIGINS') ?? [], 'CORS_ALLOWED_ORIGINS');
}

/** Origins as configured, each checked; a setting or option named `name` holds them. */
export function parseOrigins(origins: readonly string[], name: string): string[] {
  try {
    corsPolicy(origins);
  } catch (error) {
    throw new ConfigError(`${name}: ${(error as Error).message}`);
  }
  return [...origins];
}

/** AUDIT_RETENTION_DAYS (whole days, 1 to 3650; default 400) and AUDIT_PHOTO_DOWNLOADS (`on` or `off`, the default). */
export function readAuditSettings(env: Env): AuditSettings {
  return {
    retentionDays: parseAuditRetentionDays(
      optionalEnv(env, 'AUDIT_RETENTION_DAYS') ?? String(DEFAULT_AUDIT_RETENTION_DAYS),
      'AUDIT_RETENTION_DAYS',
    ),
    photoDownloads: parseOnOff(optionalEnv(env, 'AUDIT_PHOTO_DOWNLOADS') ?? 'off', 'AUDIT_PHOTO_DOWNLOADS'),
  };
}

/** A retention in whole days as written in a setting or an option named `name`. */
export function parseAuditRetentionDays(value: string, name: string): number {
  const days = /^[0-9]{1,5}$/.test(value) ? Number(value) : Number.NaN;
  if (!(days >= 1 && days <= MAX_AUDIT_RETENTION_DAYS)) {
    throw new ConfigError(`${name} must be a whole number of days from 1 to ${MAX_AUDIT_RETENTION_DAYS}, not ${value}`);
  }
  return days;
}

function parseOnOff(value: string, name: string): boolean {
  if (value === 'on') return true;
  if (value === 'off') return false;
  throw new ConfigError(`${name} must be on or off, not ${value}`);
}

/** Everything a function reads, at cold start. */
export function readSettings(env: Env): Settings {
  return {
    storage: readStorageSettings(env),
    auth: readAuthSettings(env),
    logLevel: readLogLevel(env),
    corsOrigins: readCorsOrigins(env),
    audit: readAuditSettings(env),
  };
}
