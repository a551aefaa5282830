import type { HandlerDeps, RoleStore } from '@identities/core';
import { authenticatorFromEnv } from './auth.ts';
import { corsFromEnv } from './cors.ts';
import type { Env } from './env.ts';
import { loggerFromEnv } from './logging.ts';

/**
 * What every handler needs from its environment: the authenticator (resolving roles through `roles`
 * when the route needs a permission), the logger and the CORS policy. Read once, at cold start.
 */
export function handlerDepsFromEnv(env: Env, roles?: RoleStore): HandlerDeps {
  return { auth: authenticatorFromEnv(env, roles), logger: loggerFromEnv(env), cors: corsFromEnv(env) };
}
