import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { ObservedResponse } from './contract.ts';

/**
 * Records every response an HTTP server of this process sends, for the contract check: the status and
 * headers as written, and the first bytes of the body. Installed in each test file's process
 * (contract-setup.ts) and, through `--import`, in the servers the tests start (processes.ts).
 */

/** The folder servers started by a test file write their records to, one file per process. */
export const CONTRACT_RECORDS_ENV = 'IDENTITIES_TEST_CONTRACT_RECORDS';

/** Enough of a body to check any JSON the API answers; a download's bytes are counted, not kept. */
const KEPT_BODY_BYTES = 256 * 1024;

interface Recording {
  readonly headers: Record<string, unknown>;
  readonly chunks: Buffer[];
  bytes: number;
  ended: boolean;
}

const state = new WeakMap<ServerResponse, Recording>();
let installed = false;

function headersOf(args: unknown[]): Record<string, unknown> {
  const headers = args.find((arg) => typeof arg === 'object' && arg !== null);
  if (headers === undefined) return {};
  if (Array.isArray(headers)) {
    const pairs: Record<string, unknown> = {};
    for (let i = 0; i + 1 < headers.length; i += 2) pairs[String(headers[i])] = headers[i + 1];
    return pairs;
  }
  return headers as Record<string, unknown>;
}

function toBuffer(chunk: unknown, encoding: unknown): Buffer | undefined {
  if (chunk === undefined || chunk === null || typeof chunk === 'function') return undefined;
  if (Buffer.isBuffer(chunk)) return chunk;
  if (chunk instanceof Uint8Array) return Buffer.from(chunk);
  return Buffer.from(String(chunk), typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8');
}

/** The request paths the description names, as patterns: other responses are not recorded at all. */
export function documentedPaths(): RegExp[] {
  const document = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as {
    paths: Record<string, unknown>;
  };
  return Object.keys(document.paths).map((template) => new RegExp(`^${template.replace(/\{\w+\}/g, '[^/?]+')}(\\?|$)`));
}

const isJson = (type: unknown) => typeof type === 'string' && /[/+]json\b/i.test(type);

export function recordResponses(sink: (observed: ObservedResponse) => void, paths = documentedPaths()): void {
  if (installed) return;
  installed = true;
  const prototype = ServerResponse.prototype;
  const entry = (response: ServerResponse) => {
    let found = state.get(response);
    if (found === undefined) {
      found = { headers: {}, chunks: [], bytes: 0, ended: false };
      state.set(response, found);
    }
    return found;
  };
  const documented = (response: ServerResponse) => {
    const url = response.req?.url ?? '';
    return paths.some((pattern) => pattern.test(url));
  };
  const keep = (response: ServerResponse, chunk: unknown, encoding: unknown) => {
    if (!documented(response)) return;
    const bytes = toBuffer(chunk, encoding);
    if (bytes === undefined) return;
    const recorded = entry(response);
    // Only JSON is checked against a schema: of anything else, the size is enough.
    const named = Object.entries(recorded.headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
    const json = isJson(named ?? response.getHeader('content-type'));
    if (json && recorded.bytes < KEPT_BODY_BYTES)
      recorded.chunks.push(bytes.subarray(0, KEPT_BODY_BYTES - recorded.bytes));
    recorded.bytes += bytes.length;
  };
  const { writeHead, write, end } = prototype;
  prototype.writeHead = function (this: ServerResponse, ...args: unknown[]) {
    if (documented(this)) Object.assign(entry(this).headers, headersOf(args.slice(1)));
    return (writeHead as (...all: unknown[]) => ServerResponse).apply(this, args);
  } as typeof writeHead;
  prototype.write = function (this: ServerResponse, chunk: unknown, ...rest: unknown[]) {
    keep(this, chunk, rest[0]);
    return (write as (...all: unknown[]) => boolean).call(this, chunk, ...rest);
  } as typeof write;
  prototype.end = function (this: ServerResponse, ...args: unknown[]) {
    const recorded = entry(this);
    if (!recorded.ended && documented(this)) {
      recorded.ended = true;
      keep(this, args[0], args[1]);
      this.once('finish', () => {
        const request = this.req;
        sink({
          method: request?.method ?? 'GET',
          url: request?.url ?? '',
          status: this.statusCode,
          headers: { ...this.getHeaders(), ...recorded.headers } as ObservedResponse['headers'],
          body: Buffer.concat(recorded.chunks),
          bodyBytes: recorded.bytes,
        });
      });
    }
    return (end as (...all: unknown[]) => ServerResponse).apply(this, args);
  } as typeof end;
}

/** The sink of a server process: one JSON line per response, in a file of its own. */
export function recordToFolder(folder: string): void {
  const file = join(folder, `${process.pid}.jsonl`);
  recordResponses((observed) => {
    appendFileSync(file, `${JSON.stringify({ ...observed, body: observed.body.toString('base64') })}\n`);
  });
}

/** The responses the servers of one test file recorded. */
export function readRecords(folder: string): ObservedResponse[] {
  return readdirSync(folder)
    .filter((name) => name.endsWith('.jsonl'))
    .flatMap((name) =>
      readFileSync(join(folder, name), 'utf8')
        .split('\n')
        .filter((line) => line !== '')
        .map((line) => {
          const record = JSON.parse(line) as ObservedResponse & { body: string };
          return { ...record, body: Buffer.from(record.body, 'base64') };
        }),
    );
}
