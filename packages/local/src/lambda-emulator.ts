import { PassThrough, type Readable } from 'node:stream';
import type { LambdaStreamingRuntime, ResponsePrelude, ResponseStream, StreamingHandler } from '@identities/core';
import type { APIGatewayProxyEvent, Context } from 'aws-lambda';

/**
 * Lambda's Node.js runtime, as far as the functions need it outside Lambda: the streaming API it hands
 * them as the `awslambda` global, the context of an invocation, and API Gateway's side of a streamed
 * response (reading the prelude, then the body).
 */

/** The marker the Lambda runtime reads to invoke a handler in streaming mode. */
const STREAMING_MARKER = Symbol.for('aws.lambda.runtime.handler.streaming');
const PRELUDE_CONTENT_TYPE = 'application/vnd.awslambda.http-integration-response';
const DELIMITER = new Uint8Array(8);

/**
 * A response stream as the Lambda runtime hands one to a streaming handler. Like the runtime's, it
 * emits the prelude from its first explicit `write()`: a handler that only calls `end(chunk)` or
 * `end()` loses its status and headers in AWS, and here it loses them too.
 */
export class LocalResponseStream extends PassThrough implements ResponseStream {
  contentType = 'application/octet-stream';
  /** Whether the function itself destroyed the stream (the consumer may; the function must not). */
  destroyedByFunction = false;
  onBeforeFirstWrite: ((write: (chunk: Uint8Array | string) => void) => void) | undefined;

  setContentType(contentType: string): void {
    this.contentType = contentType;
  }

  override write(chunk: unknown, ...rest: unknown[]): boolean {
    const before = this.onBeforeFirstWrite;
    if (before !== undefined) {
      this.onBeforeFirstWrite = undefined;
      before((data) => super.write(data));
    }
    return super.write(chunk, ...(rest as [BufferEncoding, () => void]));
  }
}

const localRuntime: LambdaStreamingRuntime = {
  streamifyResponse(handler) {
    return Object.assign(handler, { [STREAMING_MARKER]: 'response' });
  },
  HttpResponseStream: {
    from(stream, prelude) {
      if (!(stream instanceof LocalResponseStream)) throw new TypeError('not a local response stream');
      stream.setContentType(PRELUDE_CONTENT_TYPE);
      stream.onBeforeFirstWrite = (write) => {
        write(JSON.stringify(prelude));
        write(DELIMITER);
      };
      return stream;
    },
  },
};

/** Marks the local runtime, so installing it again (a fresh module graph, one process) replaces it. */
const LOCAL_RUNTIME = Symbol.for('identities.local-lambda-runtime');

/**
 * Installs the local streaming runtime as the `awslambda` global, as Lambda's runtime defines it, unless
 * a real one is there already. Call it before any streaming handler is created (function modules create
 * theirs at import). The global may exist without streaming (the AWS SDK defines an empty one wherever
 * it loads, and keeps what it finds): only streamifyResponse counts, and the object itself is kept.
 */
export function installLocalLambdaRuntime(): void {
  const holder = globalThis as { awslambda?: Partial<LambdaStreamingRuntime> & { [LOCAL_RUNTIME]?: true } };
  const current = holder.awslambda;
  if (typeof current?.streamifyResponse === 'function' && current[LOCAL_RUNTIME] !== true) return;
  holder.awslambda = Object.assign(current ?? {}, localRuntime, { [LOCAL_RUNTIME]: true as const });
}

