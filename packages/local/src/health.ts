import type { IncomingMessage, ServerResponse } from 'node:http';
import { describeError, type Logger } from '@identities/core';

export const HEALTH_PATH = '/healthz';
export const READY_PATH = '/readyz';

/** How long one readiness check may take before its dependency counts as failing. */
export const READY_CHECK_TIMEOUT_MS = 2_000;
/**
 * A readiness answer is reused this long, and checks in flight are shared: a flood of probes costs the
 * stores one call per dependency a second at most.
 */
export const READY_CACHE_MS = 1_000;

/** A dependency the server needs to serve requests: resolves when it answers, throws (or hangs) when not. */
export type ReadinessCheck = () => Promise<void>;

/** Answers the probe paths and returns true; returns false for any other path. */
export type Probes = (request: IncomingMessage, response: ServerResponse, pathname: string) => boolean;

class CheckTimeout extends Error {}

function bounded(check: ReadinessCheck, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CheckTimeout(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([Promise.resolve().then(check), timeout]).finally(() => clearTimeout(timer));
}

/**
 * The load balancer's and the orchestrator's probes: `/healthz` says the process is up (no storage
 * call, never logged at info), `/readyz` that every named dependency answers within a bounded time,
 * or 503 naming the ones that do not. Neither tells versions or internals; both answer GET and HEAD,
 * anything else 405. A change of readiness is logged once, at warn when the server becomes unready.
 */
export function makeProbes(options: {
  readonly checks: Readonly<Record<string, ReadinessCheck>>;
  readonly logger: Logger;
  readonly timeoutMs?: number;
  readonly clock?: () => number;
}): Probes {
  const timeoutMs = options.timeoutMs ?? READY_CHECK_TIMEOUT_MS;
  const clock = options.clock ?? Date.now;
  let last: { at: number; failing: Promise<string[]> } | undefined;
  let wasReady: boolean | undefined;

  const readiness = (): Promise<string[]> => {
    const now = clock();
    if (last !== undefined && now - last.at < READY_CACHE_MS) return last.failing;
    const failing = Promise.all(
      Object.entries(options.checks).map(async ([name, check]) => {
        try {
          await bounded(check, timeoutMs);
          return undefined;
        } catch (error) {
          return { name, error };
        }
      }),
    ).then((results) => {
      const failed = results.filter((result) => result !== undefined);
      const ready = failed.length === 0;
      if (ready !== wasReady) {
        if (ready) options.logger.log('info', 'ready', {});
        else
          options.logger.log('warn', 'not ready', {
            failing: failed.map(({ name, error }) => ({ dependency: name, error: describeError(error) })),
          });
        wasReady = ready;
      }
      return failed.map(({ name }) => name);
    });
    last = { at: now, failing };
    return failing;
  };

  return (request, response, pathname) => {
    if (pathname !== HEALTH_PATH && pathname !== READY_PATH) return false;
    drainSmall(request);
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      answer(response, method, 405, problem(405, 'Method Not Allowed', `${pathname} answers GET and HEAD.`), {
        Allow: 'GET, HEAD',
      });
      return true;
    }
    if (pathname === HEALTH_PATH) {
      answer(response, method, 200, { contentType: 'application/json', body: '{"status":"ok"}' });
      return true;
    }
    readiness().then(
      (failing) => {
        if (failing.length === 0) {
          answer(response, method, 200, { contentType: 'application/json', body: '{"status":"ready"}' });
        } else {
          answer(
            response,
            method,
            503,
            problem(503, 'Service Unavailable', `Not ready: ${failing.join(', ')} did not answer.`, failing),
            { 'Retry-After': '5' },
          );
        }
      },
      () => response.destroy(),
    );
    return true;
  };
}

/** A probe reads no body: what one carries is dropped, and a client sending much more is cut off. */
export function drainSmall(request: IncomingMessage): void {
  let drained = 0;
  request.on('data', (chunk: Buffer) => {
    drained += chunk.length;
    if (drained > 64 * 1024) request.socket.destroy();
  });
}

function problem(status: number, title: string, detail: string, failing?: readonly string[]) {
  return {
    contentType: 'application/problem+json',
    body: JSON.stringify({
      type: 'about:blank',
      title,
      status,
      detail,
      ...(failing === undefined ? {} : { failing }),
    }),
  };
}

function answer(
  response: ServerResponse,
  method: string,
  status: number,
  content: { contentType: string; body: string },
  headers: Record<string, string> = {},
) {
  response.writeHead(status, {
    ...headers,
    'Content-Type': content.contentType,
    'Content-Length': Buffer.byteLength(content.body),
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
  });
  response.end(method === 'HEAD' ? undefined : content.body);
}
