import { type Logger, makeLogger } from '@identities/core';
import type { Env } from './env.ts';
import { readLogLevel } from './settings.ts';

/** LOG_LEVEL: debug, info (the default), warn, error or silent. */
export function loggerFromEnv(env: Env): Logger {
  return makeLogger(readLogLevel(env));
}
