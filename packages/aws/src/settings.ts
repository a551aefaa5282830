import {
  corsPolicy,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  isLogLevel,
  type JSONWebKeySet,
  type LogLevel,
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
}

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

/** Where the token signing keys come from: exactly one source. */
export type KeySettings =
  | { readonly jwksUrl: URL }
  | { readonly jwks: JSONWebKeySet }
  | { readonly publicKeyPem: string }
  | { readonly secret: string };

export interface AuthSettings {
  readonly issuer: string;
  readonly audience: readonly string[];
  readonly keys: KeySettings;
  /** Pinned algorithms; the key type's own when absent. */
  readonly algorithms: readonly string[] | undefined;
  readonly clockToleranceSeconds: number;
  readonly maxTokenLifetimeSeconds: number;
  readonly roleCacheSeconds: number;
  readonly tokenCacheSeconds: number;
}

const KEY_SETTINGS = ['JWT_JWKS_URL', 'JWT_JWKS', 'JWT_PUBLIC_KEY', 'JWT_SECRET'] as const;

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

/** JWT_ISSUER, JWT_AUDIENCE, exactly one key source, and the optional tuning settings. */
export function readAuthSettings(env: Env): AuthSettings {
  const audience = listEnv(env, 'JWT_AUDIENCE');
  if (audience === undefined || audience.length === 0) throw new ConfigError('JWT_AUDIENCE is not set');
  return {
    issuer: requireEnv(env, 'JWT_ISSUER'),
    audience,
    keys: readKeySettings(env),
    algorithms: listEnv(env, 'JWT_ALGORITHMS'),
    ...readAuthTuning(env),
  };
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

/** Exactly one of JWT_JWKS_URL, JWT_JWKS, JWT_PUBLIC_KEY or JWT_SECRET. */
export function readKeySettings(env: Env): KeySettings {
  const given = KEY_SETTINGS.filter((name) => optionalEnv(env, name) !== undefined);
  if (given.length !== 1) {
    throw new ConfigError(`set exactly one of ${KEY_SETTINGS.join(', ')} (found ${given.length})`);
  }
  const url = optionalEnv(env, 'JWT_JWKS_URL');
  if (url !== undefined) return { jwksUrl: parseJwksUrl(url) };
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

/** Everything a function reads, at cold start. */
export function readSettings(env: Env): Settings {
  return {
    storage: readStorageSettings(env),
    auth: readAuthSettings(env),
    logLevel: readLogLevel(env),
    corsOrigins: readCorsOrigins(env),
  };
}
