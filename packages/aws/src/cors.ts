import { type CorsPolicy, corsPolicy, NO_CORS } from '@identities/core';
import { ConfigError, type Env, listEnv } from './env.ts';

/** CORS_ALLOWED_ORIGINS: comma-separated origins (`https://app.example.com`, `http://localhost:*`). */
export function corsFromEnv(env: Env): CorsPolicy {
  const origins = listEnv(env, 'CORS_ALLOWED_ORIGINS');
  if (origins === undefined || origins.length === 0) return NO_CORS;
  try {
    return corsPolicy(origins);
  } catch (error) {
    throw new ConfigError(`CORS_ALLOWED_ORIGINS: ${(error as Error).message}`);
  }
}
