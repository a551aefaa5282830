import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { BUCKET, type Fixture } from '../fixture.ts';
import { mb, x } from '../lib/format.ts';
import { get } from '../lib/http-client.ts';
import { rssOf, type ServerProcess } from '../lib/processes.ts';
import { MB, median, pairedRatio, round } from '../lib/stats.ts';
import type { Row } from '../lib/table.ts';
import { TARGETS } from '../settings.ts';

/**
 * Figure 6: a large document through the local gateway (the real download path: metadata read,
 * object read, streamed through the handler and the gateway) against the raw streamed GetObject of
 * the same object, and against a plain node:http server streaming that GetObject. While a server
 * streams, its RSS is sampled every 10 ms from /proc.
 */
export type Side = 'gateway' | 'rawServer' | 'rawSdk';

export interface LargeDownloadSetup {
  readonly gateway: ServerProcess;
  readonly rawServer: ServerProcess;
  readonly s3: S3Client;
  readonly bucket: string;
  readonly objectKey: string;
  readonly documentPath: string;
  readonly token: string;
  readonly bytes: number;
  readonly rounds: number;
}

export interface LargeDownloadSummary {
  readonly bytes: number;
  readonly rounds: number;
  /** MB/s (MiB per second), median of rounds. */
  readonly throughput: Record<Side, number>;
  readonly throughputSamples: Record<Side, readonly number[]>;
  readonly ratioToRawSdk: number;
  readonly ratioToRawServer: number;
  /** Peak RSS above the RSS before the request, median of rounds. */
  readonly rssGrowthBytes: { readonly gateway: number; readonly rawServer: number };
  readonly rssGrowthSamples: { readonly gateway: readonly number[]; readonly rawServer: readonly number[] };
}

async function watchRss(pid: number, work: () => Promise<void>): Promise<number> {
  const before = await rssOf(pid);
  let peak = before;
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      peak = Math.max(peak, await rssOf(pid));
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  try {
    await work();
  } finally {
    sampling = false;
    await sampler;
  }
  peak = Math.max(peak, await rssOf(pid));
  return peak - before;
}

export async function measureLargeDownload(setup: LargeDownloadSetup): Promise<LargeDownloadSummary> {
  const { gateway, rawServer, s3, bucket, objectKey, token, bytes } = setup;
  const check = (side: Side, statusCode: number, received: number) => {
    if (statusCode !== 200 || received !== bytes) throw new Error(`${side}: ${statusCode} with ${received} bytes`);
  };
  const download: Record<Side, () => Promise<number>> = {
    gateway: async () => {
      const fetched = await get(`${gateway.url}${setup.documentPath}`, { Authorization: `Bearer ${token}` }, false);
      check('gateway', fetched.statusCode, fetched.bytes);
      return fetched.ms;
    },
    rawServer: async () => {
      const fetched = await get(`${rawServer.url}/object/${encodeURIComponent(objectKey)}`, {}, false);
      check('rawServer', fetched.statusCode, fetched.bytes);
      return fetched.ms;
    },
    rawSdk: async () => {
      const started = performance.now();
      const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: objectKey }));
      let received = 0;
      for await (const chunk of object.Body as Readable) received += (chunk as Buffer).length;
      check('rawSdk', 200, received);
      return performance.now() - started;
    },
  };
  const sides: Side[] = ['gateway', 'rawSdk', 'rawServer'];
  // One unmeasured download each: the object in the page cache, every code path loaded.
  for (const side of sides) await download[side]();

  const throughputSamples: Record<Side, number[]> = { gateway: [], rawServer: [], rawSdk: [] };
  const rssGrowthSamples = { gateway: [] as number[], rawServer: [] as number[] };
  for (let pass = 0; pass < setup.rounds; pass++) {
    const order = sides.map((_, index) => sides[(index + pass) % sides.length] as Side);
    for (const side of order) {
      let ms = 0;
      const run = async () => {
        ms = await download[side]();
      };
      if (side === 'rawSdk') await run();
      else rssGrowthSamples[side].push(await watchRss(side === 'gateway' ? gateway.pid : rawServer.pid, run));
      throughputSamples[side].push(round(bytes / MB / (ms / 1000), 1));
    }
  }
  const throughput = {
    gateway: median(throughputSamples.gateway),
    rawServer: median(throughputSamples.rawServer),
    rawSdk: median(throughputSamples.rawSdk),
  };
  return {
    bytes,
    rounds: setup.rounds,
    throughput,
    throughputSamples,
    ratioToRawSdk: pairedRatio(throughputSamples.gateway, throughputSamples.rawSdk),
    ratioToRawServer: pairedRatio(throughputSamples.gateway, throughputSamples.rawServer),
    rssGrowthBytes: { gateway: median(rssGrowthSamples.gateway), rawServer: median(rssGrowthSamples.rawServer) },
    rssGrowthSamples,
  };
}

/**
 * The document is too large for the multipart upload (4 MiB): its bytes go straight into the stand-in
 * S3 and its metadata item is written with the project's DocumentStore, so the real download path
 * serves it.
 */
export async function largeDownloadFigure(options: {
  fixture: Fixture;
  gateway: ServerProcess;
  rawServer: ServerProcess;
  bytes: number;
  rounds: number;
}) {
  const { fixture } = options;
  const objectKey = await fixture.putDocument('bench-large', randomBytes(options.bytes));
  const result = await measureLargeDownload({
    gateway: options.gateway,
    rawServer: options.rawServer,
    s3: fixture.s3,
    bucket: BUCKET,
    objectKey,
    documentPath: fixture.documentPath('bench-large'),
    token: fixture.token,
    bytes: options.bytes,
    rounds: options.rounds,
  });
  const size = `${Math.round(options.bytes / MB)} MB`;
  const rows: Row[] = [
    {
      figure: '6',
      name: `${size} download, throughput`,
      measured: `${round(result.throughput.gateway, 0)} MB/s`,
      baseline: `${round(result.throughput.rawSdk, 0)} MB/s (GetObject)`,
      ratio: x(result.ratioToRawSdk),
      target: `>= ${TARGETS.largeThroughput}x`,
      met: result.ratioToRawSdk >= TARGETS.largeThroughput,
    },
    {
      figure: '6',
      name: `${size} download, vs plain server`,
      measured: `${round(result.throughput.gateway, 0)} MB/s`,
      baseline: `${round(result.throughput.rawServer, 0)} MB/s (node:http)`,
      ratio: x(result.ratioToRawServer),
      target: 'report',
      met: undefined,
    },
    {
      figure: '6',
      name: `${size} download, server RSS`,
      measured: `+${mb(result.rssGrowthBytes.gateway)}`,
      baseline: `+${mb(result.rssGrowthBytes.rawServer)} (node:http)`,
      ratio: '',
      target: `< ${mb(TARGETS.largeRssBytes)}`,
      met: result.rssGrowthBytes.gateway < TARGETS.largeRssBytes,
    },
  ];
  return { rows, result };
}
