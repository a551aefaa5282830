import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type AttributeValue, DynamoDBClient, PutItemCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, ListObjectsCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { STORAGE_CLIENT_LIMITS, storageClientConfig } from '@identities/aws';
import { DOCUMENT_PREFIX, PHOTO_PREFIX, UPLOAD_PREFIX } from '@identities/core';
import { extract, pack } from 'tar-stream';

/** The archive's own description, its first entry. */
export interface BackupManifest {
  readonly format: 'identities-backup';
  readonly version: 1;
  readonly createdAt: string;
  readonly items: number;
  readonly objects: number;
  readonly issuerKey: boolean;
}

/** One object's line in the archive's index, its last entry: what restore checks every object against. */
interface IndexedObject {
  readonly key: string;
  readonly entry: string;
  readonly size: number;
  readonly sha256: string;
  readonly contentType: string | undefined;
  readonly metadata: Record<string, string> | undefined;
}

export interface BackupSource {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly table: string;
  readonly region: string;
  readonly dynamoEndpoint?: string | undefined;
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string } | undefined;
}

export type Progress = (done: number, total: number) => void;

const MANIFEST = 'manifest.json';
const ITEMS = 'table/items.jsonl';
const INDEX = 'objects/index.jsonl';
const ISSUER_KEY = 'dev-issuer.json';
const objectEntry = (n: number) => `objects/${String(n).padStart(8, '0')}`;

export class RestoreRefusedError extends Error {
  override name = 'RestoreRefusedError';
}

export class BrokenArchiveError extends Error {
  override name = 'BrokenArchiveError';
}

function dynamoOf(source: Pick<BackupSource, 'region' | 'dynamoEndpoint' | 'credentials'>): DynamoDBClient {
  return new DynamoDBClient({
    ...storageClientConfig(
      {
        region: source.region,
        ...(source.credentials === undefined ? {} : { credentials: { ...source.credentials } }),
      },
      STORAGE_CLIENT_LIMITS,
    ),
    ...(source.dynamoEndpoint === undefined ? {} : { endpoint: source.dynamoEndpoint }),
  });
}

async function allItems(dynamo: DynamoDBClient, table: string): Promise<Record<string, AttributeValue>[]> {
  const items: Record<string, AttributeValue>[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamo.send(
      new ScanCommand({
        TableName: table,
        ConsistentRead: true,
        ...(start === undefined ? {} : { ExclusiveStartKey: start }),
      }),
    );
    items.push(...(page.Items ?? []));
    start = page.LastEvaluatedKey;
  } while (start !== undefined);
  return items;
}

/**
 * Every key under one prefix, paged by the last key seen (a version 1 listing, with `Marker`): the
 * embedded store cannot make the continuation token of a truncated version 2 listing, and every
 * S3-compatible store answers this alike.
 */
async function keysUnder(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for (;;) {
    const marker = keys.at(-1);
    const page = await s3.send(
      new ListObjectsCommand({
        Bucket: bucket,
        Prefix: prefix,
        MaxKeys: 1000,
        ...(marker === undefined ? {} : { Marker: marker }),
      }),
    );
    const before = keys.length;
    for (const object of page.Contents ?? []) if (object.Key !== undefined) keys.push(object.Key);
    if (page.IsTruncated !== true || keys.length === before) return keys;
  }
}

/** Every key under the prefixes the service writes: photos, documents, and upload sessions' staged bytes. */
async function allKeys(s3: S3Client, bucket: string): Promise<string[]> {
  const keys: string[] = [];
  for (const prefix of [PHOTO_PREFIX, DOCUMENT_PREFIX, UPLOAD_PREFIX])
    keys.push(...(await keysUnder(s3, bucket, prefix)));
  return keys;
}

/**
 * Writes a backup of a server's stores to `out` as a tar archive (readable with `tar tf`): a manifest,
 * every table item as DynamoDB wrote it, every object with its type and metadata, an index of their
 * SHA-256 hashes, and the dev issuer's key only when it is given. The table is read first, then the
 * objects: every object a document item points to is written once before the item is, and never changed
 * (each upload has a key of its own), so every document in the archive has its bytes; an upload that
 * lands during the backup is in it whole or not at all. The file is owner-only, written beside `out` and
 * renamed into place once whole.
 */
