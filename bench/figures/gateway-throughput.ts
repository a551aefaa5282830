import { enrollmentPhotoKey } from '@identities/core';
import type { Fixture } from '../fixture.ts';
import { ms, x } from '../lib/format.ts';
import { closedLoop, type LoadResult } from '../lib/http-client.ts';
import { cpuMsOf, type ServerProcess } from '../lib/processes.ts';
import { median, pairedRatio, round } from '../lib/stats.ts';
import type { Row } from '../lib/table.ts';
import { type Settings, TARGETS } from '../settings.ts';

/**
 * Figure 7: photo downloads per second at a fixed number of concurrent keep-alive connections, through
 * the local gateway (routing, event, token verification, handler, streamed response) against a plain
 * node:http server doing the raw GetObject on the same stand-in. Rounds alternate between the two; the
 * ratio is the median of each round pair's ratio, so drift on a shared machine hits both sides alike.
 * The servers' CPU time per request (from /proc) is reported too: it moves far less with the noise.
 */
export interface ThroughputSetup {
  readonly gateway: ServerProcess;
  readonly rawServer: ServerProcess;
  readonly photoPath: string;
  readonly photoKey: string;
  readonly photoBytes: number;
  readonly token: string;
  readonly connections: number;
  readonly warmupMs: number;
  readonly roundMs: number;
  readonly rounds: number;
}

export interface Round extends LoadResult {
  /** CPU time the server process used per request during the round. */
  readonly serverCpuMsPerRequest: number;
}

export interface ThroughputSummary {
  readonly connections: number;
  readonly rounds: number;
  readonly roundMs: number;
  readonly gatewayRps: number;
  readonly rawServerRps: number;
  readonly ratio: number;
  readonly gatewayCpuMsPerRequest: number;
  readonly rawServerCpuMsPerRequest: number;
  readonly gateway: readonly Round[];
  readonly rawServer: readonly Round[];
}

export async function measureThroughput(setup: ThroughputSetup): Promise<ThroughputSummary> {
  const load = async (side: 'gateway' | 'rawServer', durationMs: number): Promise<Round> => {
    const server = side === 'gateway' ? setup.gateway : setup.rawServer;
    const url =
      side === 'gateway'
        ? `${setup.gateway.url}${setup.photoPath}`
        : `${setup.rawServer.url}/object/${encodeURIComponent(setup.photoKey)}`;
    const headers: Record<string, string> = side === 'gateway' ? { Authorization: `Bearer ${setup.token}` } : {};
    const cpuBefore = await cpuMsOf(server.pid);
    const result = await closedLoop(url, headers, {
      connections: setup.connections,
      durationMs,
      expectBytes: setup.photoBytes,
    });
    const cpu = (await cpuMsOf(server.pid)) - cpuBefore;
    return { ...result, serverCpuMsPerRequest: round(cpu / result.requests, 3) };
  };
  await load('gateway', setup.warmupMs);
  await load('rawServer', setup.warmupMs);
  const results = { gateway: [] as Round[], rawServer: [] as Round[] };
  for (let pass = 0; pass < setup.rounds; pass++) {
    const order = pass % 2 === 0 ? (['gateway', 'rawServer'] as const) : (['rawServer', 'gateway'] as const);
    for (const side of order) results[side].push(await load(side, setup.roundMs));
  }
  return {
    connections: setup.connections,
    rounds: setup.rounds,
    roundMs: setup.roundMs,
    gatewayRps: median(results.gateway.map((result) => result.rps)),
    rawServerRps: median(results.rawServer.map((result) => result.rps)),
    ratio: pairedRatio(
      results.gateway.map((result) => result.rps),
      results.rawServer.map((result) => result.rps),
    ),
    gatewayCpuMsPerRequest: median(results.gateway.map((result) => result.serverCpuMsPerRequest)),
    rawServerCpuMsPerRequest: median(results.rawServer.map((result) => result.serverCpuMsPerRequest)),
    gateway: results.gateway,
    rawServer: results.rawServer,
  };
}

export async function throughputFigure(options: {
  fixture: Fixture;
  gateway: ServerProcess;
  rawServer: ServerProcess;
  settings: Settings;
}) {
  const { fixture, settings } = options;
  const result = await measureThroughput({
    gateway: options.gateway,
    rawServer: options.rawServer,
    photoPath: `/api/v1/people/enrollmentPhoto/${fixture.faceId}`,
    photoKey: enrollmentPhotoKey(fixture.faceId),
    photoBytes: settings.photoBytes,
    token: fixture.token,
    ...settings.throughput,
  });
  const rows: Row[] = [
    {
      figure: '7',
      name: `photos at ${result.connections} connections`,
      measured: `${round(result.gatewayRps, 0)} req/s`,
      baseline: `${round(result.rawServerRps, 0)} req/s (node:http)`,
      ratio: x(result.ratio),
      target: `>= ${TARGETS.throughput}x`,
      met: result.ratio >= TARGETS.throughput,
    },
    {
      figure: '7',
      name: 'server CPU per photo request',
      measured: ms(result.gatewayCpuMsPerRequest),
      baseline: `${ms(result.rawServerCpuMsPerRequest)} (node:http)`,
      ratio: x(result.gatewayCpuMsPerRequest / result.rawServerCpuMsPerRequest),
      target: 'report',
      met: undefined,
    },
  ];
  return { rows, result };
}
