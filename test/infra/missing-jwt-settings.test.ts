import { beforeAll, expect, it } from 'vitest';
import { buildStage, type StageBuild } from './support/sst-stage.ts';

let build: StageBuild;
beforeAll(async () => {
  build = await buildStage('acme', { JwtAudience: 'identities' });
}, 120_000);

it('fails to deploy a customer stage without its JWT settings, naming each one and how to set it', () => {
  expect(build.failures.length).toBeGreaterThan(0);
  for (const failure of build.failures) {
    expect(failure.message).toBe(
      [
        'Stage "acme" has no JWT settings for JwtIssuer, JwtJwksUrl. Set them, then deploy again:',
        '  npx sst secret set JwtIssuer <value> --stage acme',
        '  npx sst secret set JwtJwksUrl <value> --stage acme',
        '(Instead of JwtJwksUrl: JwtOidcIssuer for an OpenID provider, or JwtSecret for the Identities server.)',
      ].join('\n'),
    );
  }
});

it('deploys no function that would have run without them', () => {
  expect(build.ofType('aws:lambda/function:Function')).toEqual([]);
});
