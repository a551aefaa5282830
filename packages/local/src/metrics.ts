import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { StorageErrorKind } from '@identities/aws';
import type { Route } from '@identities/core';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { STORAGE_UPLOAD_PATH } from './gateway.ts';
import { drainSmall, HEALTH_PATH, READY_PATH } from './health.ts';
import { matchPath } from './proxy-event.ts';
import type { SweepName } from './sweeps.ts';

export const METRICS_PATH = '/metrics';

/** Methods counted by name; any other is `other`, so a client cannot mint label values. */
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH']);

/** Why a caller's token was refused, in a few fixed classes. */
export type TokenFailureReason = 'missing' | 'malformed' | 'expired' | 'invalid' | 'forbidden';

export interface ServerMetrics {
  readonly registry: Registry;
  /** Counts one request once its answer is finished or its connection gone. */
  observe(request: IncomingMessage, response: ServerResponse): void;
  storageError(kind: StorageErrorKind): void;
  sweep(sweep: SweepName, removed: number): void;
}

/**
 * The server's Prometheus metrics, in a registry of its own: requests by route id (never the raw path,
 * whose ids would make a series per document), method and status class; their durations; bytes in and
 * out; storage errors by kind; token refusals by reason; sweeps and what they removed; and the process's
 * own (CPU, memory, event loop, handles).
 */
export function makeMetrics(routes: readonly Route[]): ServerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'identities_' });
  const labels = ['route', 'method', 'status_class'] as const;
  const requests = new Counter({
    name: 'identities_http_requests_total',
    help: 'Requests answered, by route id, method and status class.',
    labelNames: labels,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'identities_http_request_duration_seconds',
    help: 'From the request to the end of its answer, by route id, method and status class.',
    labelNames: labels,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300],
    registers: [registry],
  });
  const received = new Counter({
    name: 'identities_http_received_bytes_total',
    help: 'Bytes read from clients (headers included), by route id.',
    labelNames: ['route'],
    registers: [registry],
  });
  const sent = new Counter({
    name: 'identities_http_sent_bytes_total',
    help: 'Bytes written to clients (headers included), by route id.',
    labelNames: ['route'],
    registers: [registry],
  });
  const tokenFailures = new Counter({
    name: 'identities_token_failures_total',
    help: 'Requests refused for their token (401) or its permissions (403), by reason.',
    labelNames: ['reason'],
    registers: [registry],
  });
  const storageErrors = new Counter({
    name: 'identities_storage_errors_total',
    help: 'Storage calls failed after their retries, by kind.',
    labelNames: ['kind'],
    registers: [registry],
  });
  const sweeps = new Counter({
    name: 'identities_sweeps_total',
    help: 'Sweeps run, by sweep.',
    labelNames: ['sweep'],
    registers: [registry],
  });
  const swept = new Counter({
    name: 'identities_swept_total',
    help: 'What sweeps removed (sessions and objects), by sweep.',
    labelNames: ['sweep'],
    registers: [registry],
  });

  const counts = new WeakMap<object, { read: number; written: number }>();
  return {
    registry,
    observe(request, response) {
      const started = process.hrtime.bigint();
      const socket = request.socket;
      let counted = false;
      const count = () => {
        if (counted) return;
        counted = true;
        const route = routeLabel(routes, request.url ?? '');
        const method = METHODS.has(request.method ?? '') ? (request.method as string) : 'other';
        const status = response.headersSent ? `${Math.floor(response.statusCode / 100)}xx` : 'aborted';
        const values = { route, method, status_class: status };
        requests.inc(values);
        duration.observe(values, Number(process.hrtime.bigint() - started) / 1e9);
        // A connection's bytes since its previous request ended: this request's, headers included (HTTP/1.1
        // answers one request at a time on a connection).
        const before = counts.get(socket) ?? { read: 0, written: 0 };
        const after = { read: socket.bytesRead, written: socket.bytesWritten };
        counts.set(socket, after);
        received.inc({ route }, Math.max(0, after.read - before.read));
        sent.inc({ route }, Math.max(0, after.written - before.written));
        // Only the API's routes check tokens: the gateway's 403 for an unknown path is none of theirs.
        const apiRoute = routes.some((one) => one.id === route);
        if (apiRoute && (response.statusCode === 401 || response.statusCode === 403)) {
          tokenFailures.inc({ reason: tokenFailureReason(request, response.statusCode) });
        }
      };
      response.once('finish', count);
      response.once('close', count);
    },
    storageError(kind) {
      storageErrors.inc({ kind });
    },
    sweep(sweep, removed) {
      sweeps.inc({ sweep });
      swept.inc({ sweep }, removed);
    },
  };
}

