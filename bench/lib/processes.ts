import { type ChildProcess, fork, type StdioOptions, spawn } from 'node:child_process';
import { openSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { request } from 'node:http';
import { createServer } from 'node:net';

export const ROOT = new URL('../../', import.meta.url).pathname;

/** Children inherit nothing but what they are given, as a Lambda function or a fresh shell would. */
export function baseEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    LANG: 'C.UTF-8',
    // The AWS SDK announces that it will drop Node.js 20; the bench output has no use for that.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...extra,
  };
}

/** Settles with the child's first IPC message of type `result`; rejects if it exits or times out before. */
export function runWorker<T>(
  script: string,
  options: { env: NodeJS.ProcessEnv; config: unknown; execArgv?: readonly string[]; timeoutMs: number },
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = fork(new URL(script, new URL('../', import.meta.url)).pathname, [], {
      cwd: ROOT,
      env: options.env,
      execArgv: ['--import', 'tsx', ...(options.execArgv ?? [])],
      // Handlers log one line per request to stdout, as in Lambda; it goes nowhere here.
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${script} timed out after ${options.timeoutMs} ms\n${stderr}`));
    }, options.timeoutMs);
    let result: { value: T } | undefined;
    child.on('message', (message: { type?: string; value?: T; error?: string }) => {
      if (message.type === 'result') result = { value: message.value as T };
      if (message.type === 'error') {
        clearTimeout(timer);
        reject(new Error(`${script}: ${message.error}\n${stderr}`));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      if (result !== undefined) resolve(result.value);
      else reject(new Error(`${script} exited with ${code} before a result\n${stderr}`));
    });
    child.send({ type: 'config', config: options.config });
  });
}

/** The worker side of `runWorker`: receives the config, sends the result, exits. */
export function serveWorker<C, T>(work: (config: C) => Promise<T>): void {
  process.once('message', (message: { type: string; config: C }) => {
    work(message.config).then(
      (value) => process.send?.({ type: 'result', value }, () => process.exit(0)),
      (error: unknown) =>
        process.send?.(
          { type: 'error', error: error instanceof Error ? (error.stack ?? error.message) : String(error) },
          () => process.exit(1),
        ),
    );
  });
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Waits until an HTTP server answers anything on `url`. */
export async function waitForHttp(url: string, timeoutMs: number, child?: ChildProcess): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child?.exitCode !== null && child?.exitCode !== undefined)
      throw new Error(`server exited with ${child.exitCode}`);
    const up = await new Promise<boolean>((resolve) => {
      const probe = request(url, { method: 'GET', agent: false }, (response) => {
        response.resume();
        resolve(true);
      });
      probe.on('error', () => resolve(false));
      probe.end();
    });
    if (up) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`nothing answered on ${url} within ${timeoutMs} ms`);
}

export interface ServerProcess {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

/** Starts a server process whose stdout and stderr go to `logFile`, and waits until it answers. */
export async function startServerProcess(
  args: readonly string[],
  options: { env: NodeJS.ProcessEnv; port: number; logFile: string; execArgv?: readonly string[] },
): Promise<ServerProcess> {
  const log = openSync(options.logFile, 'a');
  const stdio: StdioOptions = ['ignore', log, log];
  const child = spawn(process.execPath, [...(options.execArgv ?? []), ...args], { cwd: ROOT, env: options.env, stdio });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${options.port}`;
  try {
    await waitForHttp(url, 60_000, child);
  } catch (error) {
    child.kill('SIGKILL');
    const output = await readFile(options.logFile, 'utf8').catch(() => '');
    throw new Error(`${args.join(' ')}: ${String(error)}\n${output}`);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error('server has no pid');
  return {
    url,
    pid,
    async stop() {
      if (child.exitCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resident set size of another process, in bytes (Linux /proc). */
export async function rssOf(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
  if (kb === undefined) throw new Error(`no VmRSS for ${pid}`);
  return Number(kb) * 1024;
}

/** CPU time (user + system) another process has used so far, in milliseconds (Linux /proc). */
export async function cpuMsOf(pid: number): Promise<number> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
  // The command name may hold spaces: fields count from the closing parenthesis.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
}

/** Linux's USER_HZ, the unit of /proc CPU times: 100 on every mainstream architecture. */
const CLOCK_TICKS_PER_SECOND = 100;
