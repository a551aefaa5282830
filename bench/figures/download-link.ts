import { randomBytes } from 'node:crypto';
import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { routeById } from '@identities/core';
import { linkDownloadCost, streamedDownloadCost } from '../cost.ts';
import { BUCKET, type Fixture } from '../fixture.ts';
import { ms, x } from '../lib/format.ts';
import { get } from '../lib/http-client.ts';
import type { ServerProcess } from '../lib/processes.ts';
import { MB, median, pairedRatio, round } from '../lib/stats.ts';
import type { Row } from '../lib/table.ts';
import { TARGETS } from '../settings.ts';

/**
 * Figure 9: a large document through a download link, as a client takes it (ask the local gateway for a
 * link, then GET it from storage), against the raw streamed GetObject of the same object, beside the
 * streamed path (`.../data` through the function and the gateway). The link's throughput is its GET's;
 * asking for the link (the link function's call through the gateway) is its own row. The three sides
 * alternate which goes first in each round.
 */
export type LinkSide = 'link' | 'rawSdk' | 'streamed';

export interface LinkSummary {
  readonly bytes: number;
  readonly rounds: number;
  /** MB/s (MiB per second), median of rounds; the link's is its GET's alone. */
  readonly throughput: Record<LinkSide, number>;
  readonly throughputSamples: Record<LinkSide, readonly number[]>;
  /** How long asking for a link takes (the link function's call through the gateway), median. */
  readonly linkIssueMs: number;
  readonly ratioToRawSdk: number;
  readonly ratioToStreamed: number;
}

export async function linkFigure(options: {
  fixture: Fixture;
  gateway: ServerProcess;
  bytes: number;
  rounds: number;
}): Promise<{ rows: Row[]; result: LinkSummary }> {
  const { fixture, gateway, bytes } = options;
  const documentId = 'bench-link';
  const objectKey = await fixture.putDocument(documentId, randomBytes(bytes));
  const auth = { Authorization: `Bearer ${fixture.token}` };
  const check = (side: LinkSide, statusCode: number, received: number) => {
    if (statusCode !== 200 || received !== bytes) throw new Error(`${side}: ${statusCode} with ${received} bytes`);
  };
  const issueTimes: number[] = [];
  const download: Record<LinkSide, () => Promise<number>> = {
    link: async () => {
      const started = performance.now();
      const answer = await fetch(`${gateway.url}${fixture.documentPath(documentId).replace(/\/data$/, '/links')}`, {
        method: 'POST',
        headers: auth,
      });
      if (answer.status !== 201) throw new Error(`link: ${answer.status} ${await answer.text()}`);
      const { url } = (await answer.json()) as { url: string };
      issueTimes.push(performance.now() - started);
      const fetched = await get(url, {}, false);
      check('link', fetched.statusCode, fetched.bytes);
      return fetched.ms;
    },
    rawSdk: async () => {
      const started = performance.now();
      const object = await fixture.s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: objectKey }));
      let received = 0;
      for await (const chunk of object.Body as Readable) received += (chunk as Buffer).length;
      check('rawSdk', 200, received);
      return performance.now() - started;
    },
    streamed: async () => {
      const fetched = await get(`${gateway.url}${fixture.documentPath(documentId)}`, auth, false);
      check('streamed', fetched.statusCode, fetched.bytes);
      return fetched.ms;
    },
  };
  const sides: LinkSide[] = ['link', 'rawSdk', 'streamed'];
  // One unmeasured download each: the object in the page cache, every code path loaded.
  for (const side of sides) await download[side]();
  issueTimes.length = 0;
  const throughputSamples: Record<LinkSide, number[]> = { link: [], rawSdk: [], streamed: [] };
  for (let pass = 0; pass < options.rounds; pass++) {
    for (let index = 0; index < sides.length; index++) {
      const side = sides[(index + pass) % sides.length] as LinkSide;
      const took = await download[side]();
      throughputSamples[side].push(round(bytes / MB / (took / 1000), 1));
    }
  }
  const throughput = {
    link: median(throughputSamples.link),
    rawSdk: median(throughputSamples.rawSdk),
    streamed: median(throughputSamples.streamed),
  };
  const result: LinkSummary = {
    bytes,
    rounds: options.rounds,
    throughput,
    throughputSamples,
    linkIssueMs: median(issueTimes),
    ratioToRawSdk: pairedRatio(throughputSamples.link, throughputSamples.rawSdk),
    ratioToStreamed: pairedRatio(throughputSamples.link, throughputSamples.streamed),
  };
  const size = `${Math.round(bytes / MB)} MB`;
  // What a million such downloads cost on AWS: through the function (its pace, then Lambda's 2 MB/s cap
  // past 6 MB), against the link function's call plus S3 serving the bytes.
  const streamedCost = streamedDownloadCost({
    bytes,
    downloadMbPerSecond: throughput.streamed,
    memoryMb: routeById('DownloadFileDocument').memoryMb,
  });
  const linkCost = linkDownloadCost({
    bytes,
    linkMs: result.linkIssueMs,
    memoryMb: routeById('FileDocumentLink').memoryMb,
  });
  const rows: Row[] = [
    {
      figure: '10',
      name: `${size} via a link, throughput`,
      measured: `${round(throughput.link, 0)} MB/s`,
      baseline: `${round(throughput.rawSdk, 0)} MB/s (GetObject)`,
      ratio: x(result.ratioToRawSdk),
      target: `>= ${TARGETS.linkThroughput}x`,
      met: result.ratioToRawSdk >= TARGETS.linkThroughput,
    },
    {
      figure: '10',
      name: `${size} via a link, vs streamed`,
      measured: `${round(throughput.link, 0)} MB/s`,
      baseline: `${round(throughput.streamed, 0)} MB/s (.../data)`,
      ratio: x(result.ratioToStreamed),
      target: 'report',
      met: undefined,
    },
    {
      figure: '10',
      name: 'asking for a link',
      measured: ms(result.linkIssueMs),
      baseline: '',
      ratio: '',
      target: 'report',
      met: undefined,
    },
    {
      figure: '10',
      name: `${size} per million on AWS`,
      measured: `$${linkCost.total.toFixed(2)} (link)`,
      baseline: `$${streamedCost.total.toFixed(2)} (streamed)`,
      ratio: x(linkCost.total / streamedCost.total),
      target: 'report',
      met: undefined,
    },
  ];
  return { rows, result };
}
