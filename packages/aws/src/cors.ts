import { type CorsPolicy, corsPolicy, NO_CORS } from '@identities/core';
import type { Env } from './env.ts';
import { readCorsOrigins } from './settings.ts';

/** The CORS policy of the configured origins; none allowed when there are none. */
export function corsOf(origins: readonly string[]): CorsPolicy {
  return origins.length === 0 ? NO_CORS : corsPolicy(origins);
}

/** CORS_ALLOWED_ORIGINS: comma-separated origins (`https://app.example.com`, `http://localhost:*`). */
export function corsFromEnv(env: Env): CorsPolicy {
  return corsOf(readCorsOrigins(env));
}
