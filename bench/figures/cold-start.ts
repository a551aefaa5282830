import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { type RouteId, routeById } from '@identities/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { type Recorded, RuntimeApi, RuntimeProcess, streamedAnswer } from '../../test/conformance/runtime-api.ts';
import type { Fixture } from '../fixture.ts';
import { FUNCTIONS } from '../functions.ts';
import { apiEvent, multipart, requestHeaders } from '../lib/events.ts';
import { ms, x } from '../lib/format.ts';
import { median, pairedRatio, round } from '../lib/stats.ts';
import type { Row } from '../lib/table.ts';
import { TARGETS } from '../settings.ts';
import type { Bundles } from './bundle-size.ts';

/** What one cold start reports: the parent's wall time, and the child's own phases. */
export interface ColdStart {
  readonly wallMs: number;
  readonly statusCode: number;
  readonly bootMs: number;
  readonly importMs: number;
  readonly firstRequestMs: number;
  readonly cpuMs: number;
  readonly maxRssBytes: number;
}

/** Spawns a fresh Node process on the runner and times spawn to the first response. */
export function coldStart(
  runner: string,
  bundle: string,
  eventFile: string,
  env: NodeJS.ProcessEnv,
  execArgv: readonly string[] = [],
): Promise<ColdStart> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [...execArgv, runner, bundle, eventFile], {
      env,
      // Handler logs (stdout) go nowhere; the report comes on fd 3.
      stdio: ['ignore', 'ignore', 'pipe', 'pipe'],
    });
    let wallMs: number | undefined;
    let report = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    (child.stdio[3] as Readable).on('data', (chunk: Buffer) => {
      wallMs ??= performance.now() - started;
      report += chunk.toString('utf8');
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (wallMs === undefined || report === '') {
        reject(new Error(`cold start of ${bundle} exited with ${code} and no report\n${stderr}`));
        return;
      }
      const parsed = JSON.parse(report) as Omit<ColdStart, 'wallMs'>;
      if (parsed.statusCode !== 200) {
        reject(new Error(`cold start of ${bundle} answered ${parsed.statusCode}\n${stderr}`));
        return;
      }
      resolve({ ...parsed, wallMs });
    });
  });
}

/** The status a recorded answer gives API Gateway's client: the prelude's, or the proxy result's. */
function statusOf(recorded: Recorded): number | undefined {
  if (recorded.kind === 'error') return undefined;
  const answer = streamedAnswer(recorded);
  if (answer.prelude !== undefined) return answer.prelude.statusCode;
  if (answer.responseMode === 'streaming') return undefined;
  return (JSON.parse(answer.body.toString('utf8')) as { statusCode?: number }).statusCode;
}

/**
 * One cold start under Lambda's own runtime: Node.js 24 and the runtime interface client start, load
 * the bundle from its task root and poll a Runtime API on loopback for one invocation; timed from spawn
 * to the end of the answer the runtime sends back.
 */
