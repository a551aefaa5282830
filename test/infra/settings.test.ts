import { jobs, routes } from '@identities/core/infra';
import { describe, expect, it } from 'vitest';
import { checkJwtSettings } from '../../infra/jwt-settings.ts';
import { statementsFor } from '../../infra/permissions.ts';
import { stageSettings } from '../../infra/stage-settings.ts';

describe('stageSettings', () => {
  it('serves a customer at <stage>.econnectcloud.com/identities, allowing its web app there', () => {
    expect(stageSettings('acme', true)).toEqual({
      stage: 'acme',
      customer: true,
      domain: { name: 'acme.econnectcloud.com', path: 'identities', sharedDomain: false, certificateArn: undefined },
      webOrigin: 'https://acme.econnectcloud.com',
      logRetention: '1 year',
      throttle: { rateLimit: 50, burstLimit: 100 },
      audit: { retentionDays: 400, photoDownloads: false },
    });
  });

  it('takes a stage’s own access-trail retention and photo auditing, and refuses a retention out of range', () => {
    expect(stageSettings('acme', true, { audit: { retentionDays: 800, photoDownloads: true } }).audit).toEqual({
      retentionDays: 800,
      photoDownloads: true,
    });
    for (const retentionDays of [0, 1.5, 3651, Number.NaN]) {
      expect(() => stageSettings('acme', true, { audit: { retentionDays } })).toThrow(/retention/);
    }
  });

  it('gives a dev stage no domain and no web origin, and short-lived logs', () => {
    expect(stageSettings('dev', false)).toMatchObject({
      domain: undefined,
      webOrigin: undefined,
      logRetention: '1 week',
    });
  });

  it('takes a stage’s own host, certificate, web origin and throttling', () => {
    const settings = stageSettings('globex', true, {
      domain: 'identities.globex.example',
      certificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/abc',
      webOrigin: 'https://app.globex.example',
      throttle: { rateLimit: 10, burstLimit: 20 },
    });
    expect(settings).toMatchObject({
      domain: {
        name: 'identities.globex.example',
        path: 'identities',
        certificateArn: 'arn:aws:acm:eu-central-1:123456789012:certificate/abc',
      },
      webOrigin: 'https://app.globex.example',
      throttle: { rateLimit: 10, burstLimit: 20 },
    });
    expect(stageSettings('initech', true, { domain: false })).toMatchObject({
      domain: undefined,
      webOrigin: undefined,
    });
    expect(stageSettings('dev-alice', false, { domain: 'alice.dev.example' }).domain?.name).toBe('alice.dev.example');
  });

  it('refuses a customer stage whose name cannot be a host name, and origins that are not origins', () => {
    expect(() => stageSettings('Acme_Corp', true)).toThrow(/must be a lower-case DNS label/);
    expect(() => stageSettings('acme', true, { domain: 'not a host' })).toThrow(/is not a host name/);
    expect(() => stageSettings('acme', true, { webOrigin: 'https://app.acme.example/login' })).toThrow(
      /not an https origin/,
    );
    expect(() => stageSettings('acme', true, { webOrigin: 'http://app.acme.example' })).toThrow(/not an https origin/);
  });
});

describe('checkJwtSettings', () => {
  const complete = {
    issuer: 'https://idp.example/',
    audience: ' identities , web ',
    jwksUrl: 'https://idp.example/jwks',
  };
  const unset = { oidcIssuer: '', secret: '', uncheckedClaims: '', rolesClaim: '' };
  const SECRET = 'the-identities-server-secret-of-acme!';

  it('passes complete settings on, audiences as a comma list', () => {
    expect(checkJwtSettings('acme', complete)).toEqual({ ...complete, ...unset, audience: 'identities,web' });
  });

  it('names every missing setting with the command that sets it', () => {
    expect(() => checkJwtSettings('acme', { issuer: '', audience: ' ', jwksUrl: 'https://idp.example/jwks' })).toThrow(
      [
        'Stage "acme" has no JWT settings for JwtIssuer, JwtAudience. Set them, then deploy again:',
        '  npx sst secret set JwtIssuer <value> --stage acme',
        '  npx sst secret set JwtAudience <value> --stage acme',
      ].join('\n'),
    );
  });

  it('refuses a JWKS URL without TLS and an empty audience list', () => {
    expect(() => checkJwtSettings('acme', { ...complete, jwksUrl: 'http://idp.example/jwks' })).toThrow(/https URL/);
    expect(() => checkJwtSettings('acme', { ...complete, audience: ' , ' })).toThrow(/at least one audience/);
  });

  it('takes an OpenID provider by its issuer URL alone, with an audience and a roles claim', () => {
    const oidc = { issuer: '', audience: 'identities', jwksUrl: '', oidcIssuer: 'https://kc.acme.example/realms/acme' };
    expect(checkJwtSettings('acme', { ...oidc, rolesClaim: 'realm_access.roles' })).toEqual({
      ...unset,
      ...oidc,
      rolesClaim: 'realm_access.roles',
    });
    expect(() => checkJwtSettings('acme', { ...oidc, oidcIssuer: 'http://kc.acme.example/realms/acme' })).toThrow(
      /JwtOidcIssuer must be an https URL/,
    );
    expect(() => checkJwtSettings('acme', { ...oidc, issuer: 'https://other.example' })).toThrow(
      /equal to JwtOidcIssuer/,
    );
    expect(() => checkJwtSettings('acme', { ...oidc, jwksUrl: 'https://kc.acme.example/jwks' })).toThrow(
      /one token source, not JwtJwksUrl and JwtOidcIssuer/,
    );
  });

  it("takes the Identities server's secret, with issuer and audience, or the explicit statement that it sets neither", () => {
    const server = { issuer: 'identities', audience: 'identities-api', jwksUrl: '', secret: SECRET };
    expect(checkJwtSettings('acme', server)).toMatchObject(server);
    const bare = { issuer: '', audience: '', jwksUrl: '', secret: SECRET, uncheckedClaims: 'iss, aud' };
    expect(checkJwtSettings('acme', bare)).toMatchObject({ ...bare, uncheckedClaims: 'iss,aud' });
    expect(() => checkJwtSettings('acme', { ...bare, uncheckedClaims: '' })).toThrow(
      /no JWT settings for JwtIssuer, JwtAudience/,
    );
    expect(() => checkJwtSettings('acme', { ...server, secret: 'short' })).toThrow(/at least 32 bytes/);
    expect(() => checkJwtSettings('acme', { ...bare, uncheckedClaims: 'exp' })).toThrow(/names only iss and aud/);
    expect(() => checkJwtSettings('acme', { ...bare, issuer: 'identities' })).toThrow(/choose one/);
    expect(() => checkJwtSettings('acme', { ...complete, uncheckedClaims: 'aud' })).toThrow(
      /only for the Identities server's JwtSecret/,
    );
  });
});

