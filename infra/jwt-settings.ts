/**
 * The token settings a stage's functions verify JWTs with, under the names of the SST secrets that hold
 * them. A stage trusts one token source: a JWKS URL (with issuer and audience), an OpenID provider by its
 * issuer URL (discovery), or the customer's Identities server by its HS256 secret.
 */
export const JWT_SECRETS = {
  issuer: 'JwtIssuer',
  audience: 'JwtAudience',
  jwksUrl: 'JwtJwksUrl',
  oidcIssuer: 'JwtOidcIssuer',
  secret: 'JwtSecret',
  uncheckedClaims: 'JwtUncheckedClaims',
  rolesClaim: 'JwtRolesClaim',
} as const;

type Name = keyof typeof JWT_SECRETS;
/** `''` is unset. */
export type JwtSettings = { readonly [K in Name]: string };
export type JwtSettingsInput = Pick<JwtSettings, 'issuer' | 'audience' | 'jwksUrl'> & Partial<JwtSettings>;

const KEY_SOURCES = ['jwksUrl', 'oidcIssuer', 'secret'] as const;
const UNCHECKABLE = ['iss', 'aud'];

/**
 * Checks a stage's JWT settings before anything is deployed with them: a function without them would
 * answer nothing but 500s. The same rules as the functions' settings reader, stated at deploy time.
 */
export function checkJwtSettings(stage: string, input: JwtSettingsInput): JwtSettings {
  const settings = Object.fromEntries(
    (Object.keys(JWT_SECRETS) as Name[]).map((name) => [name, (input[name] ?? '').trim()]),
  ) as Record<Name, string>;
  const fail = (message: string): never => {
    throw new Error(`Stage "${stage}": ${message}`);
  };
  const sources = KEY_SOURCES.filter((name) => settings[name] !== '');
  if (sources.length > 1) {
    fail(`set one token source, not ${sources.map((name) => JWT_SECRETS[name]).join(' and ')}.`);
  }
  const unchecked = settings.uncheckedClaims
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (unchecked.some((claim) => !UNCHECKABLE.includes(claim))) {
    fail(`${JWT_SECRETS.uncheckedClaims} names only iss and aud, not "${settings.uncheckedClaims}".`);
  }
  if (unchecked.length > 0 && settings.secret === '') {
    fail(`${JWT_SECRETS.uncheckedClaims} is only for the Identities server's ${JWT_SECRETS.secret}.`);
  }
  const needed: Name[] = [];
  if (sources.length === 0) needed.push('jwksUrl');
  if (settings.oidcIssuer === '' && !unchecked.includes('iss')) needed.push('issuer');
  if (!unchecked.includes('aud')) needed.push('audience');
  const missing = (['issuer', 'audience', 'jwksUrl'] as const)
    .filter((name) => needed.includes(name) && settings[name] === '')
    .map((name) => JWT_SECRETS[name]);
  if (missing.length > 0) {
    throw new Error(
      [
        `Stage "${stage}" has no JWT settings for ${missing.join(', ')}. Set them, then deploy again:`,
        ...missing.map((name) => `  npx sst secret set ${name} <value> --stage ${stage}`),
        ...(sources.length === 0
          ? [
              `(Instead of ${JWT_SECRETS.jwksUrl}: ${JWT_SECRETS.oidcIssuer} for an OpenID provider, or ${JWT_SECRETS.secret} for the Identities server.)`,
            ]
          : []),
      ].join('\n'),
    );
  }
  if (settings.jwksUrl !== '')
    settings.jwksUrl =
      httpsUrl(settings.jwksUrl) ?? fail(`${JWT_SECRETS.jwksUrl} must be an https URL, not "${settings.jwksUrl}".`);
  if (settings.oidcIssuer !== '') {
    if (!isIssuerUrl(settings.oidcIssuer)) {
      fail(`${JWT_SECRETS.oidcIssuer} must be an https URL without query or fragment, not "${settings.oidcIssuer}".`);
    }
    if (settings.issuer !== '' && settings.issuer !== settings.oidcIssuer) {
      fail(`${JWT_SECRETS.issuer} must be unset or equal to ${JWT_SECRETS.oidcIssuer}.`);
    }
    settings.issuer = '';
  }
  if (settings.secret !== '' && new TextEncoder().encode(settings.secret).length < 32) {
    fail(`${JWT_SECRETS.secret} must be at least 32 bytes.`);
  }
  for (const [claim, name] of [
    ['iss', 'issuer'],
    ['aud', 'audience'],
  ] as const) {
    if (unchecked.includes(claim) && settings[name] !== '') {
      fail(`${JWT_SECRETS[name]} is set, but ${JWT_SECRETS.uncheckedClaims} names ${claim}: choose one.`);
    }
  }
  if (!unchecked.includes('aud')) {
    const audience = settings.audience
      .split(',')
      .map((item) => item.trim())
      .filter(Boolean);
    if (audience.length === 0) fail(`${JWT_SECRETS.audience} must name at least one audience.`);
    settings.audience = audience.join(',');
  }
  settings.uncheckedClaims = unchecked.join(',');
  return settings;
}

function httpsUrl(value: string): string | undefined {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' ? url.href : undefined;
  } catch {
    return undefined;
  }
}

function isIssuerUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'https:' && url.search === '' && url.hash === '' && url.username === '';
  } catch {
    return false;
  }
}