export async function writeBackup(
  source: BackupSource,
  out: string,
  options: { readonly issuerKey?: Buffer; readonly progress?: Progress } = {},
): Promise<BackupManifest> {
  const dynamo = dynamoOf(source);
  const partial = `${out}.partial-${process.pid}`;
  try {
    const items = await allItems(dynamo, source.table);
    const keys = await allKeys(source.s3, source.bucket);
    const manifest: BackupManifest = {
      format: 'identities-backup',
      version: 1,
      createdAt: new Date().toISOString(),
      items: items.length,
      objects: keys.length,
      issuerKey: options.issuerKey !== undefined,
    };
    const archive = pack();
    const written = pipeline(archive, createWriteStream(partial, { mode: 0o600, flags: 'wx' }));
    written.catch(() => undefined);
    const add = (name: string, body: string | Buffer) =>
      new Promise<void>((resolve, reject) =>
        archive.entry({ name, mode: 0o600 }, body, (error) => (error ? reject(error) : resolve())),
      );
    await add(MANIFEST, `${JSON.stringify(manifest)}\n`);
    await add(ITEMS, items.map((item) => `${JSON.stringify(item)}\n`).join(''));
    if (options.issuerKey !== undefined) await add(ISSUER_KEY, options.issuerKey);
    const index: IndexedObject[] = [];
    for (const [n, key] of keys.entries()) {
      const object = await source.s3.send(new GetObjectCommand({ Bucket: source.bucket, Key: key }));
      const size = object.ContentLength;
      if (object.Body === undefined || size === undefined) throw new Error(`the object ${key} has no length`);
      const hash = createHash('sha256');
      const entry = objectEntry(n);
      await new Promise<void>((resolve, reject) => {
        const sink = archive.entry({ name: entry, size, mode: 0o600 }, (error) => (error ? reject(error) : resolve()));
        pipeline(
          object.Body as Readable,
          new Transform({
            transform(chunk: Buffer, _, done) {
              hash.update(chunk);
              done(null, chunk);
            },
          }),
          sink,
        ).catch(reject);
      });
      index.push({
        key,
        entry,
        size,
        sha256: hash.digest('hex'),
        contentType: object.ContentType,
        metadata: object.Metadata,
      });
      options.progress?.(n + 1, keys.length);
    }
    await add(INDEX, index.map((line) => `${JSON.stringify(line)}\n`).join(''));
    archive.finalize();
    await written;
    await rename(partial, out);
    return manifest;
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  } finally {
    dynamo.destroy();
  }
}

