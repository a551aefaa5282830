import { readFile, rm } from 'node:fs/promises';
import { createServer, request as httpRequest, type Server } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { type AddressInfo, connect } from 'node:net';
import { join } from 'node:path';
import { makeLogger } from '@identities/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeProbes } from '../../packages/local/src/health.ts';
import {
  closedPort,
  externalStores,
  type ServerProcess,
  startServerProcess,
  tempDir,
  userEnv,
} from '../support/processes.ts';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function call(url: string, options: { method?: string; ca?: string; headers?: Record<string, string> } = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const request = send(
      url,
      {
        method: options.method ?? 'GET',
        headers: options.headers ?? {},
        ...(options.ca === undefined ? {} : { ca: options.ca }),
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            headers: response.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
      },
    );
    request.on('error', reject);
    request.end();
  });
}

describe('the probes', () => {
  let server: Server;
  let url: string;
  let release: () => void = () => undefined;

  beforeAll(async () => {
    const probes = makeProbes({
      logger: makeLogger('silent'),
      timeoutMs: 300,
      checks: {
        'object-store': () => Promise.resolve(),
        // A store that accepted the connection and never answers.
        table: () =>
          new Promise<void>((resolve) => {
            release = resolve;
          }),
      },
    });
    server = createServer((request, response) => {
      if (!probes(request, response, new URL(request.url ?? '/', 'http://probe').pathname)) {
        response.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    release();
    await new Promise((resolve) => server.close(resolve));
  });

  it('answers /healthz without calling any dependency', async () => {
    const answer = await call(`${url}/healthz`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ status: 'ok' });
    expect(answer.headers['cache-control']).toBe('no-store');
  });

  it('answers /readyz with 503 naming a dependency that hangs, within its bounded time', async () => {
    const started = Date.now();
    const answer = await call(`${url}/readyz`);
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(answer.status).toBe(503);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.headers['retry-after']).toBe('5');
    const problem = JSON.parse(answer.body) as { status: number; failing: string[]; detail: string };
    expect(problem.status).toBe(503);
    expect(problem.failing).toEqual(['table']);
    expect(problem.detail).toContain('table');
  });

  it('answers HEAD with the headers and no body', async () => {
    const answer = await call(`${url}/healthz`, { method: 'HEAD' });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
    expect(Number(answer.headers['content-length'])).toBeGreaterThan(0);
  });

  it('answers other methods with 405 and Allow', async () => {
    for (const method of ['POST', 'PUT', 'DELETE', 'OPTIONS']) {
      const answer = await call(`${url}/readyz`, { method });
      expect(answer.status).toBe(405);
      expect(answer.headers.allow).toBe('GET, HEAD');
      expect(answer.headers['content-type']).toBe('application/problem+json');
    }
  });
});

describe('identities serve', () => {
  let dataDir: string;
  let server: ServerProcess;
  let httpUrl: string;
  let ca: string;

  beforeAll(async () => {
    dataDir = await tempDir();
    server = await startServerProcess(['--tls-self-signed', '--http-port', '0'], userEnv({ DATA_DIR: dataDir }));
    httpUrl = /Plain HTTP \(for a TLS-terminating proxy\): (\S+)/.exec(server.output())?.[1] ?? '';
    ca = await readFile(join(dataDir, 'tls-cert.pem'), 'utf8');
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('answers both probes on the HTTPS and the plain-HTTP listener, telling no versions', async () => {
    expect(httpUrl).toMatch(/^http:\/\//);
    for (const base of [server.url, httpUrl]) {
      const health = await call(`${base}/healthz`, { ca });
      expect(health.status).toBe(200);
      const ready = await call(`${base}/readyz`, { ca });
      expect(ready.status, ready.body).toBe(200);
      expect(JSON.parse(ready.body)).toEqual({ status: 'ready' });
      for (const answer of [health, ready]) {
        expect(answer.headers.server).toBeUndefined();
        expect(answer.headers['x-powered-by']).toBeUndefined();
        expect(answer.body).not.toMatch(/version|node|\d+\.\d+\.\d+/i);
      }
    }
  });

  it('does not hold a connection open for a body sent to a probe', async () => {
    const { hostname, port } = new URL(httpUrl);
    const socket = connect(Number(port), hostname);
    const received: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => received.push(chunk));
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    socket.write('GET /healthz HTTP/1.1\r\nHost: probe\r\nContent-Length: 100000000\r\n\r\n');
    socket.write(Buffer.alloc(64 * 1024));
    // Still sending, slowly: the answer says the connection closes, and a second later it is cut.
    const trickle = setInterval(() => socket.write('x'), 100);
    await closed;
    clearInterval(trickle);
    const answer = Buffer.concat(received).toString();
    expect(answer).toMatch(/^HTTP\/1\.1 200 /);
    expect(answer).toMatch(/\r\nConnection: close\r\n/i);
  });

  it('does not log the probes at info', async () => {
    for (let i = 0; i < 3; i++) await call(`${server.url}/healthz`, { ca });
    expect(server.output()).not.toContain('/healthz');
    expect(server.output()).not.toContain('"route":"health');
  });
});

describe('identities serve on external stores', () => {
  let dataDir: string;
  let server: ServerProcess;
  let unreachable: number;

  beforeAll(async () => {
    dataDir = await tempDir();
    // The object store is a port nothing listens on: it does not answer.
    unreachable = await closedPort();
    const stores = externalStores(`http://127.0.0.1:${unreachable}`);
    server = await startServerProcess(
      [...stores.args, '--region', stores.env.AWS_REGION, '--log-level', 'warn'],
      userEnv({ DATA_DIR: dataDir, ...stores.env }),
    );
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('is alive but not ready while its object store cannot be reached, and logs why once', async () => {
    expect((await call(`${server.url}/healthz`)).status).toBe(200);
    const ready = await call(`${server.url}/readyz`);
    expect(ready.status).toBe(503);
    expect((JSON.parse(ready.body) as { failing: string[] }).failing).toEqual(['object-store']);
    // The cause is in the log, not in the answer.
    expect(ready.body).not.toContain(String(unreachable));
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await call(`${server.url}/readyz`);
    expect(server.output().match(/not ready/g)?.length).toBe(1);
  });
});
