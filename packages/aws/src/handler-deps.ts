import type { HandlerDeps, RoleStore } from '@identities/core';
import { authenticatorFromEnv } from './auth.ts';
import { corsFromEnv } from './cors.ts';
import { type DynamoDBDocumentClient, dynamoSettings, makeDynamoClient } from './dynamodb.ts';
import type { Env } from './env.ts';
import { loggerFromEnv } from './logging.ts';

/**
 * What every handler needs from its environment: the authenticator (resolving roles through `roles`
 * when the route needs a permission), the logger and the CORS policy. Read once, at cold start.
 */
export function handlerDepsFromEnv(env: Env, roles?: RoleStore): HandlerDeps {
  return { auth: authenticatorFromEnv(env, roles), logger: loggerFromEnv(env), cors: corsFromEnv(env) };
}

/** The metadata table for a function that touches items: one client per container. */
export function tableFromEnv(env: Env): { readonly client: DynamoDBDocumentClient; readonly name: string } {
  const settings = dynamoSettings(env);
  return { client: makeDynamoClient(settings), name: settings.table };
}
