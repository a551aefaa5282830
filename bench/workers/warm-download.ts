import type { Readable } from 'node:stream';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { enrollmentPhotoKey, routeById } from '@identities/core';
import { installLocalLambdaRuntime, invokeStreamingHandler } from '@identities/local';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { rawS3Client } from '../baselines/s3-client.ts';
import { apiEvent, lambdaContext, requestHeaders } from '../lib/events.ts';
import { serveWorker } from '../lib/processes.ts';
import { median, p99, round } from '../lib/stats.ts';

/**
 * Figure 3: a warm photo download through the handler (token verified, JWKS cached) against the raw
 * SDK GetObject of the same object, in one process, interleaved request by request.
 */
export interface WarmConfig {
  readonly token: string;
  readonly faceId: string;
  readonly photoBytes: number;
  /** A document downloaded through its handler after the rounds: its duration feeds the cost estimate. */
  readonly documentPath: string;
  readonly documentBytes: number;
  readonly warmup: number;
  readonly rounds: number;
  readonly pairs: number;
}

export interface WarmResult {
  readonly rounds: readonly {
    readonly handler: { readonly median: number; readonly p99: number };
    readonly raw: { readonly median: number; readonly p99: number };
  }[];
  readonly documentMedianMs: number;
}

async function drain(body: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) bytes += (chunk as Buffer).length;
  return bytes;
}

serveWorker<WarmConfig, WarmResult>(async (config) => {
  // As Lambda's runtime does, before the function modules create their streaming handlers.
  installLocalLambdaRuntime();
  const { handler } = await import('../../functions/enrollment-photo.ts');
  const { handler: documentHandler } = await import('../../functions/download-file-document.ts');
  const s3 = rawS3Client(process.env);
  const bucket = process.env.BUCKET_NAME;
  const key = enrollmentPhotoKey(config.faceId);
  const route = routeById('EnrollmentPhoto');
  const headers = requestHeaders(config.token);
  const path = `/api/v1/people/enrollmentPhoto/${config.faceId}`;
  const context = lambdaContext();

  const invoke = async (target: typeof handler, event: APIGatewayProxyEvent, expectBytes: number) => {
    const started = performance.now();
    const invocation = invokeStreamingHandler(target, event, context);
    const response = await invocation.response;
    const bytes = await drain(response.body);
    await invocation.done;
    const elapsed = performance.now() - started;
    if (response.statusCode !== 200 || bytes !== expectBytes) {
      throw new Error(`handler answered ${response.statusCode} with ${bytes} bytes`);
    }
    return elapsed;
  };
  // API Gateway builds the event; that is not the function's time.
  const viaHandler = () => invoke(handler, apiEvent(route, path, headers), config.photoBytes);
  const viaSdk = async (): Promise<number> => {
    const started = performance.now();
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = await drain(object.Body as Readable);
    const elapsed = performance.now() - started;
    if (bytes !== config.photoBytes) throw new Error(`GetObject gave ${bytes} bytes`);
    return elapsed;
  };

  for (let i = 0; i < config.warmup; i++) {
    await viaHandler();
    await viaSdk();
  }
  const rounds: WarmResult['rounds'][number][] = [];
  for (let pass = 0; pass < config.rounds; pass++) {
    const handlerTimes: number[] = [];
    const rawTimes: number[] = [];
    for (let i = 0; i < config.pairs; i++) {
      if (i % 2 === 0) {
        handlerTimes.push(await viaHandler());
        rawTimes.push(await viaSdk());
      } else {
        rawTimes.push(await viaSdk());
        handlerTimes.push(await viaHandler());
      }
    }
    rounds.push({
      handler: { median: round(median(handlerTimes), 3), p99: round(p99(handlerTimes), 3) },
      raw: { median: round(median(rawTimes), 3), p99: round(p99(rawTimes), 3) },
    });
  }
  const documentRoute = routeById('DownloadFileDocument');
  const documentTimes: number[] = [];
  for (let i = 0; i < config.warmup + config.pairs; i++) {
    const event = apiEvent(documentRoute, config.documentPath, headers);
    const elapsed = await invoke(documentHandler, event, config.documentBytes);
    if (i >= config.warmup) documentTimes.push(elapsed);
  }
  return { rounds, documentMedianMs: round(median(documentTimes), 3) };
});
