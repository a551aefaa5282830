import type { Writable } from 'node:stream';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/** Status and headers that open a streamed response (API Gateway's "metadata prelude"). */
export type ResponsePrelude = {
  statusCode: number;
  headers: Record<string, string>;
};

export interface ResponseStream extends Writable {
  setContentType(contentType: string): void;
}

export type StreamingHandler = (
  event: APIGatewayProxyEvent,
  responseStream: ResponseStream,
  context: Context,
) => Promise<void>;

/** What the Lambda Node.js runtime offers streaming handlers, as its `awslambda` global. */
export interface LambdaStreamingRuntime {
  streamifyResponse(handler: StreamingHandler): StreamingHandler;
  HttpResponseStream: { from(stream: ResponseStream, prelude: ResponsePrelude): ResponseStream };
}

/**
 * The runtime's streaming API, read from the `awslambda` global when a streaming handler is created. In
 * Lambda the runtime defines it; elsewhere whoever runs the handlers installs one first (the local
 * gateway, the tests' setup, the bench runner). The AWS SDK defines an empty `awslambda` wherever it
 * loads, so only a global that can actually stream counts as present.
 */
export function streamingRuntime(): LambdaStreamingRuntime {
  const global = (globalThis as { awslambda?: Partial<LambdaStreamingRuntime> }).awslambda;
  if (typeof global?.streamifyResponse === 'function' && typeof global.HttpResponseStream?.from === 'function') {
    return global as LambdaStreamingRuntime;
  }
  throw new Error(
    'No Lambda streaming runtime: globalThis.awslambda has no streamifyResponse. Outside Lambda, install ' +
      'the local one (installLocalLambdaRuntime from @identities/local) before creating a streaming handler.',
  );
}
