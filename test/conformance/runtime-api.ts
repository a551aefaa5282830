import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/**
 * A Lambda Runtime API on loopback (the interface the Lambda service offers a runtime process, API
 * version 2018-06-01), recording the raw bytes of every answer a runtime gives: the response mode
 * header, the content type, each chunk as it arrived, the trailers, and the error endpoints.
 */

const ROOT = join(import.meta.dirname, '../..');
const CACHE = join(ROOT, 'node_modules/.cache/lambda-runtime');
/** Lambda's nodejs24.x, as scripts/ensure-lambda-runtime.mjs unpacks it (the pins are in scripts/lambda-runtime.json). */
export const NODE_24 = join(CACHE, 'node-24.22.3/package/bin/node');
export const RIC = join(CACHE, 'ric-4.0.2/package/index.mjs');
const NATIVE_CLIENT = join(import.meta.dirname, 'native-client.cjs');

export interface RecordedResponse {
  readonly kind: 'response';
  readonly headers: IncomingMessage['headers'];
  readonly chunks: readonly Buffer[];
  readonly trailers: Record<string, string | undefined>;
  /** Whether the runtime ended its request cleanly (false: its connection broke part-way). */
  readonly complete: boolean;
}

export interface RecordedError {
  readonly kind: 'error';
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

export type Recorded = RecordedResponse | RecordedError;

interface Pending {
  readonly id: string;
  readonly event: unknown;
  readonly deadlineMs: number;
  readonly settle: (recorded: Recorded) => void;
  /** Closes the runtime's response connection after this many body bytes: the client went away. */
  readonly cutAfterBytes?: number;
}

const PREFIX = '/2018-06-01/runtime';

export class RuntimeApi {
  private readonly queue: Pending[] = [];
  private readonly waiting: ServerResponse[] = [];
  private readonly inFlight = new Map<string, Pending>();
  readonly initErrors: RecordedError[] = [];
  /** How many times a runtime asked for its next invocation. */
  nextCalls = 0;

  private constructor(private readonly server: Server) {}