/** The route id a request target names, or one of a few fixed names: never the path itself. */
export function routeLabel(routes: readonly Route[], target: string): string {
  const path = target.split('?')[0] ?? '';
  if (path === HEALTH_PATH) return 'healthz';
  if (path === READY_PATH) return 'readyz';
  if (path === METRICS_PATH) return 'metrics';
  if (path === STORAGE_UPLOAD_PATH || path.startsWith(`${STORAGE_UPLOAD_PATH}/`)) return 'storage';
  return routes.find((route) => matchPath(route.path, path) !== undefined)?.id ?? 'unmatched';
}

/**
 * Why a 401 or 403 was answered, from what the request carried: no token, one that is not a bearer JWT,
 * one whose `exp` has passed (read, not trusted: only to name the class), any other refused token, or a
 * verified caller without the permission.
 */
export function tokenFailureReason(request: IncomingMessage, status: number): TokenFailureReason {
  if (status === 403) return 'forbidden';
  const header = request.headers.authorization;
  if (header === undefined || header === '') return 'missing';
  const token = /^Bearer ([A-Za-z0-9_-]+\.([A-Za-z0-9_-]+)\.[A-Za-z0-9_-]+)$/.exec(header);
  if (token === null || header.length > 8192) return 'malformed';
  try {
    const payload = JSON.parse(Buffer.from(token[2] ?? '', 'base64url').toString('utf8')) as { exp?: unknown };
    if (typeof payload.exp === 'number' && payload.exp * 1000 < Date.now()) return 'expired';
  } catch {
    return 'malformed';
  }
  return 'invalid';
}

/**
 * `/metrics`: Prometheus's text format, GET (and HEAD) only. With a token, only a request bearing exactly
 * it (compared in constant time) is answered; any other gets 401.
 */
export function metricsEndpoint(metrics: ServerMetrics, token: string | undefined) {
  const expected = token === undefined ? undefined : Buffer.from(`Bearer ${token}`);
  return (request: IncomingMessage, response: ServerResponse, pathname: string): boolean => {
    if (pathname !== METRICS_PATH) return false;
    drainSmall(request);
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      problem(response, 405, 'Method Not Allowed', '/metrics answers GET and HEAD.', { Allow: 'GET, HEAD' });
      return true;
    }
    if (expected !== undefined) {
      const given = Buffer.from(request.headers.authorization ?? '');
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
        problem(response, 401, 'Unauthorized', 'The metrics token is required.', {
          'WWW-Authenticate': 'Bearer realm="metrics"',
        });
        return true;
      }
    }
    metrics.registry.metrics().then(
      (text) => {
        response.writeHead(200, {
          'Content-Type': metrics.registry.contentType,
          'Content-Length': Buffer.byteLength(text),
          'Cache-Control': 'no-store',
          'X-Content-Type-Options': 'nosniff',
        });
        response.end(method === 'HEAD' ? undefined : text);
      },
      () => response.destroy(),
    );
    return true;
  };
}

function problem(
  response: ServerResponse,
  status: number,
  title: string,
  detail: string,
  headers: Record<string, string>,
): void {
  const body = JSON.stringify({ type: 'about:blank', title, status, detail });
  response.writeHead(status, {
    ...headers,
    'Content-Type': 'application/problem+json',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(body);
}
