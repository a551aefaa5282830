import { existsSync } from 'node:fs';
import { readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { makeS3Client } from '@identities/aws';
import {
  assertEmptyDataDir,
  BrokenArchiveError,
  type Progress,
  RestoreRefusedError,
  readIssuerKey,
  restoreBackup,
  writeBackup,
} from '../backup.ts';
import { dataDirFrom, lockDataDir } from '../data-dir.ts';
import { STAND_IN_REGION, startStandIns } from '../stand-ins.ts';
import { type Command, CommandError, help, type Io, parse, progressBar, UsageError } from './io.ts';
import { storageOptions, withStorage } from './storage.ts';

const BACKUP_HELP = `Usage: identities backup --out FILE [--include-issuer-key]

Writes a backup of the stores to FILE (a tar archive, owner-only): every photo and document with its
metadata, roles and every other table item, and an index of SHA-256 hashes that restore checks. It reads
through the server running on the data dir, while it serves, or opens the data dir's embedded stores when
none runs. The archive holds biometric data: keep it as carefully as the data dir.
  --out FILE                The archive to write (refused if it exists)
  --include-issuer-key      Also the dev issuer's private key (whoever holds it can mint tokens)
  --data-dir DIR | --bucket NAME --table NAME [--region NAME]   Where to read (see "identities --help")
`;

const RESTORE_HELP = `Usage: identities restore FILE [--data-dir DIR]

Restores a backup into a new or empty data dir (DATA_DIR, default .data), refusing any other; every object
is checked against the archive's hashes before anything is stored. Start the server on that data dir
afterwards. A restore that fails leaves the data dir empty again.
  --data-dir DIR            The data dir to restore into
`;

function progressOn(io: Io, what: string): Progress | undefined {
  if (!io.isTty) return undefined;
  return (done, total) => io.err(`${progressBar(done, total)} ${what}${done === total ? '\n' : ''}`);
}

async function backup(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    ...storageOptions,
    out: { type: 'string', short: 'o' },
    'include-issuer-key': { type: 'boolean' },
  });
  if (values.help) return help(io, BACKUP_HELP);
  const out = values.out;
  if (out === undefined || out === '') throw new UsageError('give --out FILE');
  if (existsSync(out)) throw new UsageError(`${out} exists: choose another file`);
  const dataDir = dataDirFrom(io.env, values['data-dir']);
  let issuerKey: Buffer | undefined;
  if (values['include-issuer-key']) {
    try {
      issuerKey = await readIssuerKey(dataDir);
    } catch (error) {
      throw new CommandError(`the dev issuer's key cannot be read in ${dataDir}: ${(error as Error).message}`);
    }
  }
  // The install's key: a backup reads every object and item, more than any one principal may.
  const manifest = await withStorage(
    io,
    values,
    (storage) =>
      writeBackup(storage, out, {
        ...(issuerKey === undefined ? {} : { issuerKey }),
        ...(progressOn(io, 'objects') === undefined ? {} : { progress: progressOn(io, 'objects') }),
      }),
    'install',
  );
  io.err(
    `Backed up ${manifest.objects} objects and ${manifest.items} table items${manifest.issuerKey ? " and the dev issuer's key" : ''} to ${out}.\n`,
  );
  return 0;
}

async function restore(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    args,
    { 'data-dir': { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    1,
  );
  if (values.help) return help(io, RESTORE_HELP);
  const file = positionals[0];
  if (file === undefined) throw new UsageError('name the archive to restore');
  if (!existsSync(file)) throw new UsageError(`${file} does not exist`);
  const dataDir = dataDirFrom(io.env, values['data-dir']);
  try {
    await assertEmptyDataDir(dataDir);
  } catch (error) {
    if (error instanceof RestoreRefusedError) throw new CommandError(error.message);
    throw error;
  }
  const release = lockDataDir(dataDir);
  let restored = false;
  try {
    const standIns = await startStandIns({ dataDir, bucket: 'identities', table: 'identities' });
    const s3 = makeS3Client({
      region: STAND_IN_REGION,
      endpoint: standIns.s3Endpoint,
      credentials: standIns.credentials,
    });
    try {
      const progress = progressOn(io, 'objects');
      const manifest = await restoreBackup(
        file,
        {
          s3,
          bucket: standIns.bucket,
          table: standIns.table,
          region: STAND_IN_REGION,
          dynamoEndpoint: standIns.dynamoEndpoint,
          credentials: standIns.credentials,
          dataDir,
        },
        progress === undefined ? {} : { progress },
      );
      restored = true;
      io.err(
        `Restored ${manifest.objects} objects and ${manifest.items} table items (backed up ${manifest.createdAt}) into ${dataDir}.\n`,
      );
      return 0;
    } finally {
      s3.destroy();
      await standIns.close();
    }
  } catch (error) {
    if (error instanceof BrokenArchiveError) throw new CommandError(`${file}: ${error.message}`);
    throw error;
  } finally {
    release();
    // The data dir was empty: a failed restore leaves it so.
    if (!restored) {
      for (const entry of await readdir(dataDir)) await rm(join(dataDir, entry), { recursive: true, force: true });
    }
  }
}

/** identities backup */
export const backupCommand: Command = { help: BACKUP_HELP, run: backup };
/** identities restore */
export const restoreCommand: Command = { help: RESTORE_HELP, run: restore };
