import { checkJwtSettings, JWT_SECRETS } from './jwt-settings.ts';

/**
 * Each stage trusts its customer's identity provider: issuer, audience(s) and JWKS URL are per-stage SST
 * secrets. Unset, they read as '' so that one deploy-time error can name every one that is missing.
 */
const UNSET = '';

export const jwtSecrets = {
  issuer: new sst.Secret(JWT_SECRETS.issuer, UNSET),
  audience: new sst.Secret(JWT_SECRETS.audience, UNSET),
  jwksUrl: new sst.Secret(JWT_SECRETS.jwksUrl, UNSET),
};

/** The settings, checked; deploying a stage without them fails here, before any function gets them. */
export const jwt = $resolve([jwtSecrets.issuer.value, jwtSecrets.audience.value, jwtSecrets.jwksUrl.value]).apply(
  ([issuer, audience, jwksUrl]) => checkJwtSettings($app.stage, { issuer, audience, jwksUrl }),
);

/** The variables `authenticatorFromEnv` reads. */
export const jwtEnvironment = {
  JWT_ISSUER: jwt.issuer,
  JWT_AUDIENCE: jwt.audience,
  JWT_JWKS_URL: jwt.jwksUrl,
};
