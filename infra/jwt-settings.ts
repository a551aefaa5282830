/** The token settings a stage's functions verify JWTs with, under the names of the SST secrets that hold them. */
export const JWT_SECRETS = { issuer: 'JwtIssuer', audience: 'JwtAudience', jwksUrl: 'JwtJwksUrl' } as const;

export type JwtSettings = { readonly [K in keyof typeof JWT_SECRETS]: string };

/**
 * Checks a stage's JWT settings (`''` is unset) before anything is deployed with them: a function
 * without them would answer nothing but 500s.
 */
export function checkJwtSettings(stage: string, settings: JwtSettings): JwtSettings {
  const keys = Object.keys(JWT_SECRETS) as (keyof JwtSettings)[];
  const missing = keys.filter((key) => settings[key].trim() === '').map((key) => JWT_SECRETS[key]);
  if (missing.length > 0) {
    throw new Error(
      [
        `Stage "${stage}" has no JWT settings for ${missing.join(', ')}. Set them, then deploy again:`,
        ...missing.map((name) => `  npx sst secret set ${name} <value> --stage ${stage}`),
      ].join('\n'),
    );
  }
  const jwksUrl = httpsUrl(settings.jwksUrl.trim());
  if (jwksUrl === undefined) {
    throw new Error(`Stage "${stage}": ${JWT_SECRETS.jwksUrl} must be an https URL, not "${settings.jwksUrl}".`);
  }
  const audience = settings.audience
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (audience.length === 0) {
    throw new Error(`Stage "${stage}": ${JWT_SECRETS.audience} must name at least one audience.`);
  }
  return { issuer: settings.issuer.trim(), audience: audience.join(','), jwksUrl };
}

function httpsUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}
