import { isLogLevel, type Logger, makeLogger } from '@identities/core';
import { ConfigError, type Env, optionalEnv } from './env.ts';

/** LOG_LEVEL: debug, info (the default), warn, error or silent. */
export function loggerFromEnv(env: Env): Logger {
  const level = optionalEnv(env, 'LOG_LEVEL') ?? 'info';
  if (!isLogLevel(level)) throw new ConfigError(`LOG_LEVEL must be debug, info, warn, error or silent, not ${level}`);
  return makeLogger(level);
}
