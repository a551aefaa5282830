import {
  type Authenticator,
  type KeySource,
  localKeySet,
  makeAuthenticator,
  publicKeyPem,
  type RoleStore,
  remoteKeySet,
  sharedSecret,
} from '@identities/core';
import { type Env, listEnv } from './env.ts';
import { type AuthSettings, type KeySettings, readAuthSettings, readKeySettings } from './settings.ts';

/** The signing keys of the settings, with their algorithms pinned: the configured ones, or the key type's own. */
export function keySourceOf(keys: KeySettings, algorithms: readonly string[] | undefined): KeySource {
  if ('jwksUrl' in keys) return remoteKeySet(keys.jwksUrl, algorithms);
  if ('jwks' in keys) return localKeySet(keys.jwks, algorithms);
  if ('publicKeyPem' in keys) return publicKeyPem(keys.publicKeyPem, algorithms);
  return sharedSecret(keys.secret);
}

/** The key source the environment names (JWT_JWKS_URL, JWT_JWKS, JWT_PUBLIC_KEY or JWT_SECRET). */
export function keySourceFromEnv(env: Env): KeySource {
  return keySourceOf(readKeySettings(env), listEnv(env, 'JWT_ALGORITHMS'));
}

/** The authenticator for one container: keys resolved once, roles cached briefly. */
export function authenticatorOf(settings: AuthSettings, roles?: RoleStore): Authenticator {
  return makeAuthenticator({
    keys: keySourceOf(settings.keys, settings.algorithms),
    issuer: settings.issuer,
    audience: settings.audience,
    roles,
    clockToleranceSeconds: settings.clockToleranceSeconds,
    maxTokenLifetimeSeconds: settings.maxTokenLifetimeSeconds,
    roleCacheMs: settings.roleCacheSeconds * 1000,
    verifiedTokenCacheMs: settings.tokenCacheSeconds * 1000,
  });
}

export function authenticatorFromEnv(env: Env, roles?: RoleStore): Authenticator {
  return authenticatorOf(readAuthSettings(env), roles);
}
