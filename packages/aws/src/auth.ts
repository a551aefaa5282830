import type { JSONWebKeySet } from '@identities/core';
import {
  type Authenticator,
  DEFAULT_MAX_TOKEN_LIFETIME_SECONDS,
  type KeySource,
  localKeySet,
  makeAuthenticator,
  publicKeyPem,
  type RoleStore,
  remoteKeySet,
  sharedSecret,
} from '@identities/core';
import { ConfigError, type Env, listEnv, optionalEnv, requireEnv } from './env.ts';

const KEY_SETTINGS = ['JWT_JWKS_URL', 'JWT_JWKS', 'JWT_PUBLIC_KEY', 'JWT_SECRET'] as const;

/**
 * The token signing keys, from exactly one of: a JWKS URL, a JWKS document (JSON), a PEM public key,
 * or an HS256 secret. Algorithms are pinned: JWT_ALGORITHMS, or the key type's own.
 */
export function keySourceFromEnv(env: Env): KeySource {
  const given = KEY_SETTINGS.filter((name) => optionalEnv(env, name) !== undefined);
  if (given.length !== 1) {
    throw new ConfigError(`set exactly one of ${KEY_SETTINGS.join(', ')} (found ${given.length})`);
  }
  const algorithms = listEnv(env, 'JWT_ALGORITHMS');
  const url = optionalEnv(env, 'JWT_JWKS_URL');
  if (url !== undefined) return remoteKeySet(parseUrl(url), algorithms);
  const jwks = optionalEnv(env, 'JWT_JWKS');
  if (jwks !== undefined) return localKeySet(parseJwks(jwks), algorithms);
  const pem = optionalEnv(env, 'JWT_PUBLIC_KEY');
  if (pem !== undefined) return publicKeyPem(pem.replaceAll('\\n', '\n'), algorithms);
  return sharedSecret(requireEnv(env, 'JWT_SECRET'));
}

function parseUrl(value: string): URL {
  try {
    const url = new URL(value);
    if (url.protocol !== 'https:' && url.hostname !== '127.0.0.1' && url.hostname !== 'localhost') {
      throw new ConfigError('JWT_JWKS_URL must use https (plain http only on localhost)');
    }
    return url;
  } catch (error) {
    if (error instanceof ConfigError) throw error;
    throw new ConfigError(`JWT_JWKS_URL is not a URL: ${value}`);
  }
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

function secondsEnv(env: Env, name: string, fallback: number): number {
  const value = optionalEnv(env, name);
  if (value === undefined) return fallback;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) throw new ConfigError(`${name} must be a number of seconds`);
  return seconds;
}

/** The authenticator for one container: keys resolved once, roles cached briefly. */
export function authenticatorFromEnv(env: Env, roles?: RoleStore): Authenticator {
  const audience = listEnv(env, 'JWT_AUDIENCE');
  if (audience === undefined || audience.length === 0) throw new ConfigError('JWT_AUDIENCE is not set');
  return makeAuthenticator({
    keys: keySourceFromEnv(env),
    issuer: requireEnv(env, 'JWT_ISSUER'),
    audience,
    roles,
    clockToleranceSeconds: secondsEnv(env, 'JWT_CLOCK_TOLERANCE_SECONDS', 30),
    maxTokenLifetimeSeconds: secondsEnv(env, 'JWT_MAX_TOKEN_LIFETIME_SECONDS', DEFAULT_MAX_TOKEN_LIFETIME_SECONDS),
    roleCacheMs: secondsEnv(env, 'ROLE_CACHE_SECONDS', 60) * 1000,
    verifiedTokenCacheMs: secondsEnv(env, 'TOKEN_CACHE_SECONDS', 60) * 1000,
  });
}