/** Whether a data dir may be restored into: absent or empty. */
export async function assertEmptyDataDir(dataDir: string): Promise<void> {
  let entries: string[];
  try {
    entries = await readdir(dataDir);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  if (entries.length > 0) {
    throw new RestoreRefusedError(`${dataDir} is not empty: restore only into a new or empty data dir`);
  }
}

async function readAll(stream: AsyncIterable<unknown>, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > limit) throw new BrokenArchiveError('an archive entry is larger than it may be');
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/** What a restore puts its data into: the new data dir's own embedded stores. */
export interface RestoreTarget {
  readonly s3: S3Client;
  readonly bucket: string;
  readonly table: string;
  readonly region: string;
  readonly dynamoEndpoint: string;
  readonly credentials: { readonly accessKeyId: string; readonly secretAccessKey: string };
  readonly dataDir: string;
}

/** The largest metadata entry (manifest, items, index) a restore reads into memory. */
const MAX_METADATA_BYTES = 512 * 1024 * 1024;

/**
 * Restores an archive of `writeBackup` into a new data dir's stores: every object, checked against the
 * index's size and SHA-256 (the restore fails on any difference, a missing or an extra object), every
 * table item, and the dev issuer's key when the archive holds it.
 */
export async function restoreBackup(
  file: string,
  target: RestoreTarget,
  options: { readonly progress?: Progress } = {},
): Promise<BackupManifest> {
  const dynamo = dynamoOf(target);
  const seen = new Map<string, { sha256: string; size: number }>();
  let manifest: BackupManifest | undefined;
  let items: string | undefined;
  let index: IndexedObject[] | undefined;
  const staged = new Map<string, string>();
  const stagingDir = join(target.dataDir, 'restore-staging');
  await mkdir(stagingDir, { recursive: true, mode: 0o700 });
  try {
    const entries = extract();
    const reading = pipeline(createReadStream(file), entries);
    reading.catch(() => undefined);
    let done = 0;
    for await (const entry of entries) {
      const name = entry.header.name;
      if (name === MANIFEST) {
        manifest = JSON.parse((await readAll(entry, MAX_METADATA_BYTES)).toString('utf8')) as BackupManifest;
        if (manifest.format !== 'identities-backup' || manifest.version !== 1) {
          throw new BrokenArchiveError('this is not an archive of identities backup');
        }
      } else if (name === ITEMS) {
        items = (await readAll(entry, MAX_METADATA_BYTES)).toString('utf8');
      } else if (name === ISSUER_KEY) {
        staged.set(ISSUER_KEY, (await readAll(entry, 64 * 1024)).toString('utf8'));
      } else if (name === INDEX) {
        index = (await readAll(entry, MAX_METADATA_BYTES))
          .toString('utf8')
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => JSON.parse(line) as IndexedObject);
      } else if (/^objects\/\d{8}$/.test(name) && manifest !== undefined) {
        // Objects come before the index: each is kept on disk, hashed, and stored once the index vouches for it.
        const path = join(stagingDir, name.slice('objects/'.length));
        const hash = createHash('sha256');
        let size = 0;
        await pipeline(
          entry,
          new Transform({
            transform(chunk: Buffer, _, next) {
              hash.update(chunk);
              size += chunk.length;
              next(null, chunk);
            },
          }),
          createWriteStream(path, { mode: 0o600 }),
        );
        seen.set(name, { sha256: hash.digest('hex'), size });
        options.progress?.(++done, manifest.objects);
      } else {
        throw new BrokenArchiveError(`the archive holds an entry it should not: ${name.slice(0, 100)}`);
      }
    }
    await reading;
    if (manifest === undefined || items === undefined || index === undefined) {
      throw new BrokenArchiveError('the archive is incomplete');
    }
    if (index.length !== manifest.objects || seen.size !== index.length) {
      throw new BrokenArchiveError(`the archive holds ${seen.size} objects, its index ${index.length}`);
    }
    for (const object of index) {
      const got = seen.get(object.entry);
      if (got === undefined || got.sha256 !== object.sha256 || got.size !== object.size) {
        throw new BrokenArchiveError(`the object ${object.key} does not match its hash`);
      }
    }
    // Eight at a time: the store, not the archive, is the slow side here.
    const vouched = index;
    let next = 0;
    const store = async () => {
      for (let at = next++; at < vouched.length; at = next++) {
        const object = vouched[at] as IndexedObject;
        const path = join(stagingDir, object.entry.slice('objects/'.length));
        await target.s3.send(
          new PutObjectCommand({
            Bucket: target.bucket,
            Key: object.key,
            Body: createReadStream(path),
            ContentLength: object.size,
            ...(object.contentType === undefined ? {} : { ContentType: object.contentType }),
            ...(object.metadata === undefined ? {} : { Metadata: object.metadata }),
          }),
        );
        await rm(path);
      }
    };
    await Promise.all(Array.from({ length: 8 }, store));
    const lines = items.split('\n').filter((line) => line !== '');
    if (lines.length !== manifest.items) throw new BrokenArchiveError('the archive is missing table items');
    for (const line of lines) {
      await dynamo.send(
        new PutItemCommand({ TableName: target.table, Item: JSON.parse(line) as Record<string, AttributeValue> }),
      );
    }
    const issuerKey = staged.get(ISSUER_KEY);
    if (issuerKey !== undefined) {
      await writeFile(join(target.dataDir, ISSUER_KEY), issuerKey, { mode: 0o600, flag: 'wx' });
    }
    return manifest;
  } finally {
    dynamo.destroy();
    await rm(stagingDir, { recursive: true, force: true });
  }
}

/** The dev issuer's key file of a data dir, when asked to back it up. */
export const readIssuerKey = (dataDir: string) => readFile(join(dataDir, ISSUER_KEY));
