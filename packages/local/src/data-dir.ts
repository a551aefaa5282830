import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** What a running server tells the CLI about itself, kept in `<data dir>/server.json`. */
export interface ServerInfo {
  readonly pid: number;
  readonly url: string;
  readonly s3Endpoint: string;
  readonly dynamoEndpoint: string;
  readonly bucket: string;
  readonly table: string;
  readonly region: string;
}

export const DEFAULT_DATA_DIR = '.data';

export function dataDirFrom(env: NodeJS.ProcessEnv, option?: string): string {
  return resolve(option ?? env.DATA_DIR ?? DEFAULT_DATA_DIR);
}

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

const lockFile = (dataDir: string) => join(dataDir, 'server.lock');
const infoFile = (dataDir: string) => join(dataDir, 'server.json');

/**
 * Takes the data dir for this process: two servers on one data dir would corrupt the embedded stores.
 * A lock left by a process that no longer runs is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  mkdirSync(dataDir, { recursive: true });
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockFile(dataDir), String(process.pid), { flag: 'wx' });
      return () => {
        rmSync(infoFile(dataDir), { force: true });
        rmSync(lockFile(dataDir), { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const owner = Number(readFileSync(lockFile(dataDir), 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && isAlive(owner)) {
        throw new DataDirLockedError(`the data dir ${dataDir} is in use by another server (pid ${owner})`);
      }
      rmSync(lockFile(dataDir), { force: true });
    }
  }
  throw new DataDirLockedError(`could not lock the data dir ${dataDir}`);
}

export function writeServerInfo(dataDir: string, info: ServerInfo): void {
  writeFileSync(infoFile(dataDir), JSON.stringify(info, null, 2), { mode: 0o600 });
}

/** The running server on this data dir, if any. */
export function readServerInfo(dataDir: string): ServerInfo | undefined {
  try {
    const info = JSON.parse(readFileSync(infoFile(dataDir), 'utf8')) as ServerInfo;
    return isAlive(info.pid) ? info : undefined;
  } catch {
    return undefined;
  }
}
