import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { tableDefinition } from '@identities/aws';
import dynalite from 'dynalite';

/** s3rver's fixed credentials; DynamoDB stand-ins accept any. */
export const STAND_IN_CREDENTIALS = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } as const;
export const STAND_IN_REGION = 'us-east-1';

export interface StandIns {
  readonly s3Endpoint: string;
  readonly dynamoEndpoint: string;
  readonly bucket: string;
  readonly table: string;
  close(): Promise<void>;
}

export interface StandInOptions {
  /** Where both stores keep their data. Omitted: S3 in `scratchDir` wiped on close, DynamoDB in memory. */
  readonly dataDir?: string;
  readonly scratchDir?: string;
  readonly bucket: string;
  readonly table: string;
  readonly host?: string;
}

/**
 * Starts the embedded S3 (s3rver) and DynamoDB (dynalite) stand-ins on ephemeral loopback ports and
 * creates the bucket and table when missing. They speak the real AWS protocols, so the production SDK
 * code runs against them unchanged.
 */
export async function startStandIns(options: StandInOptions): Promise<StandIns> {
  const host = options.host ?? '127.0.0.1';
  const persistent = options.dataDir !== undefined;
  const s3Dir = persistent ? join(options.dataDir, 's3') : options.scratchDir;
  if (s3Dir === undefined) throw new Error('stand-ins need a dataDir or a scratchDir');
  const dynamoDir = persistent ? join(options.dataDir, 'dynamodb') : undefined;
  mkdirSync(s3Dir, { recursive: true });
  if (dynamoDir !== undefined) mkdirSync(dynamoDir, { recursive: true });

  const s3 = new S3rver({
    address: host,
    port: 0,
    silent: true,
    directory: s3Dir,
    resetOnClose: !persistent,
    allowMismatchedSignatures: true,
    vhostBuckets: false,
    configureBuckets: [{ name: options.bucket }],
  });
  const s3Address = (await s3.run()) as AddressInfo;

  const dynamo: Server = dynalite({ createTableMs: 0, ...(dynamoDir === undefined ? {} : { path: dynamoDir }) });
  await new Promise<void>((resolve, reject) => {
    dynamo.once('error', reject);
    dynamo.listen(0, host, () => resolve());
  });
  const dynamoPort = (dynamo.address() as AddressInfo).port;

  const standIns: StandIns = {
    s3Endpoint: `http://${host}:${s3Address.port}`,
    dynamoEndpoint: `http://${host}:${dynamoPort}`,
    bucket: options.bucket,
    table: options.table,
    async close() {
      await Promise.all([
        new Promise<void>((resolve) => s3.close(() => resolve())),
        new Promise<void>((resolve) => {
          dynamo.closeAllConnections();
          dynamo.close(() => resolve());
        }),
      ]);
    },
  };
  await ensureTable(standIns.dynamoEndpoint, options.table);
  return standIns;
}

async function ensureTable(endpoint: string, table: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: STAND_IN_REGION, credentials: STAND_IN_CREDENTIALS });
  try {
    await client.send(new DescribeTableCommand({ TableName: table })).catch(async (error: unknown) => {
      if (!(error instanceof ResourceNotFoundException)) throw error;
      await client.send(new CreateTableCommand(tableDefinition(table)));
    });
    // Even with createTableMs 0 the table turns ACTIVE a tick later: a write before then is refused.
    for (let attempt = 0; attempt < 100; attempt++) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: table }));
      if (Table?.TableStatus === 'ACTIVE') return;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(`the embedded table ${table} did not become active`);
  } finally {
    client.destroy();
  }
}

/** The environment the handlers read, pointed at running stand-ins. */
export function standInEnv(standIns: StandIns): Record<string, string> {
  return {
    AWS_REGION: STAND_IN_REGION,
    AWS_ACCESS_KEY_ID: STAND_IN_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: STAND_IN_CREDENTIALS.secretAccessKey,
    S3_ENDPOINT: standIns.s3Endpoint,
    DYNAMODB_ENDPOINT: standIns.dynamoEndpoint,
    BUCKET_NAME: standIns.bucket,
    TABLE_NAME: standIns.table,
  };
}
