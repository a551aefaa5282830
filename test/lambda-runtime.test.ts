import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  makeAuthenticator,
  makeLogger,
  routeById,
  sharedSecret,
  streamingHandler,
  streamingRuntime,
} from '@identities/core';
import { invokeStreamingHandler, RuntimeExitError } from '@identities/local';
import { describe, expect, it } from 'vitest';
import { apiEvent, lambdaContext } from './support/lambda.ts';
import { AUDIENCE, ISSUER } from './support/tokens.ts';

const event = apiEvent({ path: '/api/v1/people/enrollmentPhoto/x' });
// The local runtime, as the vitest setup installs it (test/support/env.ts).
const lambda = streamingRuntime();

describe('the local Lambda streaming runtime', () => {
  it('sends the prelude on the first write, then the body', async () => {
    const handler = lambda.streamifyResponse(async (_event, stream) => {
      const response = lambda.HttpResponseStream.from(stream, { statusCode: 404, headers: { 'X-A': 'b' } });
      response.write('hello ');
      response.write('world');
      response.end();
    });
    const result = invokeStreamingHandler(handler, event, lambdaContext());
    const response = await result.response;
    expect(response.statusCode).toBe(404);
    expect(response.headers).toEqual({ 'X-A': 'b' });
    expect(Buffer.concat(await response.body.toArray()).toString()).toBe('hello world');
  });

  it('loses status and headers when a handler only calls end(), as the Lambda runtime does', async () => {
    const handler = lambda.streamifyResponse(async (_event, stream) => {
      lambda.HttpResponseStream.from(stream, { statusCode: 404, headers: { 'X-A': 'b' } }).end();
    });
    const response = await invokeStreamingHandler(handler, event, lambdaContext()).response;
    expect(response.statusCode).toBe(200);
    expect(response.headers).toEqual({});
  });

  it('errors the body when the handler fails after the prelude, never ending it cleanly', async () => {
    const handler = lambda.streamifyResponse(async (_event, stream) => {
      const response = lambda.HttpResponseStream.from(stream, { statusCode: 200, headers: {} });
      response.write('partial');
      throw new Error('storage died');
    });
    const result = invokeStreamingHandler(handler, event, lambdaContext());
    const response = await result.response;
    await expect(response.body.toArray()).rejects.toThrow('storage died');
    await expect(result.done).rejects.toThrow('storage died');
  });
});

describe('a function that destroys its response stream', () => {
  it('fails the invocation as the Lambda runtime process exits, even when the function returns', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024, 1));
        this.destroy(new Error('connection reset by S3'));
      },
    });
    const handler = lambda.streamifyResponse(async (_event, stream) => {
      const response = lambda.HttpResponseStream.from(stream, { statusCode: 200, headers: {} });
      response.write('');
      // pipeline() destroys its destination when the source fails: what the Lambda runtime cannot survive.
      await pipeline(failing, response).catch(() => undefined);
    });
    const result = invokeStreamingHandler(handler, event, lambdaContext());
    await result.response;
    await expect(result.done).rejects.toBeInstanceOf(RuntimeExitError);
  });
});

describe('a consumer that goes away', () => {
  it('stops the handler, as the runtime does when a client disconnects', async () => {
    let produced = 0;
    const endless = new Readable({
      read() {
        produced++;
        this.push(Buffer.alloc(64 * 1024, 1));
      },
    });
    const handler = lambda.streamifyResponse(async (_event, stream) => {
      const response = lambda.HttpResponseStream.from(stream, { statusCode: 200, headers: {} });
      response.write('');
      await pipeline(endless, response);
    });
    const result = invokeStreamingHandler(handler, event, lambdaContext());
    const response = await result.response;
    response.body.destroy();
    await expect(result.done).rejects.toThrow();
    expect(endless.destroyed).toBe(true);
    expect(produced).toBeLessThan(100);
  });
});

describe('streamingHandler', () => {
  const deps = {
    auth: makeAuthenticator({
      keys: sharedSecret('runtime-secret-0123456789abcdef-0123'),
      issuer: ISSUER,
      audience: AUDIENCE,
    }),
    logger: makeLogger('silent'),
  };

  it('sends status and headers for an empty body (the explicit first write)', async () => {
    const handler = streamingHandler(routeById('EnrollmentPhoto'), deps, async () => ({ statusCode: 200 }));
    const response = await invokeStreamingHandler(handler, event, lambdaContext()).response;
    expect(response.statusCode).toBe(401);
    expect(response.headers['WWW-Authenticate']).toMatch(/^Bearer/);
    expect(response.headers['X-Content-Type-Options']).toBe('nosniff');
  });

  it('aborts the response when the body stream fails part-way', async () => {
    const failing = new Readable({
      read() {
        this.push(Buffer.alloc(1024, 1));
        this.destroy(new Error('connection reset by S3'));
      },
    });
    const endpoint = async () => ({ statusCode: 200, headers: { 'Content-Length': '4096' }, body: failing });
    const noAuth = {
      ...deps,
      auth: {
        authenticate: async () => ({ subject: 's', permissions: new Set<string>(), roles: [] }),
        authorize: async () => undefined,
        ready: async () => undefined,
      },
    };
    const handler = streamingHandler(routeById('EnrollmentPhoto'), noAuth, endpoint);
    const result = invokeStreamingHandler(handler, event, lambdaContext());
    const response = await result.response;
    expect(response.statusCode).toBe(200);
    await expect(response.body.toArray()).rejects.toThrow();
    await expect(result.done).rejects.toThrow('connection reset by S3');
  });
});