describe('statementsFor', () => {
  const targets = {
    objectsUnder: (prefix: string) => `bucket/${prefix}*`,
    bucket: 'bucket',
    table: 'table',
    index: (name: string) => `table/index/${name}`,
  };

  it('derives every route’s and job’s statements from its access, scoping items by partition key', () => {
    for (const route of [...routes, ...jobs]) {
      const statements = statementsFor(route.id, route.access, targets);
      const listing = 'listing' in route.access ? route.access.listing.length : 0;
      const versionListing = 'versionListing' in route.access ? route.access.versionListing.length : 0;
      expect(statements).toHaveLength(
        route.access.objects.length + route.access.items.length + listing + versionListing,
      );
      for (const statement of statements) {
        expect(statement.actions.every((action) => !action.includes('*'))).toBe(true);
        if (statement.resources.some((resource) => resource.startsWith('table'))) {
          expect(statement.conditions?.[0]).toMatchObject({
            test: 'ForAllValues:StringLike',
            variable: 'dynamodb:LeadingKeys',
          });
        }
      }
    }
  });

  it('refuses actions that a key prefix or a partition key cannot scope', () => {
    const items = (actions: string[], partitionKeys = 'PERSON#*') => ({
      objects: [],
      items: [{ actions, partitionKeys }],
    });
    expect(() => statementsFor('R', items(['dynamodb:Scan']), targets)).toThrow(/"dynamodb:Scan" is not one of/);
    expect(() => statementsFor('R', items(['dynamodb:*']), targets)).toThrow(/is not one of/);
    expect(() => statementsFor('R', items(['dynamodb:GetItem'], '*'), targets)).toThrow(/partition key pattern/);
    const objects = (actions: string[], prefix = 'faces/') => ({ objects: [{ actions, prefix }], items: [] });
    expect(() => statementsFor('R', objects(['s3:ListBucket']), targets)).toThrow(/"s3:ListBucket" is not one of/);
    expect(() => statementsFor('R', objects(['s3:GetObject'], ''), targets)).toThrow(/literal folder/);
    expect(() => statementsFor('R', objects(['s3:GetObject'], 'faces/*'), targets)).toThrow(/literal folder/);
    expect(() => statementsFor('R', objects([]), targets)).toThrow(/without actions/);
    expect(() => statementsFor('R', { objects: [], items: [], listing: ['people/*'] }, targets)).toThrow(
      /literal folder/,
    );
    const onIndex = { objects: [], items: [{ actions: ['dynamodb:GetItem'], partitionKeys: 'PERSON#*', index: 'i' }] };
    expect(() => statementsFor('R', onIndex, targets)).toThrow(/only dynamodb:Query/);
  });

  it('grants a Query on an index on the index’s own ARN, scoped by partition key', () => {
    const access = {
      objects: [],
      items: [{ actions: ['dynamodb:Query'], partitionKeys: 'PERSON#*', index: 'byTime' }],
    };
    expect(statementsFor('R', access, targets)).toEqual([
      {
        actions: ['dynamodb:Query'],
        resources: ['table/index/byTime'],
        conditions: [{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: ['PERSON#*'] }],
      },
    ]);
  });

  it('grants version listing on the bucket only under the stated prefix', () => {
    expect(statementsFor('R', { objects: [], items: [], versionListing: ['faces/'] }, targets)).toEqual([
      {
        actions: ['s3:ListBucketVersions'],
        resources: ['bucket'],
        conditions: [{ test: 'StringLike', variable: 's3:prefix', values: ['faces/*'] }],
      },
    ]);
  });

  it('grants listing on the bucket only under the stated prefix', () => {
    expect(statementsFor('R', { objects: [], items: [], listing: ['people/'] }, targets)).toEqual([
      {
        actions: ['s3:ListBucket'],
        resources: ['bucket'],
        conditions: [{ test: 'StringLike', variable: 's3:prefix', values: ['people/*'] }],
      },
    ]);
  });
});