  static async start(): Promise<RuntimeApi> {
    const server = createServer();
    const api = new RuntimeApi(server);
    server.on('request', (request, response) => api.route(request, response));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get address(): string {
    return `127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** Hands the event to the runtime's next poll; settles with what the runtime answered. */
  invoke(event: unknown, options: { timeoutMs?: number; cutAfterBytes?: number } = {}): Promise<Recorded> {
    return new Promise((resolve) => {
      const pending: Pending = {
        id: randomUUID(),
        event,
        deadlineMs: Date.now() + (options.timeoutMs ?? 30_000),
        settle: resolve,
        ...(options.cutAfterBytes === undefined ? {} : { cutAfterBytes: options.cutAfterBytes }),
      };
      const poll = this.waiting.shift();
      if (poll === undefined) this.queue.push(pending);
      else this.deliver(poll, pending);
    });
  }

  async close(): Promise<void> {
    for (const poll of this.waiting.splice(0)) poll.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private deliver(poll: ServerResponse, pending: Pending): void {
    this.inFlight.set(pending.id, pending);
    const body = JSON.stringify(pending.event);
    poll.writeHead(200, {
      'Content-Type': 'application/json',
      'Lambda-Runtime-Aws-Request-Id': pending.id,
      'Lambda-Runtime-Deadline-Ms': String(pending.deadlineMs),
      'Lambda-Runtime-Invoked-Function-Arn': 'arn:aws:lambda:eu-west-1:000000000000:function:conformance',
      'Lambda-Runtime-Trace-Id': `Root=1-${Date.now().toString(16)}-${pending.id.replaceAll('-', '').slice(0, 24)}`,
      'Content-Length': Buffer.byteLength(body),
    });
    poll.end(body);
  }

  private route(request: IncomingMessage, response: ServerResponse): void {
    const path = request.url ?? '';
    if (request.method === 'GET' && path === `${PREFIX}/invocation/next`) {
      this.nextCalls++;
      const pending = this.queue.shift();
      if (pending === undefined) this.waiting.push(response);
      else this.deliver(response, pending);
      return;
    }
    if (request.method === 'POST' && path === `${PREFIX}/init/error`) {
      void readAll(request).then((body) => {
        this.initErrors.push({ kind: 'error', headers: request.headers, body });
        accepted(response);
      });
      return;
    }
    const match = /^\/2018-06-01\/runtime\/invocation\/([^/]+)\/(response|error)$/.exec(path);
    const pending = match === null ? undefined : this.inFlight.get(decodeURIComponent(match[1] ?? ''));
    if (request.method !== 'POST' || match === null || pending === undefined) {
      response.writeHead(404, { 'Content-Type': 'application/json' });
      response.end('{"errorMessage":"unknown invocation","errorType":"InvalidRequestID"}');
      return;
    }
    this.inFlight.delete(pending.id);
    if (match[2] === 'error') {
      void readAll(request).then((body) => {
        pending.settle({ kind: 'error', headers: request.headers, body });
        accepted(response);
      });
      return;
    }
    const chunks: Buffer[] = [];
    let bytes = 0;
    let settled = false;
    const settle = (complete: boolean) => {
      if (settled) return;
      settled = true;
      pending.settle({
        kind: 'response',
        headers: request.headers,
        chunks,
        trailers: { ...request.trailers },
        complete,
      });
    };
    request.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      bytes += chunk.length;
      if (pending.cutAfterBytes !== undefined && bytes >= pending.cutAfterBytes) {
        settle(false);
        request.socket.destroy();
      }
    });
    request.on('end', () => {
      settle(true);
      accepted(response);
    });
    request.on('close', () => settle(false));
  }
}

function accepted(response: ServerResponse): void {
  response.writeHead(202, { 'Content-Type': 'application/json' });
  response.end('{"status":"OK"}');
}

async function readAll(request: IncomingMessage): Promise<Buffer> {
  return Buffer.concat(await request.toArray());
}

/** A runtime process: Node.js 24 running the runtime interface client, serving one function's bundle. */
export class RuntimeProcess {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private output = '';

  private constructor(private readonly child: ChildProcess) {
    child.stdout?.on('data', (chunk: Buffer) => this.append(chunk));
    child.stderr?.on('data', (chunk: Buffer) => this.append(chunk));
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /** `taskRoot` holds the bundle; `handler` is Lambda's handler setting, `functions/x.handler`. */
  static start(options: { taskRoot: string; handler: string; api: RuntimeApi; env: Record<string, string> }) {
    if (!existsSync(NODE_24) || !existsSync(RIC)) {
      throw new Error(
        'The Lambda runtime is not unpacked: run `node scripts/ensure-lambda-runtime.mjs` (npm pretest does).',
      );
    }
    const child = spawn(NODE_24, ['--require', NATIVE_CLIENT, RIC], {
      cwd: options.taskRoot,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        TMPDIR: process.env.TMPDIR ?? '/tmp',
        ...options.env,
        AWS_LAMBDA_RUNTIME_API: options.api.address,
        AWS_LAMBDA_NODEJS_USE_ALTERNATIVE_CLIENT_1: 'true',
        _HANDLER: options.handler,
        LAMBDA_TASK_ROOT: options.taskRoot,
        AWS_LAMBDA_FUNCTION_NAME: 'conformance',
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: '512',
        AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
        AWS_LAMBDA_LOG_GROUP_NAME: '/aws/lambda/conformance',
        AWS_LAMBDA_LOG_STREAM_NAME: 'conformance',
        AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs24.x',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        NODE_OPTIONS: '',
      },
    });
    return new RuntimeProcess(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** What the runtime logged: its own lines and the function's. */
  get log(): string {
    return this.output;
  }

  async stop(): Promise<void> {
    if (this.alive) this.child.kill('SIGKILL');
    await this.exited;
  }

  private append(chunk: Buffer): void {
    // Enough to say why a runtime died; a runaway log cannot fill the test's memory.
    if (this.output.length < 256 * 1024) this.output += chunk.toString('utf8');
  }
}

/** A streamed answer split as API Gateway reads it: the JSON prelude, 8 NUL bytes, then the body. */
export interface StreamedAnswer {
  readonly responseMode: string | undefined;
  readonly contentType: string | undefined;
  readonly prelude: { statusCode: number; headers: Record<string, string> } | undefined;
  readonly body: Buffer;
  readonly errorType: string | undefined;
  readonly errorBody: unknown;
}

export function streamedAnswer(recorded: RecordedResponse): StreamedAnswer {
  const all = Buffer.concat(recorded.chunks);
  const contentType = recorded.headers['content-type'];
  const errorType = recorded.trailers['lambda-runtime-function-error-type'];
  const errorBody = recorded.trailers['lambda-runtime-function-error-body'];
  const base = {
    responseMode: recorded.headers['lambda-runtime-function-response-mode'] as string | undefined,
    contentType,
    errorType,
    errorBody: errorBody === undefined ? undefined : JSON.parse(Buffer.from(errorBody, 'base64').toString('utf8')),
  };
  if (contentType !== 'application/vnd.awslambda.http-integration-response') {
    return { ...base, prelude: undefined, body: all };
  }
  const end = all.indexOf(Buffer.alloc(8));
  if (end === -1) return { ...base, prelude: undefined, body: all };
  const prelude = JSON.parse(all.subarray(0, end).toString('utf8')) as StreamedAnswer['prelude'];
  return { ...base, prelude, body: all.subarray(end + 8) };
}
