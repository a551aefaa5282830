import type { ParseArgsConfig } from 'node:util';
import { makeDynamoClient, makeS3Client } from '@identities/aws';
import { operator } from '@identities/core';
import { loadStoreCredentials, principalCredentials, type StoreCredentials } from '../credentials.ts';
import { dataDirFrom, lockDataDir, readServerInfo } from '../data-dir.ts';
import { STAND_IN_REGION, startStandIns } from '../stand-ins.ts';
import { type Io, UsageError } from './io.ts';

/** The options of every command that acts on storage. */
export const storageOptions = {
  'data-dir': { type: 'string' },
  bucket: { type: 'string' },
  table: { type: 'string' },
  region: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export interface Storage {
  readonly s3: ReturnType<typeof makeS3Client>;
  readonly bucket: string;
  readonly table: string;
  readonly region: string;
  readonly s3Endpoint?: string | undefined;
  readonly dynamoEndpoint?: string | undefined;
  /** The operator's key to the embedded stores; a deployed stage's credentials come from the AWS environment. */
  readonly credentials?: StoreCredentials;
}

export const dynamoOf = (storage: Storage) =>
  makeDynamoClient({ region: storage.region, endpoint: storage.dynamoEndpoint, credentials: storage.credentials });

/** Where a storage command acts: a deployed stage, the running server's stores, or the data dir's own. */
export async function withStorage<T>(
  io: Io,
  values: { 'data-dir'?: string; bucket?: string; table?: string; region?: string },
  work: (storage: Storage) => Promise<T>,
  /**
   * Whose key signs for the embedded stores: the operator's, held to its policy, or, for a backup that
   * must read every key and item, the install's own (the data dir's owner alone can read it).
   */
  signer: 'operator' | 'install' = 'operator',
): Promise<T> {
  const bucket = values.bucket ?? io.env.BUCKET_NAME;
  const table = values.table ?? io.env.TABLE_NAME;
  const run = async (storage: Omit<Storage, 's3'>) => {
    const s3 = makeS3Client({ region: storage.region, endpoint: storage.s3Endpoint, credentials: storage.credentials });
    try {
      return await work({ ...storage, s3 });
    } finally {
      s3.destroy();
    }
  };
  if (bucket !== undefined || table !== undefined) {
    if (bucket === undefined || table === undefined) throw new UsageError('name both --bucket and --table');
    const region = values.region ?? io.env.AWS_REGION ?? io.env.AWS_DEFAULT_REGION;
    if (region === undefined) throw new UsageError('set --region or AWS_REGION for a deployed stage');
    return run({ bucket, table, region, s3Endpoint: io.env.S3_ENDPOINT, dynamoEndpoint: io.env.DYNAMODB_ENDPOINT });
  }
  const dataDir = dataDirFrom(io.env, values['data-dir']);
  const running = readServerInfo(dataDir);
  // The operator's own key, held to the operator's policy like the functions to theirs.
  const install = loadStoreCredentials(dataDir);
  const credentials = signer === 'install' ? install : principalCredentials(install, operator.id);
  if (running !== undefined) return run({ ...running, credentials });
  // No server runs on this data dir: open its embedded stores for the length of the command.
  const release = lockDataDir(dataDir);
  const standIns = await startStandIns({ dataDir, bucket: 'identities', table: 'identities' });
  try {
    return await run({
      bucket: standIns.bucket,
      table: standIns.table,
      region: STAND_IN_REGION,
      s3Endpoint: standIns.s3Endpoint,
      dynamoEndpoint: standIns.dynamoEndpoint,
      credentials,
    });
  } finally {
    await standIns.close();
    release();
  }
}
