import { Agent, request } from 'node:http';
import { median, p99, round } from './stats.ts';

export interface Fetched {
  readonly statusCode: number;
  readonly bytes: number;
  readonly ms: number;
}

/** One GET, the body counted and dropped as it arrives. */
export function get(url: string, headers: Record<string, string>, agent: Agent | false): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const outgoing = request(url, { method: 'GET', headers, agent }, (response) => {
      let bytes = 0;
      response.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
      });
      response.on('end', () =>
        resolve({ statusCode: response.statusCode ?? 0, bytes, ms: performance.now() - started }),
      );
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

export interface LoadResult {
  readonly requests: number;
  readonly rps: number;
  readonly medianMs: number;
  readonly p99Ms: number;
}

/**
 * A closed loop: `connections` clients over keep-alive connections, each sending its next request as
 * soon as the last response ended, for `durationMs`. Any answer but 200 with the expected size fails.
 */
export async function closedLoop(
  url: string,
  headers: Record<string, string>,
  options: { connections: number; durationMs: number; expectBytes: number },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: options.connections });
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + options.durationMs;
  const client = async () => {
    while (performance.now() < deadline) {
      const fetched = await get(url, headers, agent);
      if (fetched.statusCode !== 200 || fetched.bytes !== options.expectBytes) {
        throw new Error(`${url} answered ${fetched.statusCode} with ${fetched.bytes} bytes`);
      }
      latencies.push(fetched.ms);
    }
  };
  try {
    await Promise.all(Array.from({ length: options.connections }, client));
  } finally {
    agent.destroy();
  }
  const elapsed = performance.now() - started;
  return {
    requests: latencies.length,
    rps: round(latencies.length / (elapsed / 1000), 1),
    medianMs: round(median(latencies), 3),
    p99Ms: round(p99(latencies), 3),
  };
}
