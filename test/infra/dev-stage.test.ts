import { jobs, routes } from '@identities/core/infra';
import { beforeAll, describe, expect, it } from 'vitest';
import { deployedRoutes, environmentOf, methods, only, routeMethods, routeOf, T } from './support/deployed.ts';
import { buildStage, type StageBuild } from './support/sst-stage.ts';

let build: StageBuild;
beforeAll(async () => {
  build = await buildStage('dev', {
    JwtIssuer: 'https://login.dev.example/',
    JwtAudience: 'identities',
    JwtJwksUrl: 'https://login.dev.example/jwks',
  });
  if (build.failures.length > 0) throw build.failures[0];
}, 120_000);

describe('a dev stage', () => {
  it('is removed with everything in it', () => {
    expect(build.app).toMatchObject({ name: 'identities', removal: 'remove', protect: false });
    for (const type of [T.bucket, T.table]) expect(only(build.ofType(type)).retainOnDelete).toBe(false);
    expect(only(build.ofType(T.table)).inputs.deletionProtectionEnabled).toBe(false);
    expect(only(build.ofType(T.bucket)).inputs.forceDestroy).toBe(true);
  });

  it('has no custom domain, and is reached at its execute-api URL', () => {
    for (const type of [
      'aws:apigateway/domainName:DomainName',
      'aws:apigateway/basePathMapping:BasePathMapping',
      'aws:acm/certificate:Certificate',
      'aws:route53/record:Record',
    ]) {
      expect(build.ofType(type)).toEqual([]);
    }
    expect(build.outputs.url).toMatch(/^https:\/\/[^/]+\.execute-api\.eu-central-1\.amazonaws\.com\/dev\/$/);
  });

  it('has no web app to allow: no preflight routes, no CORS anywhere, nosniff still on its own errors', () => {
    expect(methods(build).filter(({ method }) => method === 'OPTIONS')).toEqual([]);
    const gatewayResponses = build.ofType('aws:apigateway/response:Response');
    expect(gatewayResponses.map(({ inputs }) => inputs.responseType).sort()).toEqual(['DEFAULT_4XX', 'DEFAULT_5XX']);
    for (const { inputs } of gatewayResponses) {
      const headers = Object.keys(inputs.responseParameters as Record<string, string>);
      expect(headers.filter((name) => name.includes('Access-Control'))).toEqual([]);
      expect(headers).toContain('gatewayresponse.header.X-Content-Type-Options');
    }
    expect(build.ofType('aws:s3/bucketCorsConfiguration:BucketCorsConfiguration')).toEqual([]);
    for (const lambda of build.ofType(T.lambda))
      expect(environmentOf(lambda)).not.toHaveProperty('CORS_ALLOWED_ORIGINS');
  });

  it('still serves every route, with the same streaming modes', () => {
    const deployed = deployedRoutes(build);
    expect(deployed.map(({ method, path }) => `${method} ${path}`).sort()).toEqual(routeMethods(routes));
    expect(build.ofType(T.lambda)).toHaveLength(routes.length + jobs.length);
    for (const { method, path, integration } of deployed) {
      const route = routeOf(routes, method, path);
      expect(integration.inputs.responseTransferMode).toBe(route.response === 'stream' ? 'STREAM' : 'BUFFERED');
    }
  });

  it('keeps its logs for a week', () => {
    const groups = build.ofType(T.logGroup);
    expect(groups).toHaveLength(routes.length + jobs.length + 1);
    for (const group of groups) expect(group.inputs.retentionInDays).toBe(7);
  });
});
