import { checkJwtSettings, JWT_SECRETS } from './jwt-settings.ts';

/**
 * Each stage trusts its customer's token source: per-stage SST secrets (see jwt-settings.ts). Unset,
 * they read as '' so that one deploy-time error can name every one that is missing.
 */
const UNSET = '';

export const jwtSecrets = {
  issuer: new sst.Secret(JWT_SECRETS.issuer, UNSET),
  audience: new sst.Secret(JWT_SECRETS.audience, UNSET),
  jwksUrl: new sst.Secret(JWT_SECRETS.jwksUrl, UNSET),
  oidcIssuer: new sst.Secret(JWT_SECRETS.oidcIssuer, UNSET),
  secret: new sst.Secret(JWT_SECRETS.secret, UNSET),
  uncheckedClaims: new sst.Secret(JWT_SECRETS.uncheckedClaims, UNSET),
  rolesClaim: new sst.Secret(JWT_SECRETS.rolesClaim, UNSET),
};

/** The settings, checked; deploying a stage without them fails here, before any function gets them. */
export const jwt = $resolve([
  jwtSecrets.issuer.value,
  jwtSecrets.audience.value,
  jwtSecrets.jwksUrl.value,
  jwtSecrets.oidcIssuer.value,
  jwtSecrets.secret.value,
  jwtSecrets.uncheckedClaims.value,
  jwtSecrets.rolesClaim.value,
]).apply(([issuer, audience, jwksUrl, oidcIssuer, secret, uncheckedClaims, rolesClaim]) =>
  checkJwtSettings($app.stage, { issuer, audience, jwksUrl, oidcIssuer, secret, uncheckedClaims, rolesClaim }),
);

/** The variables `readAuthSettings` reads; an unset one is '' (unset to the functions too). */
export const jwtEnvironment = {
  JWT_ISSUER: jwt.issuer,
  JWT_AUDIENCE: jwt.audience,
  JWT_JWKS_URL: jwt.jwksUrl,
  JWT_OIDC_ISSUER: jwt.oidcIssuer,
  JWT_SECRET: jwt.secret,
  JWT_UNCHECKED_CLAIMS: jwt.uncheckedClaims,
  JWT_ROLES_CLAIM: jwt.rolesClaim,
};