export async function runtimeColdStart(bundle: string, eventFile: string, env: NodeJS.ProcessEnv): Promise<number> {
  const event: unknown = JSON.parse(await readFile(eventFile, 'utf8'));
  const api = await RuntimeApi.start();
  const functionEnv = Object.fromEntries(
    Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
  const started = performance.now();
  const runtime = RuntimeProcess.start({
    taskRoot: dirname(bundle),
    handler: `${basename(bundle, '.mjs')}.handler`,
    api,
    env: functionEnv,
  });
  const timer = setTimeout(() => void runtime.stop(), 30_000);
  try {
    const died = runtime.exited.then(({ code, signal }) => {
      throw new Error(`the runtime for ${bundle} exited (${code ?? signal})\n${runtime.log}`);
    });
    const recorded = await Promise.race([api.invoke(event), died]);
    const wallMs = performance.now() - started;
    const status = statusOf(recorded);
    if (status !== 200) throw new Error(`cold start of ${bundle} under the runtime answered ${status}\n${runtime.log}`);
    return wallMs;
  } finally {
    clearTimeout(timer);
    await runtime.stop();
    await api.close();
  }
}

export interface RuntimeColdStartSummary {
  readonly name: string;
  readonly rounds: number;
  readonly functionMs: number;
  readonly baselineMs: number;
  readonly ratio: number;
  readonly samples: { readonly function: readonly number[]; readonly baseline: readonly number[] };
}

/** The same cases under the runtime interface client, interleaved the same way. */
export async function measureRuntimeColdStarts(
  cases: readonly ColdStartCase[],
  env: NodeJS.ProcessEnv,
  rounds: number,
): Promise<RuntimeColdStartSummary[]> {
  const samples = new Map(cases.map((entry) => [entry.name, { function: [] as number[], baseline: [] as number[] }]));
  for (const entry of cases) {
    await runtimeColdStart(entry.bundle, entry.eventFile, env);
    await runtimeColdStart(entry.baselineBundle, entry.eventFile, env);
  }
  for (let pass = 0; pass < rounds; pass++) {
    for (const entry of cases) {
      const bucket = samples.get(entry.name);
      if (bucket === undefined) continue;
      const order = pass % 2 === 0 ? (['function', 'baseline'] as const) : (['baseline', 'function'] as const);
      for (const side of order) {
        const bundle = side === 'function' ? entry.bundle : entry.baselineBundle;
        bucket[side].push(await runtimeColdStart(bundle, entry.eventFile, env));
      }
    }
  }
  return cases.map((entry) => {
    const bucket = samples.get(entry.name) ?? { function: [], baseline: [] };
    return {
      name: entry.name,
      rounds,
      functionMs: round(median(bucket.function)),
      baselineMs: round(median(bucket.baseline)),
      ratio: pairedRatio(bucket.function, bucket.baseline),
      samples: { function: bucket.function.map(round), baseline: bucket.baseline.map(round) },
    };
  });
}

export interface ColdStartCase {
  readonly name: string;
  readonly bundle: string;
  readonly baselineBundle: string;
  readonly eventFile: string;
}

export interface ColdStartSummary {
  readonly name: string;
  readonly rounds: number;
  readonly functionMs: number;
  readonly baselineMs: number;
  readonly ratio: number;
  /** Medians of the child's own phases, function and baseline. */
  readonly phases: {
    readonly function: Omit<ColdStart, 'wallMs' | 'statusCode'>;
    readonly baseline: Omit<ColdStart, 'wallMs' | 'statusCode'>;
  };
  readonly samples: { readonly function: readonly number[]; readonly baseline: readonly number[] };
  /** The same pair started under Lambda's runtime interface client on Node.js 24. */
  readonly lambdaRuntime?: RuntimeColdStartSummary;
}

function phases(samples: readonly ColdStart[]) {
  return {
    bootMs: round(median(samples.map((sample) => sample.bootMs))),
    importMs: round(median(samples.map((sample) => sample.importMs))),
    firstRequestMs: round(median(samples.map((sample) => sample.firstRequestMs))),
    cpuMs: round(median(samples.map((sample) => sample.cpuMs))),
    maxRssBytes: median(samples.map((sample) => sample.maxRssBytes)),
  };
}

/**
 * Every case's function and baseline, interleaved: in each round, each case runs its pair, the order
 * of the pair alternating between rounds, so drift on a noisy machine hits both alike.
 */
export async function measureColdStarts(
  runner: string,
  cases: readonly ColdStartCase[],
  env: NodeJS.ProcessEnv,
  rounds: number,
  /** Extra node flags per case and side (CPU profiles). */
  execArgv: (name: string, side: 'function' | 'baseline') => readonly string[] = () => [],
): Promise<ColdStartSummary[]> {
  const samples = new Map(
    cases.map((entry) => [entry.name, { function: [] as ColdStart[], baseline: [] as ColdStart[] }]),
  );
  // One unmeasured start of each, so the page cache holds every bundle before the first round.
  for (const entry of cases) {
    await coldStart(runner, entry.bundle, entry.eventFile, env);
    await coldStart(runner, entry.baselineBundle, entry.eventFile, env);
  }
  for (let pass = 0; pass < rounds; pass++) {
    for (const entry of cases) {
      const bucket = samples.get(entry.name);
      if (bucket === undefined) continue;
      const order = pass % 2 === 0 ? (['function', 'baseline'] as const) : (['baseline', 'function'] as const);
      for (const side of order) {
        const bundle = side === 'function' ? entry.bundle : entry.baselineBundle;
        bucket[side].push(await coldStart(runner, bundle, entry.eventFile, env, execArgv(entry.name, side)));
      }
    }
  }
  return cases.map((entry) => {
    const bucket = samples.get(entry.name) ?? { function: [], baseline: [] };
    const functionMs = median(bucket.function.map((sample) => sample.wallMs));
    const baselineMs = median(bucket.baseline.map((sample) => sample.wallMs));
    return {
      name: entry.name,
      rounds,
      functionMs: round(functionMs),
      baselineMs: round(baselineMs),
      ratio: pairedRatio(
        bucket.function.map((sample) => sample.wallMs),
        bucket.baseline.map((sample) => sample.wallMs),
      ),
      phases: { function: phases(bucket.function), baseline: phases(bucket.baseline) },
      samples: {
        function: bucket.function.map((sample) => round(sample.wallMs)),
        baseline: bucket.baseline.map((sample) => round(sample.wallMs)),
      },
    };
  });
}

/** The request each route's first invocation serves: what API Gateway would send. */
function firstRequests(fixture: Fixture, documentBytes: number): Partial<Record<RouteId, APIGatewayProxyEvent>> {
  const headers = requestHeaders(fixture.token);
  const upload = multipart(
    { personId: fixture.personId, name: 'ID Card', description: 'Front of ID' },
    { name: 'id-card.pdf', type: 'application/pdf', bytes: randomBytes(documentBytes) },
  );
  const uploadRoute = routeById('UploadFileDocument');
  return {
    EnrollmentPhoto: apiEvent(
      routeById('EnrollmentPhoto'),
      `/api/v1/people/enrollmentPhoto/${fixture.faceId}`,
      headers,
    ),
    DetectionPhoto: apiEvent(
      routeById('DetectionPhoto'),
      `/api/v1/people/detectionPhoto/${fixture.faceId}/${fixture.detectionId}`,
      headers,
    ),
    DownloadFileDocument: apiEvent(routeById('DownloadFileDocument'), fixture.documentPath('bench-doc'), headers),
    UploadFileDocument: apiEvent(
      uploadRoute,
      uploadRoute.path,
      requestHeaders(fixture.token, { 'Content-Type': upload.contentType }),
      upload.body,
    ),
  };
}

/** Figure 2: each function with a baseline, cold, against that baseline, cold. */
export async function coldStartFigure(options: {
  fixture: Fixture;
  bundles: Bundles;
  workDir: string;
  rounds: number;
  documentBytes: number;
  env: NodeJS.ProcessEnv;
  execArgv: (name: string, side: 'function' | 'baseline') => readonly string[];
}) {
  const eventDir = join(options.workDir, 'events');
  await mkdir(eventDir, { recursive: true });
  const events = firstRequests(options.fixture, options.documentBytes);
  const cases: ColdStartCase[] = [];
  for (const fn of FUNCTIONS) {
    const event = events[fn.id];
    const own = options.bundles.functions.get(fn.id);
    const baseline = fn.baseline === undefined ? undefined : options.bundles.baselines.get(fn.baseline);
    if (event === undefined || own === undefined || baseline === undefined) continue;
    const eventFile = join(eventDir, `${fn.id}.json`);
    await writeFile(eventFile, JSON.stringify(event));
    cases.push({ name: fn.id, bundle: own.file, baselineBundle: baseline.file, eventFile });
  }
  const result = await measureColdStarts(options.bundles.runner, cases, options.env, options.rounds, options.execArgv);
  // Under Lambda's own runtime too, where the runner's stand-in global gives way to the real client.
  const underRuntime = await measureRuntimeColdStarts(cases, options.env, options.rounds);
  const rows: Row[] = result.map((summary) => ({
    figure: '2',
    name: `cold start ${summary.name}`,
    measured: `${ms(summary.functionMs)} (${ms(summary.phases.function.cpuMs)} CPU)`,
    baseline: `${ms(summary.baselineMs)} (${ms(summary.phases.baseline.cpuMs)} CPU)`,
    ratio: x(summary.ratio),
    target: `<= ${TARGETS.coldStart}x`,
    met: summary.ratio <= TARGETS.coldStart,
  }));
  for (const summary of underRuntime) {
    rows.push({
      figure: '2',
      name: `cold start ${summary.name}, Lambda runtime (Node.js 24 + RIC)`,
      measured: ms(summary.functionMs),
      baseline: ms(summary.baselineMs),
      ratio: x(summary.ratio),
      target: `<= ${TARGETS.coldStart}x`,
      met: summary.ratio <= TARGETS.coldStart,
    });
  }
  const merged: ColdStartSummary[] = result.map((summary) => {
    const real = underRuntime.find((entry) => entry.name === summary.name);
    return real === undefined ? summary : { ...summary, lambdaRuntime: real };
  });
  return { rows, result: merged };
}
