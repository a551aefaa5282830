import { corsFromEnv } from '@identities/aws';
import {
  corsPolicy,
  LOCAL_ORIGINS,
  makeAuthenticator,
  makeLogger,
  preflightResponse,
  routeById,
  sharedSecret,
  streamingHandler,
  toHttpRequest,
} from '@identities/core';
import { describe, expect, it } from 'vitest';
import { apiEvent, invoke } from './support/lambda.ts';
import { AUDIENCE, ISSUER } from './support/tokens.ts';

const policy = corsPolicy(['https://app.customer.example', ...LOCAL_ORIGINS]);

describe('CORS policy', () => {
  it.each([
    ['https://app.customer.example', true],
    ['https://APP.customer.example', true],
    ['http://localhost:3000', true],
    ['http://127.0.0.1:5173', true],
    ['http://localhost', true],
    ['https://localhost:3000', false],
    ['https://app.customer.example.evil.example', false],
    ['https://evil.example', false],
    ['null', false],
    ['http://localhost:*', false],
  ])('%s allowed: %s', (origin, allowed) => {
    expect(policy.allows(origin)).toBe(allowed);
  });

  it('refuses a malformed origin in the configuration', () => {
    expect(() => corsFromEnv({ CORS_ALLOWED_ORIGINS: 'app.example.com' })).toThrow(/CORS_ALLOWED_ORIGINS/);
  });
});

describe('CORS on responses', () => {
  const deps = {
    auth: makeAuthenticator({
      keys: sharedSecret('cors-secret-0123456789abcdef-0123456'),
      issuer: ISSUER,
      audience: AUDIENCE,
    }),
    logger: makeLogger('silent'),
    cors: policy,
  };
  const handler = streamingHandler(routeById('EnrollmentPhoto'), deps, async () => ({ statusCode: 200 }));
  const event = (origin?: string) =>
    apiEvent({ path: '/api/v1/people/enrollmentPhoto/x', headers: origin === undefined ? {} : { Origin: origin } });

  it('adds Allow-Origin and the exposed headers for an allowed origin, even on errors', async () => {
    const response = await invoke(handler, event('http://localhost:3000'));
    expect(response.statusCode).toBe(401);
    expect(response.headers['access-control-allow-origin']).toBe('http://localhost:3000');
    expect(response.headers['access-control-expose-headers']).toContain('Content-Disposition');
    expect(response.headers['access-control-expose-headers']).toContain('ETag');
    expect(response.headers['access-control-allow-credentials']).toBeUndefined();
    expect(response.headers.vary).toContain('Origin');
  });

  it('adds no CORS headers for a disallowed origin', async () => {
    const response = await invoke(handler, event('https://evil.example'));
    expect(response.headers['access-control-allow-origin']).toBeUndefined();
    expect(response.headers['access-control-expose-headers']).toBeUndefined();
  });

  it('answers a preflight from an allowed origin, allowing Authorization and the methods used', () => {
    const request = toHttpRequest(
      apiEvent({
        path: '/api/v1/people/enrollmentPhoto/x',
        headers: {
          Origin: 'https://app.customer.example',
          'Access-Control-Request-Method': 'GET',
          'Access-Control-Request-Headers': 'authorization',
        },
      }),
    );
    const response = preflightResponse(policy, request);
    expect(response.statusCode).toBe(204);
    expect(response.headers).toMatchObject({
      'Access-Control-Allow-Origin': 'https://app.customer.example',
      'Access-Control-Allow-Methods': expect.stringContaining('POST'),
      'Access-Control-Allow-Headers': expect.stringContaining('Authorization'),
    });
  });

  it('answers a preflight from a disallowed origin without CORS headers', () => {
    const request = toHttpRequest(
      apiEvent({
        path: '/api/v1/people/enrollmentPhoto/x',
        headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
      }),
    );
    expect(preflightResponse(policy, request).headers?.['Access-Control-Allow-Origin']).toBeUndefined();
  });
});