/** The context the Lambda runtime hands a function, for invoking one outside Lambda. */
export function localContext(options: {
  readonly functionName: string;
  readonly memoryMb: number;
  readonly requestId: string;
  /** When the invocation times out, in epoch milliseconds. */
  readonly deadline: number;
}): Context {
  const { functionName, memoryMb, requestId, deadline } = options;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId: requestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * What the Lambda runtime does when a function destroys its response stream: the stream is its request
 * to the Runtime API, and breaking it leaves the runtime with rejections it does not handle, so the
 * process exits (Runtime.ExitError) and the next request pays a cold start. Here the invocation fails
 * with this error instead, so tests and the local server see the fault the cloud would have.
 */
export class RuntimeExitError extends Error {
  override readonly name = 'RuntimeExitError';
}

/**
 * The stream as the function sees it: the same object, except that `destroy()` is recorded. The Lambda
 * runtime, too, hands functions a wrapper of its own stream.
 */
function functionView(stream: LocalResponseStream): LocalResponseStream {
  return new Proxy(stream, {
    get(target, property) {
      if (property === 'destroy') {
        return (error?: Error) => {
          target.destroyedByFunction = true;
          return target.destroy(error);
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export function isStreamingHandler(handler: unknown): handler is StreamingHandler {
  return typeof handler === 'function' && STREAMING_MARKER in handler;
}

export interface StreamedResult {
  /** Settles once the prelude has been read: status and headers, and the body that follows it. */
  readonly response: Promise<ResponsePrelude & { body: Readable }>;
  /** Settles when the handler returns; rejects when it throws, even after the prelude. */
  readonly done: Promise<void>;
}

/**
 * Invokes a streaming handler the way API Gateway does with response transfer mode STREAM: reads the
 * JSON prelude up to its 8-byte NUL delimiter, then hands on the body as it arrives, with
 * back-pressure. A handler that ends without a prelude answers like AWS: 200 with no headers.
 */
export function invokeStreamingHandler(
  handler: StreamingHandler,
  event: APIGatewayProxyEvent,
  context: Context,
): StreamedResult {
  const stream = new LocalResponseStream();
  const crashed = (cause?: unknown) =>
    new RuntimeExitError(
      'The function destroyed its response stream: the Lambda runtime process exits on this (Runtime.ExitError).',
      cause === undefined ? undefined : { cause },
    );
  const done = handler(event, functionView(stream), context).then(
    () => {
      if (stream.destroyedByFunction) throw crashed();
    },
    (error: unknown) => {
      throw stream.destroyedByFunction ? crashed(error) : error;
    },
  );
  const response = readPrelude(stream);
  done.then(
    () => {
      if (!stream.writableEnded) stream.end();
    },
    (error: unknown) => stream.destroy(error instanceof Error ? error : new Error(String(error))),
  );
  return { response, done };
}

function readPrelude(stream: LocalResponseStream): Promise<ResponsePrelude & { body: Readable }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const settle = (prelude: ResponsePrelude, rest: Buffer, ended: boolean) => {
      stream.off('data', onData).off('end', onEnd).off('error', reject);
      if (ended) {
        const body = new PassThrough();
        body.end(rest);
        resolve({ ...prelude, body });
        return;
      }
      // The response stream itself is the body, the bytes read past the prelude put back in front: no
      // second stream to copy every chunk through. A consumer that goes away destroys it, which stops
      // the handler as the Lambda runtime does; a failing handler destroys it with its error.
      stream.pause();
      if (rest.length > 0) stream.unshift(rest);
      // A failure can reach the body before its consumer attaches; the stream keeps the error and the
      // consumer's first read rejects with it, so it must not crash the process meanwhile.
      stream.on('error', () => undefined);
      resolve({ ...prelude, body: stream });
    };
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (stream.contentType !== PRELUDE_CONTENT_TYPE) return settle(NO_PRELUDE, buffered, false);
      const end = findDelimiter(buffered);
      if (end === -1) return;
      try {
        const prelude = JSON.parse(buffered.subarray(0, end).toString('utf8')) as ResponsePrelude;
        settle(
          { statusCode: prelude.statusCode, headers: prelude.headers ?? {} },
          buffered.subarray(end + DELIMITER.length),
          false,
        );
      } catch (error) {
        reject(error);
      }
    };
    const onEnd = () =>
      settle(NO_PRELUDE, stream.contentType === PRELUDE_CONTENT_TYPE ? Buffer.alloc(0) : buffered, true);
    stream.on('data', onData).once('end', onEnd).once('error', reject);
  });
}

const NO_PRELUDE: ResponsePrelude = { statusCode: 200, headers: {} };

function findDelimiter(buffer: Buffer): number {
  for (let i = buffer.indexOf(0); i !== -1 && i + DELIMITER.length <= buffer.length; i = buffer.indexOf(0, i + 1)) {
    if (buffer.subarray(i, i + DELIMITER.length).every((byte) => byte === 0)) return i;
  }
  return -1;
}
