import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CONTRACT_RECORDS_ENV } from './contract-recorder.ts';

export const CLI = new URL('../../packages/local/bin/identities.js', import.meta.url).pathname;
const TSX = import.meta.resolve('tsx');
const CONTRACT_PRELOAD = new URL('./contract-preload.ts', import.meta.url).href;

/** The environment a user's shell would give: none of the test run's own settings leak in. */
export function userEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  // TMPDIR: the test run's own temporary folder, removed when the run ends.
  return { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'C.UTF-8', TMPDIR: tmpdir(), ...extra };
}

export const tempDir = (prefix = 'identities-e2e-') => mkdtemp(join(tmpdir(), prefix));

/**
 * `serve`'s options for the test run's stand-ins as external stores (one object-store endpoint may be
 * swapped for another), and the run's credentials for them: how several servers share one set of stores.
 */
export function externalStores(s3Endpoint = process.env.S3_ENDPOINT ?? '') {
  const env = process.env;
  return {
    args: [
      '--s3-endpoint',
      s3Endpoint,
      '--dynamodb-endpoint',
      env.DYNAMODB_ENDPOINT ?? '',
      '--bucket',
      env.BUCKET_NAME ?? '',
      '--table',
      env.TABLE_NAME ?? '',
    ],
    env: {
      AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID ?? '',
      AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY ?? '',
      AWS_REGION: env.AWS_REGION ?? '',
    },
  };
}

/** A loopback port that was free a moment ago and nothing listens on: a store that cannot be reached. */
export async function closedPort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const address = probe.address();
  await new Promise((resolve) => probe.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** The AWS credential variables for a data dir's embedded stores, signed with its own install key. */
export async function storeKeyEnv(dataDir: string): Promise<Record<string, string>> {
  const key = JSON.parse(await readFile(join(dataDir, 'store-credentials.json'), 'utf8')) as {
    accessKeyId: string;
    secretAccessKey: string;
  };
  return { AWS_ACCESS_KEY_ID: key.accessKeyId, AWS_SECRET_ACCESS_KEY: key.secretAccessKey };
}

export interface Ran {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a command to completion, as a user at a shell would. */
export function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv, input?: Buffer): Promise<Ran> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') }),
    );
    child.stdin.end(input);
  });
}

export const cli = (args: readonly string[], env: NodeJS.ProcessEnv) => run(process.execPath, [CLI, ...args], env);

export interface ServerProcess {
  readonly url: string;
  readonly process: ChildProcess;
  /** The first token the banner printed. */
  readonly token: string;
  output(): string;
  /** Sends the signal and resolves with the exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `identities serve` on an ephemeral port and waits for its banner. */
export function startServerProcess(args: readonly string[], env: NodeJS.ProcessEnv): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    // Its responses are recorded for the test file's contract check (contract-setup.ts).
    const records = process.env[CONTRACT_RECORDS_ENV];
    const recording = records === undefined ? [] : ['--import', TSX, '--import', CONTRACT_PRELOAD];
    const child = spawn(process.execPath, [...recording, CLI, 'serve', '--port', '0', ...args], {
      env: records === undefined ? env : { ...env, [CONTRACT_RECORDS_ENV]: records },
      stdio: 'pipe',
    });
    let output = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start:\n${output}`));
    }, 30_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const url = /listening on (\S+)/.exec(output)?.[1];
      const token = /\n(eyJ[\w-]+\.[\w-]+\.[\w-]+)\n/.exec(output)?.[1];
      if (url !== undefined && (token !== undefined || !output.includes('Token ('))) {
        if (output.includes('Try it:') || !output.includes('Token (')) {
          clearTimeout(timer);
          resolve({
            url,
            token: token ?? '',
            process: child,
            output: () => output,
            stop: (signal = 'SIGTERM') => {
              child.kill(signal);
              return exited;
            },
          });
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk.toString('utf8');
    });
    exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${output}`));
    });
  });
}
