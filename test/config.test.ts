import {
  authenticatorFromEnv,
  ConfigError,
  dynamoSettings,
  keySourceFromEnv,
  loggerFromEnv,
  readSettings,
  s3Settings,
} from '@identities/aws';
import { DOCUMENT_PREFIX, ORPHAN_GRACE_SECONDS, routes } from '@identities/core';
import { describe, expect, it } from 'vitest';

const jwt = { JWT_ISSUER: 'https://issuer', JWT_AUDIENCE: 'api', JWT_SECRET: 'x'.repeat(32) };

describe('configuration', () => {
  it('fails fast when the bucket, table or region is missing', () => {
    expect(() => s3Settings({ AWS_REGION: 'eu-west-1' })).toThrow(new ConfigError('BUCKET_NAME is not set'));
    expect(() => dynamoSettings({ AWS_REGION: 'eu-west-1' })).toThrow(new ConfigError('TABLE_NAME is not set'));
    expect(() => s3Settings({ BUCKET_NAME: 'b' })).toThrow(new ConfigError('AWS_REGION is not set'));
  });

  it('treats a blank setting as missing', () => {
    expect(() => s3Settings({ BUCKET_NAME: '  ', AWS_REGION: 'eu-west-1' })).toThrow(ConfigError);
  });

  it('reads S3 and DynamoDB endpoints only when given', () => {
    expect(s3Settings({ BUCKET_NAME: 'b', AWS_REGION: 'r' })).toEqual({
      bucket: 'b',
      region: 'r',
      endpoint: undefined,
    });
    expect(dynamoSettings({ TABLE_NAME: 't', AWS_REGION: 'r', DYNAMODB_ENDPOINT: 'http://127.0.0.1:1' })).toEqual({
      table: 't',
      region: 'r',
      endpoint: 'http://127.0.0.1:1',
    });
  });

  it('needs issuer and audience', () => {
    expect(() => authenticatorFromEnv({ ...jwt, JWT_ISSUER: '' })).toThrow(/JWT_ISSUER/);
    expect(() => authenticatorFromEnv({ ...jwt, JWT_AUDIENCE: '' })).toThrow(/JWT_AUDIENCE/);
    expect(authenticatorFromEnv(jwt)).toBeDefined();
  });

  it('needs exactly one key setting', () => {
    expect(() => keySourceFromEnv({})).toThrow(/exactly one of/);
    expect(() => keySourceFromEnv({ JWT_SECRET: 'x'.repeat(32), JWT_JWKS_URL: 'https://issuer/jwks' })).toThrow(
      /exactly one of/,
    );
  });

  it('pins algorithms: HS256 for a secret, the configured list for a JWKS URL', () => {
    expect(keySourceFromEnv({ JWT_SECRET: 'x'.repeat(32) }).algorithms).toEqual(['HS256']);
    expect(
      keySourceFromEnv({ JWT_JWKS_URL: 'https://issuer/.well-known/jwks.json', JWT_ALGORITHMS: 'PS256, RS256' })
        .algorithms,
    ).toEqual(['PS256', 'RS256']);
  });

  it('refuses a plain-http JWKS URL except on localhost', () => {
    expect(() => keySourceFromEnv({ JWT_JWKS_URL: 'http://issuer.example/jwks' })).toThrow(/https/);
    expect(() => keySourceFromEnv({ JWT_JWKS_URL: 'http://127.0.0.1:5009/.well-known/jwks.json' })).not.toThrow();
    expect(() => keySourceFromEnv({ JWT_JWKS_URL: 'not a url' })).toThrow(/not a URL/);
  });

  it('refuses a JWKS that is not a key set', () => {
    expect(() => keySourceFromEnv({ JWT_JWKS: '{"kty":"RSA"}' })).toThrow(/JSON Web Key Set/);
    expect(() => keySourceFromEnv({ JWT_JWKS: 'nope' })).toThrow(/JSON Web Key Set/);
  });

  it('refuses an unknown log level', () => {
    expect(() => loggerFromEnv({ LOG_LEVEL: 'chatty' })).toThrow(/LOG_LEVEL/);
  });
});

describe('settings as a value', () => {
  it('hold every setting the environment names, typed and checked', () => {
    const env = {
      ...jwt,
      AWS_REGION: 'eu-west-1',
      BUCKET_NAME: 'files',
      TABLE_NAME: 'metadata',
      S3_ENDPOINT: 'http://127.0.0.1:1',
      S3_PUBLIC_ENDPOINT: 'https://files.example/_storage',
      JWT_ALGORITHMS: 'HS256',
      ROLE_CACHE_SECONDS: '5',
      LOG_LEVEL: 'warn',
      CORS_ALLOWED_ORIGINS: 'https://app.example, http://localhost:*',
    };
    const settings = readSettings(env);
    expect(settings.storage).toMatchObject({
      bucket: 'files',
      table: 'metadata',
      s3PublicEndpoint: 'https://files.example/_storage',
    });
    expect(settings.auth).toMatchObject({ audience: ['api'], keys: { secret: 'x'.repeat(32) }, roleCacheSeconds: 5 });
    expect(settings.corsOrigins).toEqual(['https://app.example', 'http://localhost:*']);
  });

  it('refuse a malformed origin or log level, naming the setting', () => {
    expect(() =>
      readSettings({ ...jwt, AWS_REGION: 'r', BUCKET_NAME: 'b', CORS_ALLOWED_ORIGINS: 'app.example' }),
    ).toThrow(/CORS_ALLOWED_ORIGINS/);
    expect(() => readSettings({ ...jwt, AWS_REGION: 'r', BUCKET_NAME: 'b', LOG_LEVEL: 'loud' })).toThrow(/LOG_LEVEL/);
  });
});

describe('the orphan sweep', () => {
  it('spares document bytes far longer than any function that writes them runs before recording them', () => {
    const writers = routes.filter((route) =>
      route.access.objects.some(
        (grant) => grant.prefix === DOCUMENT_PREFIX && (grant.actions as readonly string[]).includes('s3:PutObject'),
      ),
    );
    expect(writers.length).toBeGreaterThan(0);
    for (const route of writers) expect(route.timeoutSeconds * 10, route.id).toBeLessThanOrEqual(ORPHAN_GRACE_SECONDS);
  });
});
