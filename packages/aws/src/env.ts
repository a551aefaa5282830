/** Process environment, or any map standing in for it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** A setting is missing or malformed: raised at cold start, before any request is served. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function optionalEnv(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

export function requireEnv(env: Env, name: string): string {
  const value = optionalEnv(env, name);
  if (value === undefined) throw new ConfigError(`${name} is not set`);
  return value;
}

/** The region for SDK clients: Lambda always sets AWS_REGION; local runs set it themselves. */
export function regionOf(env: Env): string {
  const region = optionalEnv(env, 'AWS_REGION') ?? optionalEnv(env, 'AWS_DEFAULT_REGION');
  if (region === undefined) throw new ConfigError('AWS_REGION is not set');
  return region;
}

export function listEnv(env: Env, name: string): string[] | undefined {
  const value = optionalEnv(env, name);
  return value
    ?.split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
