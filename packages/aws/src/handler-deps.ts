import { type HandlerDeps, makeLogger, type RoleStore } from '@identities/core';
import { authenticatorFromEnv, authenticatorOf } from './auth.ts';
import { corsFromEnv, corsOf } from './cors.ts';
import type { Env } from './env.ts';
import { loggerFromEnv } from './logging.ts';
import type { Settings } from './settings.ts';

/**
 * What every handler needs from its environment: the authenticator (resolving roles through `roles`
 * when the route needs a permission), the logger and the CORS policy. Read once, at cold start.
 */
export function handlerDepsFromEnv(env: Env, roles?: RoleStore): HandlerDeps {
  const logger = loggerFromEnv(env);
  return { auth: authenticatorFromEnv(env, roles, logger), logger, cors: corsFromEnv(env) };
}

/** The same, from settings given as a value (the local and on-prem server builds its own). */
export function handlerDepsOf(settings: Settings, roles?: RoleStore): HandlerDeps {
  const logger = makeLogger(settings.logLevel);
  return { auth: authenticatorOf(settings.auth, roles, logger), logger, cors: corsOf(settings.corsOrigins) };
}
