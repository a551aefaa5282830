import {
  type Authenticator,
  discoveredKeySet,
  type KeySource,
  type Logger,
  localKeySet,
  makeAuthenticator,
  publicKeyPem,
  type RoleStore,
  remoteKeySet,
  sharedSecret,
} from '@identities/core';
import { ConfigError, type Env, listEnv } from './env.ts';
import { type AuthSettings, type KeySettings, readAuthSettings, readKeySettings } from './settings.ts';

/** The signing keys of the settings, with their algorithms pinned: the configured ones, or the key type's own. */
export function keySourceOf(keys: KeySettings, algorithms: readonly string[] | undefined): KeySource {
  try {
    if ('jwksUrl' in keys) return remoteKeySet(keys.jwksUrl, algorithms, trustOf(keys.ca));
    if ('oidcIssuer' in keys) return discoveredKeySet(keys.oidcIssuer, algorithms, trustOf(keys.ca));
    if ('jwks' in keys) return localKeySet(keys.jwks, algorithms);
    if ('publicKeyPem' in keys) return publicKeyPem(keys.publicKeyPem, algorithms);
    return sharedSecret(keys.secret, algorithms);
  } catch (error) {
    // An algorithm that does not fit the key (HS256 with a public key, RS256 with a secret) is a setting's fault.
    throw new ConfigError(`JWT_ALGORITHMS or the key: ${(error as Error).message}`, { cause: error });
  }
}

const trustOf = (ca: string | undefined) => (ca === undefined ? {} : { ca });

/** The key source the environment names (JWT_JWKS_URL, JWT_OIDC_ISSUER, JWT_JWKS, JWT_PUBLIC_KEY or JWT_SECRET). */
export function keySourceFromEnv(env: Env): KeySource {
  return keySourceOf(readKeySettings(env), listEnv(env, 'JWT_ALGORITHMS'));
}

/** Settings already announced: a server builds every route's authenticator from one settings value. */
const announced = new WeakSet<AuthSettings>();

/**
 * The authenticator for one container: keys resolved once, roles cached briefly. With a logger, a
 * deployment that verifies no issuer or audience says so, once per settings value (once a container).
 */
export function authenticatorOf(settings: AuthSettings, roles?: RoleStore, logger?: Logger): Authenticator {
  if (logger !== undefined && !announced.has(settings)) {
    announced.add(settings);
    const unchecked = [settings.issuer === null ? 'iss' : [], settings.audience === null ? 'aud' : []].flat();
    if (unchecked.length > 0) {
      logger.log('warn', 'tokens are accepted without checking these claims (JWT_UNCHECKED_CLAIMS)', {
        unchecked: unchecked.join(','),
      });
    }
  }
  return makeAuthenticator({
    keys: keySourceOf(settings.keys, settings.algorithms),
    issuer: settings.issuer,
    audience: settings.audience,
    roles,
    ...(settings.rolesClaim === undefined ? {} : { rolesClaim: settings.rolesClaim }),
    clockToleranceSeconds: settings.clockToleranceSeconds,
    maxTokenLifetimeSeconds: settings.maxTokenLifetimeSeconds,
    roleCacheMs: settings.roleCacheSeconds * 1000,
    verifiedTokenCacheMs: settings.tokenCacheSeconds * 1000,
  });
}

export function authenticatorFromEnv(env: Env, roles?: RoleStore, logger?: Logger): Authenticator {
  return authenticatorOf(readAuthSettings(env), roles, logger);
}
