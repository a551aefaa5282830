import { randomBytes, randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { routeById } from '@identities/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { rawS3Client } from '../baselines/s3-client.ts';
import { apiEvent, lambdaContext, multipart, requestHeaders } from '../lib/events.ts';
import { serveWorker } from '../lib/processes.ts';
import { round } from '../lib/stats.ts';

/**
 * Figure 5: a document upload through the buffered handler (base64 event, busboy, SHA-256, PutObject,
 * metadata write) against a raw PutObject of the same bytes. `time` interleaves the two in one
 * process; `memory` runs one side once in a fresh process and reports its peak RSS above the RSS just
 * before, sampled every millisecond from a thread that keeps running while the main thread is busy.
 */
export type UploadConfig = {
  readonly token: string;
  readonly personId: string;
  readonly fileBytes: number;
} & (
  | { readonly mode: 'time'; readonly warmup: number; readonly pairs: number }
  | { readonly mode: 'memory'; readonly side: 'function' | 'baseline' }
);

export type UploadResult =
  | { readonly mode: 'time'; readonly functionMs: readonly number[]; readonly baselineMs: readonly number[] }
  | { readonly mode: 'memory'; readonly side: 'function' | 'baseline'; readonly peakAboveBytes: number };

type Handler = (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;

const SAMPLER = `
const { parentPort } = require('node:worker_threads');
let peak = 0;
setInterval(() => { const rss = process.memoryUsage.rss(); if (rss > peak) peak = rss; }, 1);
parentPort.on('message', (message) => {
  if (message === 'reset') { peak = 0; parentPort.postMessage('ok'); }
  if (message === 'read') parentPort.postMessage(peak);
});
`;

function ask(worker: Worker, message: string): Promise<unknown> {
  return new Promise((resolve) => {
    worker.once('message', resolve);
    worker.postMessage(message);
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

serveWorker<UploadConfig, UploadResult>(async (config) => {
  const { handler } = (await import('../../functions/upload-file-document.ts')) as { handler: Handler };
  const s3 = rawS3Client(process.env);
  const bucket = process.env.BUCKET_NAME;
  const route = routeById('UploadFileDocument');
  const context = lambdaContext(route.memoryMb);

  const eventFor = (bytes: Buffer) => {
    const form = multipart(
      { personId: config.personId, name: 'ID Card', description: 'Front of ID' },
      { name: 'id-card.pdf', type: 'application/pdf', bytes },
    );
    const headers = requestHeaders(config.token, { 'Content-Type': form.contentType });
    return apiEvent(route, route.path, headers, form.body);
  };
  const viaHandler = async (event: APIGatewayProxyEvent): Promise<number> => {
    const started = performance.now();
    const result = await handler(event, context);
    const elapsed = performance.now() - started;
    if (result.statusCode !== 200) throw new Error(`upload answered ${result.statusCode}: ${result.body}`);
    return elapsed;
  };
  const viaSdk = async (bytes: Buffer): Promise<number> => {
    const started = performance.now();
    await s3.send(
      new PutObjectCommand({
        Bucket: bucket,
        Key: `people/baseline/documents/${randomUUID()}`,
        Body: bytes,
        ContentLength: bytes.length,
      }),
    );
    return performance.now() - started;
  };

  if (config.mode === 'time') {
    const file = randomBytes(config.fileBytes);
    const event = eventFor(file);
    for (let i = 0; i < config.warmup; i++) {
      await viaHandler(event);
      await viaSdk(file);
    }
    const functionMs: number[] = [];
    const baselineMs: number[] = [];
    for (let i = 0; i < config.pairs; i++) {
      if (i % 2 === 0) {
        functionMs.push(round(await viaHandler(event), 3));
        baselineMs.push(round(await viaSdk(file), 3));
      } else {
        baselineMs.push(round(await viaSdk(file), 3));
        functionMs.push(round(await viaHandler(event), 3));
      }
    }
    return { mode: 'time', functionMs, baselineMs };
  }

  // Warm the path with small files first, so the measured run allocates for the file, not for loading code.
  const small = randomBytes(16 * 1024);
  for (let i = 0; i < 3; i++) {
    if (config.side === 'function') await viaHandler(eventFor(small));
    else await viaSdk(small);
  }
  const file = randomBytes(config.fileBytes);
  // The input exists before the function runs: Lambda hands it the parsed event.
  const event = config.side === 'function' ? eventFor(file) : undefined;
  const sampler = new Worker(SAMPLER, { eval: true });
  const collect = (globalThis as { gc?: () => void }).gc;
  if (collect === undefined) throw new Error('run with --expose-gc');
  collect();
  collect();
  await sleep(50);
  await ask(sampler, 'reset');
  const before = process.memoryUsage.rss();
  if (event !== undefined) await viaHandler(event);
  else await viaSdk(file);
  await sleep(20);
  const peak = (await ask(sampler, 'read')) as number;
  await sampler.terminate();
  return { mode: 'memory', side: config.side, peakAboveBytes: Math.max(0, peak - before) };
});
