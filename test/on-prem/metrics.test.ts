import { rm } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cli,
  closedPort,
  externalStores,
  type ServerProcess,
  startServerProcess,
  tempDir,
  userEnv,
} from '../support/processes.ts';

const METRICS_TOKEN = 'metrics-token-0123456789abcdef';
const PHOTO = '/api/v1/people/enrollmentPhoto/sample-face';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

function call(url: string, headers: Record<string, string> = {}, method = 'GET') {
  return new Promise<Answer>((resolve, reject) => {
    const request = httpRequest(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks).toString('utf8'),
        }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

interface Sample {
  readonly name: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/**
 * Prometheus's text exposition format, read strictly: every line is empty, a HELP or TYPE comment, or a
 * sample `name{label="value",...} number`; anything else fails the test.
 */
function parseExposition(text: string): { samples: Sample[]; types: Map<string, string> } {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  expect(text.endsWith('\n')).toBe(true);
  for (const line of text.slice(0, -1).split('\n')) {
    // The format ignores empty lines.
    if (line === '') continue;
    const comment = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line);
    if (comment !== null) {
      if (comment[1] === 'TYPE') {
        expect(['counter', 'gauge', 'histogram', 'summary', 'untyped']).toContain(comment[3]);
        types.set(comment[2] as string, comment[3] as string);
      }
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    expect(sample, `not a metrics line: ${line}`).not.toBeNull();
    const labels: Record<string, string> = {};
    const labelText = sample?.[2] ?? '';
    const labelPattern = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"(,|$)/gy;
    let consumed = 0;
    for (const match of labelText.matchAll(labelPattern)) {
      labels[match[1] as string] = match[2] as string;
      consumed += match[0].length;
    }
    expect(consumed, `bad labels: ${line}`).toBe(labelText.length);
    const value = Number(sample?.[3] === '+Inf' ? Number.POSITIVE_INFINITY : sample?.[3]);
    expect(Number.isNaN(value), `bad value: ${line}`).toBe(false);
    samples.push({ name: sample?.[1] as string, labels, value });
  }
  return { samples, types };
}

const sampleSum = (samples: readonly Sample[], name: string, labels: Record<string, string> = {}) =>
  samples
    .filter((s) => s.name === name && Object.entries(labels).every(([key, value]) => s.labels[key] === value))
    .reduce((sum, s) => sum + s.value, 0);

describe('metrics on a port of their own', () => {
  let dataDir: string;
  let server: ServerProcess;
  let metricsUrl: string;

  beforeAll(async () => {
    dataDir = await tempDir();
    server = await startServerProcess(
      ['--metrics-port', '0'],
      userEnv({ DATA_DIR: dataDir, METRICS_TOKEN: METRICS_TOKEN }),
    );
    metricsUrl = /Metrics: (\S+)/.exec(server.output())?.[1] ?? '';
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('listens on loopback and answers only the right bearer token', async () => {
    expect(metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect((await call(metricsUrl)).status).toBe(401);
    const wrong = await call(metricsUrl, { Authorization: `Bearer ${METRICS_TOKEN.slice(0, -1)}x` });
    expect(wrong.status).toBe(401);
    expect(wrong.headers['www-authenticate']).toBe('Bearer realm="metrics"');
    expect((await call(metricsUrl, { Authorization: server.token ? `Bearer ${server.token}` : '' })).status).toBe(401);
    expect((await call(metricsUrl, { Authorization: `Bearer ${METRICS_TOKEN}` }, 'POST')).status).toBe(405);
    expect((await call(metricsUrl.replace(/\/metrics$/, '/other'))).status).toBe(404);
  });

  it('is not served on the API listener when it has a port of its own', async () => {
    const answer = await call(`${server.url}/metrics`, { Authorization: `Bearer ${METRICS_TOKEN}` });
    expect(answer.status).toBe(403);
  });

  it('counts requests by route id, method and status class, bytes, token failures, sweeps and the process', async () => {
    const photo = await call(`${server.url}${PHOTO}`, { Authorization: `Bearer ${server.token}` });
    expect(photo.status).toBe(200);
    expect((await call(`${server.url}${PHOTO}`)).status).toBe(401);
    expect((await call(`${server.url}${PHOTO}`, { Authorization: 'Bearer not-a-jwt' })).status).toBe(401);
    const header = Buffer.from('{"alg":"ES256"}').toString('base64url');
    const expired = Buffer.from(JSON.stringify({ sub: 'x', exp: 1_000_000 })).toString('base64url');
    expect((await call(`${server.url}${PHOTO}`, { Authorization: `Bearer ${header}.${expired}.c2ln` })).status).toBe(
      401,
    );
    expect((await call(`${server.url}/api/v1/people/somewhere-else`)).status).toBe(403);
    expect((await call(`${server.url}/healthz`)).status).toBe(200);

    const scrape = await call(metricsUrl, { Authorization: `Bearer ${METRICS_TOKEN}` });
    expect(scrape.status).toBe(200);
    expect(scrape.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    const { samples, types } = parseExposition(scrape.body);

    expect(types.get('identities_http_requests_total')).toBe('counter');
    expect(types.get('identities_http_request_duration_seconds')).toBe('histogram');
    const photoOk = { route: 'EnrollmentPhoto', method: 'GET', status_class: '2xx' };
    expect(sampleSum(samples, 'identities_http_requests_total', photoOk)).toBe(1);
    expect(
      sampleSum(samples, 'identities_http_requests_total', { route: 'EnrollmentPhoto', status_class: '4xx' }),
    ).toBe(3);
    expect(sampleSum(samples, 'identities_http_requests_total', { route: 'unmatched', status_class: '4xx' })).toBe(1);
    expect(sampleSum(samples, 'identities_http_requests_total', { route: 'healthz' })).toBe(1);
    expect(sampleSum(samples, 'identities_http_request_duration_seconds_count', photoOk)).toBe(1);
    expect(sampleSum(samples, 'identities_http_request_duration_seconds_bucket', { ...photoOk, le: '+Inf' })).toBe(1);
    // Raw paths never become labels: an id would make a series of its own.
    expect(scrape.body).not.toContain('sample-face');
    expect(scrape.body).not.toContain('somewhere-else');

    const photoBytes = Number(photo.headers['content-length']);
    expect(photoBytes).toBeGreaterThan(0);
    expect(sampleSum(samples, 'identities_http_sent_bytes_total', { route: 'EnrollmentPhoto' })).toBeGreaterThan(
      photoBytes,
    );
    expect(sampleSum(samples, 'identities_http_received_bytes_total', { route: 'EnrollmentPhoto' })).toBeGreaterThan(0);

    expect(sampleSum(samples, 'identities_token_failures_total', { reason: 'missing' })).toBe(1);
    expect(sampleSum(samples, 'identities_token_failures_total', { reason: 'malformed' })).toBe(1);
    expect(sampleSum(samples, 'identities_token_failures_total', { reason: 'expired' })).toBe(1);

    // The sweeps run once at start.
    expect(sampleSum(samples, 'identities_sweeps_total', { sweep: 'upload-sessions' })).toBeGreaterThanOrEqual(1);
    expect(sampleSum(samples, 'identities_sweeps_total', { sweep: 'orphan-documents' })).toBeGreaterThanOrEqual(1);
    expect(types.get('identities_swept_total')).toBe('counter');

    expect(sampleSum(samples, 'identities_process_cpu_user_seconds_total')).toBeGreaterThan(0);
    expect(sampleSum(samples, 'identities_process_resident_memory_bytes')).toBeGreaterThan(0);
  });
});

describe('metrics on the API listeners', () => {
  let dataDir: string;
  let server: ServerProcess;

  beforeAll(async () => {
    dataDir = await tempDir();
    // The object store is a port nothing listens on: storage calls fail, unreachable.
    const stores = externalStores(`http://127.0.0.1:${await closedPort()}`);
    server = await startServerProcess(
      ['--metrics', ...stores.args, '--region', stores.env.AWS_REGION, '--log-level', 'error'],
      userEnv({ DATA_DIR: dataDir, METRICS: 'on', METRICS_TOKEN: METRICS_TOKEN, ...stores.env }),
    );
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('serves /metrics beside the API, behind its token, and counts storage errors by kind', async () => {
    expect((await call(`${server.url}/metrics`)).status).toBe(401);
    const scrape = await call(`${server.url}/metrics`, { Authorization: `Bearer ${METRICS_TOKEN}` });
    expect(scrape.status).toBe(200);
    const { samples } = parseExposition(scrape.body);
    expect(sampleSum(samples, 'identities_storage_errors_total', { kind: 'unreachable' })).toBeGreaterThanOrEqual(1);
    expect(sampleSum(samples, 'identities_storage_errors_total', { kind: 'throttle' })).toBe(0);
  });
});

describe('identities serve --metrics', () => {
  it('refuses metrics on the API listeners without a token, and a token on its command line', async () => {
    const dataDir = await tempDir();
    try {
      const bare = await cli(['serve', '--port', '0', '--metrics'], userEnv({ DATA_DIR: dataDir }));
      expect(bare.code).toBe(2);
      expect(bare.stderr).toContain('metrics on the API listeners need a token');
      const flag = await cli(
        ['serve', '--port', '0', '--metrics-token', METRICS_TOKEN],
        userEnv({ DATA_DIR: dataDir }),
      );
      expect(flag.code).toBe(2);
      const short = await cli(['serve', '--port', '0', '--metrics-port', '0'], userEnv({ METRICS_TOKEN: 'short' }));
      expect(short.code).toBe(2);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
