import { readFileSync, writeSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import type { StreamingHandler } from '@identities/core';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
// The emulator's own module: the package index would bundle the stores and the server into the runner.
import {
  installLocalLambdaRuntime,
  invokeStreamingHandler,
  isStreamingHandler,
  localContext,
} from '../../packages/local/src/lambda-emulator.ts';

/**
 * One cold start, as Lambda does it: a fresh Node process loads a function bundle, then serves one
 * request. Reports its phases on file descriptor 3; the parent times spawn to report.
 *
 * Lambda's runtime hands functions their streaming API as the `awslambda` global. Here that global is
 * the project's local streaming runtime (the bundles carry none of their own), so the bundle's handler
 * and `invokeStreamingHandler` (from this runner) share one response-stream class.
 */
const booted = performance.now();
installLocalLambdaRuntime();

const [bundle, eventFile] = process.argv.slice(2);
if (bundle === undefined || eventFile === undefined) throw new Error('usage: runner BUNDLE EVENT.json');
const event = JSON.parse(readFileSync(eventFile, 'utf8')) as APIGatewayProxyEvent;
const context = localContext({
  functionName: 'bench',
  memoryMb: 512,
  requestId: 'cold-start',
  deadline: Date.now() + 30_000,
});

const importStart = performance.now();
const module = (await import(pathToFileURL(bundle).href)) as { handler: unknown };
const imported = performance.now();

let statusCode: number;
let bytes = 0;
if (isStreamingHandler(module.handler)) {
  const invocation = invokeStreamingHandler(module.handler as StreamingHandler, event, context);
  const response = await invocation.response;
  statusCode = response.statusCode;
  for await (const chunk of response.body) bytes += (chunk as Buffer).length;
  await invocation.done;
} else {
  const handler = module.handler as (event: APIGatewayProxyEvent, context: Context) => Promise<APIGatewayProxyResult>;
  const result = await handler(event, context);
  statusCode = result.statusCode;
  bytes = result.body.length;
}
const responded = performance.now();

writeSync(
  3,
  JSON.stringify({
    statusCode,
    bytes,
    bootMs: booted,
    importMs: imported - importStart,
    firstRequestMs: responded - imported,
    totalMs: responded,
    // CPU time of every thread (parsing, GC, the thread pool): it moves far less than wall time on a
    // shared machine.
    cpuMs: (process.cpuUsage().user + process.cpuUsage().system) / 1000,
    maxRssBytes: process.resourceUsage().maxRSS * 1024,
  }),
);
process.exit(0);
