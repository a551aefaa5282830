import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeLogger, type Route, streamingRuntime } from '@identities/core';
import { type AnyHandler, createGateway } from '@identities/local';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, userEnv } from '../support/processes.ts';

// The local runtime, as the vitest setup installs it (test/support/env.ts).
const lambda = streamingRuntime();

const route = (id: string, path: string, timeoutSeconds = 5): Route => ({
  id,
  method: 'GET',
  path,
  handler: `functions/${id}.handler`,
  permission: null,
  response: 'buffered',
  head: false,
  access: { objects: [], items: [] },
  memoryMb: 128,
  timeoutSeconds,
});

const handlers: Record<string, AnyHandler> = {
  big: async () => ({ statusCode: 200, body: 'x'.repeat(6 * 1024 * 1024 + 101) }),
  justUnder: async () => ({ statusCode: 200, body: 'x'.repeat(6 * 1024 * 1024 - 1000) }),
  crash: async () => {
    throw new Error('handler crashed');
  },
  slow: () => new Promise<never>(() => undefined),
  echo: async (event: APIGatewayProxyEvent) => ({
    statusCode: 200,
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      pathParameters: event.pathParameters,
      path: event.path,
      query: event.queryStringParameters,
    }),
  }),
  broken: lambda.streamifyResponse(async (_event, stream) => {
    const response = lambda.HttpResponseStream.from(stream, {
      statusCode: 200,
      headers: { 'Content-Length': '100000' },
    });
    response.write(Buffer.alloc(1000, 1));
    await new Promise((resolve) => setTimeout(resolve, 50));
    throw new Error('storage died mid-stream');
  }),
};

const routes = [
  route('big', '/big'),
  route('justUnder', '/just-under'),
  route('crash', '/crash'),
  route('slow', '/slow', 1),
  route('echo', '/echo/{id}'),
  route('broken', '/broken'),
];

describe('the local gateway', () => {
  let server: Server;
  let base: string;

  beforeAll(async () => {
    const gateway = createGateway({
      routes,
      logger: makeLogger('silent'),
      loadHandler: async (r) => handlers[r.id] as AnyHandler,
    });
    server = createServer((request, response) => void gateway(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('answers 502 as API Gateway does when a buffered response exceeds 6 MB', async () => {
    const response = await fetch(`${base}/big`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
  });

  it('passes a buffered response just under 6 MB', async () => {
    const response = await fetch(`${base}/just-under`);
    expect(response.status).toBe(200);
    expect((await response.arrayBuffer()).byteLength).toBe(6 * 1024 * 1024 - 1000);
  });

  it('answers 502 when the function crashes', async () => {
    const response = await fetch(`${base}/crash`);
    expect(response.status).toBe(502);
    expect(await response.text()).not.toContain('handler crashed');
  });

  it('answers 504 when the function runs past its timeout', async () => {
    const response = await fetch(`${base}/slow`);
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ message: 'Endpoint request timed out' });
  });

  it('decodes path parameters and keeps the path encoded, as REST APIs do', async () => {
    const response = await fetch(`${base}/echo/a%20b%2Fc?x=1&x=2`);
    expect(await response.json()).toEqual({
      pathParameters: { id: 'a b/c' },
      path: '/echo/a%20b%2Fc',
      query: { x: '2' },
    });
  });

  it('aborts the connection when a streamed response fails part-way, never ending it cleanly', async () => {
    const result = await run(
      'curl',
      ['-s', '-o', '/dev/null', '-w', '%{http_code} %{size_download}', `${base}/broken`],
      userEnv(),
    );
    expect(result.code).not.toBe(0);
    expect(result.stdout).toMatch(/^200 1000$/);
  });
});
