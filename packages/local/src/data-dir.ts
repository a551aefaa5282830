import { chmodSync, lstatSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

export class DataDirError extends Error {
  override name = 'DataDirError';
}

/**
 * Makes the data dir private to the user running the server, whatever the umask: everything the
 * process creates from now on is owner-only (the stores' files, documents and metadata among them), and
 * a dir that others could enter is tightened to 0700, and everything in it to 0700 / 0600. A dir owned by another
 * user is refused: its owner could read everything written there. Returns how many modes were tightened.
 */
export function secureDataDir(dataDir: string): number {
  process.umask(0o077);
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const info = lstatSync(dataDir);
  if (!info.isDirectory()) throw new DataDirError(`the data dir ${dataDir} is not a directory`);
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new DataDirError(
      `the data dir ${dataDir} belongs to user ${info.uid}, not to the user running this (${uid}): run as its owner, or choose another --data-dir`,
    );
  }
  // Under a 0700 dir nothing is reachable by others; only a dir that was open is walked, once.
  return (info.mode & 0o077) === 0 ? 0 : tighten(dataDir);
}

/** Owner-only modes for a tree: 0700 for directories, 0600 for the rest. Symbolic links are not followed. */
function tighten(path: string): number {
  const info = lstatSync(path);
  if (info.isSymbolicLink()) return 0;
  const wanted = info.isDirectory() ? 0o700 : 0o600;
  let changed = 0;
  if ((info.mode & 0o777) !== wanted) {
    chmodSync(path, wanted);
    changed++;
  }
  if (info.isDirectory()) {
    for (const entry of readdirSync(path)) changed += tighten(join(path, entry));
  }
  return changed;
}

const lockFile = (dataDir: string) => join(dataDir, 'server.lock');
const infoFile = (dataDir: string) => join(dataDir, 'server.json');

/**
 * Takes the data dir for this process: two servers on one data dir would corrupt the embedded stores.
 * A lock left by a process that no longer runs is taken over.
 */
export function lockDataDir(dataDir: string): () => void {
  secureDataDir(dataDir);
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
