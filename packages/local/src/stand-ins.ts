import { createReadStream, mkdirSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import S3rver from '@20minutes/s3rver';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import {
  GetObjectCommand,
  HeadObjectCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { makeS3Client, TABLE_KEYS, tableDefinition } from '@identities/aws';
import { type CorsPolicy, type Logger, MAX_SESSION_FILE_BYTES, makeLogger, NO_CORS } from '@identities/core';
import dynalite from 'dynalite';
import { generateStoreCredentials, loadStoreCredentials, type StoreCredentials } from './credentials.ts';
import { type AuthorizationRequest, isAllowed, type PolicyStatement } from './iam.ts';
import { type ObjectVersions, objectVersions } from './object-versions.ts';
import { makePrincipals, type Principals } from './principals.ts';
import { asReadable, createStorageLinks, type LinkedObjects } from './storage-links.ts';
import { createStorageUploads, type StagedObject, type StorageUploads } from './storage-uploads.ts';
import { listenOnLoopback, storeFront } from './store-front.ts';

export const STAND_IN_REGION = 'us-east-1';

export interface StandIns {
  readonly s3Endpoint: string;
  readonly dynamoEndpoint: string;
  readonly bucket: string;
  readonly table: string;
  /** The install's own key: the table's creator; its principals' keys derive from it. */
  readonly credentials: StoreCredentials;
  /** Each function's, the job's and the operator's key, and the policy its requests are held to. */
  readonly principals: Principals;
  /**
   * What clients reach storage by, checked as S3 checks them: presigned upload forms (POST to the bucket)
   * and download links (presigned GETs of one object). What the S3 front answers for requests that carry
   * no Authorization header, and the server's `/_storage` path.
   */
  readonly uploads: StorageUploads;
  /** The bucket's object versions: what its lifecycle rules expire. */
  readonly versions: ObjectVersions;
  close(): Promise<void>;
}

export interface StandInOptions {
  /**
   * Where both stores keep their data, and the install's store key. Omitted: S3 in `scratchDir` wiped
   * on close, DynamoDB in memory, a key made for this run.
   */
  readonly dataDir?: string;
  readonly scratchDir?: string;
  readonly bucket: string;
  readonly table: string;
  readonly host?: string;
  readonly logger?: Logger;
  /** Browser origins allowed to POST upload forms. */
  readonly cors?: CorsPolicy;
  /**
   * Authorise every request against its principal's policy, as IAM would (the default). Off, every
   * principal's key still has to sign, but may do anything.
   */
  readonly enforcePolicies?: boolean;
  /** Statements in place of some principals' own: a test taking one away to see its route fail. */
  readonly policies?: ReadonlyMap<string, readonly PolicyStatement[]>;
}

/**
 * Starts the embedded S3 (s3rver) and DynamoDB (dynalite) stand-ins and creates the bucket and table
 * when missing. They speak the real AWS protocols, so the production SDK code runs against them
 * unchanged. Neither listens itself: each is reached through a front on a loopback port that lets
 * through only requests signed with the install's key (see `store-front.ts`).
 */
export async function startStandIns(options: StandInOptions): Promise<StandIns> {
  const host = options.host ?? '127.0.0.1';
  const persistent = options.dataDir !== undefined;
  const s3Dir = persistent ? join(options.dataDir, 's3') : options.scratchDir;
  if (s3Dir === undefined) throw new Error('stand-ins need a dataDir or a scratchDir');
  const dynamoDir = persistent ? join(options.dataDir, 'dynamodb') : undefined;
  mkdirSync(s3Dir, { recursive: true, mode: 0o700 });
  if (dynamoDir !== undefined) mkdirSync(dynamoDir, { recursive: true, mode: 0o700 });
  const credentials = persistent ? loadStoreCredentials(options.dataDir) : generateStoreCredentials();

  const s3 = new S3rver({
    silent: true,
    directory: s3Dir,
    resetOnClose: false,
    allowMismatchedSignatures: false,
    vhostBuckets: false,
    configureBuckets: [{ name: options.bucket }, { name: `${options.bucket}--versions` }],
  });
  await s3.configureBuckets();
  // The cloud bucket is versioned: so is this one, each key's history kept beside the store.
  const versionsIndexDir = persistent
    ? join(options.dataDir, 's3-versions')
    : await mkdtemp(join(tmpdir(), 'identities-versions-'));
  const versions = objectVersions({
    bucket: options.bucket,
    store: s3.store,
    handler: s3.callback(),
    indexDir: versionsIndexDir,
  });
  const logger = options.logger ?? makeLogger('silent');
  const principals = makePrincipals({
    install: credentials,
    bucket: options.bucket,
    table: options.table,
    region: STAND_IN_REGION,
    enforce: options.enforcePolicies ?? true,
    ...(options.policies === undefined ? {} : { policies: options.policies }),
  });
  const front = { principals, region: STAND_IN_REGION, logger };
  // Forms are held here until they have arrived whole: in the data dir, or a scratch dir of this run.
  // What a crash left there is of no use: a form is stored only once whole.
  const stagingDir = persistent ? join(options.dataDir, 'tmp') : await mkdtemp(join(tmpdir(), 'identities-uploads-'));
  if (persistent) {
    rmSync(stagingDir, { recursive: true, force: true });
    mkdirSync(stagingDir, { recursive: true, mode: 0o700 });
  }
  // The forms' objects go in through the front, signed like any other client's.
  let uploadsClient: S3Client | undefined;
  let s3Endpoint = '';
  const put = async (object: StagedObject, signal: AbortSignal) => {
    uploadsClient ??= makeS3Client({ region: STAND_IN_REGION, endpoint: s3Endpoint, credentials });
    await uploadsClient.send(
      new PutObjectCommand({
        Bucket: options.bucket,
        Key: object.key,
        Body: createReadStream(object.file),
        ContentLength: object.size,
        ContentType: object.contentType,
      }),
      { abortSignal: signal },
    );
  };
  const uploads = createStorageUploads({
    bucket: options.bucket,
    region: STAND_IN_REGION,
    signers: {
      secretOf: (accessKeyId) => principals.byAccessKey(accessKeyId)?.credentials.secretAccessKey,
      // A form is authorised against the policy of whoever signed it, as S3 authorises it.
      mayPut(accessKeyId, key) {
        const principal = principals.byAccessKey(accessKeyId);
        const resource = `arn:aws:s3:::${options.bucket}/${key}`;
        if (principal?.policy === undefined || isAllowed(principal.policy, { action: 's3:PutObject', resource })) {
          return true;
        }
        logger.log('warn', 'store request denied', {
          service: 's3',
          method: 'POST',
          principal: principal.name,
          code: 'AccessDenied',
          denied: `s3:PutObject on ${resource} (a presigned form)`,
        });
        return false;
      },
    },
    put,
    stagingDir,
    maxFileBytes: MAX_SESSION_FILE_BYTES,
    cors: options.cors ?? NO_CORS,
    logger,
  });
  // Links are read as the install, once their signer has been authorised for the object: a key's
  // current bytes straight from the file store (what a read through the front would end in), a version
  // through the front, which keeps the versions.
  const current: LinkedObjects = {
    async head(key) {
      try {
        // The file store's metadata: its own fields, and the headers the object was stored with.
        const metadata: Readonly<Record<string, string | number | undefined>> = await s3.store.getMetadata(
          options.bucket,
          key,
        );
        const modified = metadata['last-modified'];
        return {
          size: Number(metadata['content-length']),
          etag: String(metadata.etag),
          contentType: typeof metadata['content-type'] === 'string' ? metadata['content-type'] : undefined,
          lastModified: modified === undefined ? undefined : new Date(modified),
          versionId: undefined,
        };
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw error;
      }
    },
    async open(key, _versionId, range) {
      const object = await s3.store.getObject(
        options.bucket,
        key,
        range === undefined ? undefined : { start: range.start, end: range.end },
      );
      if (object?.content === null || object === null) throw new Error(`the object ${key} went while it was read`);
      return object.content;
    },
  };
  const versioned: LinkedObjects = {
    async head(key, versionId) {
      uploadsClient ??= makeS3Client({ region: STAND_IN_REGION, endpoint: s3Endpoint, credentials });
      try {
        const result = await uploadsClient.send(
          new HeadObjectCommand({ Bucket: options.bucket, Key: key, VersionId: versionId }),
        );
        return {
          size: result.ContentLength ?? 0,
          etag: result.ETag ?? '""',
          contentType: result.ContentType,
          lastModified: result.LastModified,
          versionId: result.VersionId,
        };
      } catch (error) {
        if (error instanceof NotFound || error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
    async open(key, versionId, range) {
      uploadsClient ??= makeS3Client({ region: STAND_IN_REGION, endpoint: s3Endpoint, credentials });
      const result = await uploadsClient.send(
        new GetObjectCommand({
          Bucket: options.bucket,
          Key: key,
          VersionId: versionId,
          ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
        }),
      );
      return asReadable(result.Body);
    },
  };
  const links = createStorageLinks({
    bucket: options.bucket,
    region: STAND_IN_REGION,
    signers: {
      secretOf: (accessKeyId) => principals.byAccessKey(accessKeyId)?.credentials.secretAccessKey,
      // A link is authorised against the policy of whoever signed it, as S3 authorises a presigned GET.
      may(accessKeyId: string, request: AuthorizationRequest) {
        const principal = principals.byAccessKey(accessKeyId);
        if (principal === undefined) return false;
        if (principal.policy === undefined || isAllowed(principal.policy, request)) return true;
        logger.log('warn', 'store request denied', {
          service: 's3',
          method: 'GET',
          principal: principal.name,
          code: 'AccessDenied',
          denied: `${request.action} on ${request.resource} (a download link)`,
        });
        return false;
      },
    },
    objects: {
      head: (key, versionId) => (versionId === undefined ? current : versioned).head(key, versionId),
      open: (key, versionId, range) => (versionId === undefined ? current : versioned).open(key, versionId, range),
    },
    cors: options.cors ?? NO_CORS,
    logger,
  });
  const objectPaths = `/${options.bucket}/`;
  const storage: StorageUploads = (request, response, path) =>
    path.startsWith(objectPaths) ? links(request, response, path) : uploads(request, response, path);
  const s3Handler = storeFront({
    ...front,
    service: 's3',
    handler: versions.handler,
    objectExists: (bucket, key) => s3.store.existsObject(bucket, key),
  });
  const s3Server = createServer((request, response) => {
    // S3 answers an unsigned POST of a form to the bucket itself: the form carries its own signature.
    const path = (request.url ?? '/').split('?')[0] ?? '/';
    const form =
      request.headers.authorization === undefined && (request.method === 'POST' || request.method === 'OPTIONS');
    // ... and a presigned GET of one object: a download link, whose query carries its signature.
    const link =
      request.headers.authorization === undefined &&
      (request.method === 'GET' || request.method === 'HEAD' || request.method === 'OPTIONS') &&
      path.startsWith(objectPaths);
    if ((form && path === `/${options.bucket}`) || link) storage(request, response, path);
    else s3Handler(request, response);
  });
  // dynalite's own server is the front's: closing it also closes its LevelDB store.
  const dynamo: Server = dynalite({ createTableMs: 0, ...(dynamoDir === undefined ? {} : { path: dynamoDir }) });
  const dynamoHandler = dynamo.listeners('request')[0] as RequestListener | undefined;
  if (dynamoHandler === undefined) throw new Error('dynalite has no request handler');
  dynamo.removeAllListeners('request');
  dynamo.on(
    'request',
    storeFront({ ...front, service: 'dynamodb', handler: dynamoHandler, partitionKey: TABLE_KEYS.partition }),
  );

  s3Endpoint = await listenOnLoopback(s3Server, host);
  const standIns: StandIns = {
    s3Endpoint,
    dynamoEndpoint: await listenOnLoopback(dynamo, host),
    bucket: options.bucket,
    table: options.table,
    credentials,
    principals,
    uploads: storage,
    versions,
    async close() {
      const closed = (server: Server) =>
        new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
      await Promise.all([closed(s3Server), closed(dynamo)]);
      uploadsClient?.destroy();
      if (!persistent) rmSync(stagingDir, { recursive: true, force: true });
      s3.logger.exceptions.unhandle();
      s3.logger.close();
      if (!persistent) rmSync(s3Dir, { recursive: true, force: true });
      if (!persistent) rmSync(versionsIndexDir, { recursive: true, force: true });
    },
  };
  await ensureTable(standIns, options.table);
  return standIns;
}

async function ensureTable(standIns: StandIns, table: string): Promise<void> {
  const client = new DynamoDBClient({
    endpoint: standIns.dynamoEndpoint,
    region: STAND_IN_REGION,
    credentials: standIns.credentials,
  });
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

/**
 * The environment the handlers read, pointed at running stand-ins, signing as the given principal (the
 * install itself when none is named: a test's own access to arrange and check data).
 */
export function standInEnv(standIns: StandIns, principal?: string): Record<string, string> {
  const key = principal === undefined ? standIns.credentials : standIns.principals.of(principal).credentials;
  return {
    AWS_REGION: STAND_IN_REGION,
    AWS_ACCESS_KEY_ID: key.accessKeyId,
    AWS_SECRET_ACCESS_KEY: key.secretAccessKey,
    S3_ENDPOINT: standIns.s3Endpoint,
    DYNAMODB_ENDPOINT: standIns.dynamoEndpoint,
    BUCKET_NAME: standIns.bucket,
    TABLE_NAME: standIns.table,
  };
}
