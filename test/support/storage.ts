import { randomUUID } from 'node:crypto';
import { GetObjectCommand, ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  dynamoSettings,
  makeAuditStore,
  makeDocumentStore,
  makeDynamoClient,
  makeObjectStore,
  makeRoleStore,
  makeS3Client,
  makeUploadSessionStore,
  makeUploadTargets,
  s3Settings,
} from '@identities/aws';
import { type AuditTrail, makeAuditRecorder, makeLogger, type ObjectStore } from '@identities/core';
import { inject } from 'vitest';

/**
 * Direct access to the stand-ins the handlers use, to arrange data and to check what was stored, with
 * the run's install key: it stages bytes under uploads/ as a client's form would and reads back
 * people/ and the table, which no one principal's policy (the operator's included) covers.
 */
const s3 = s3Settings(process.env);
export const s3Client = makeS3Client(s3);
export const bucket = s3.bucket;
const dynamo = dynamoSettings(process.env);
export const dynamoClient = makeDynamoClient(dynamo);

export const objectStore = makeObjectStore(s3Client, bucket);
export const documentStore = makeDocumentStore(dynamoClient, dynamo.table);
export const roleStore = makeRoleStore(dynamoClient, dynamo.table);
export const sessionStore = makeUploadSessionStore(dynamoClient, dynamo.table);
/** The access trail as the run's key reads it, and a recorder writing to it with the default retention. */
export const auditTrail = makeAuditStore(dynamoClient, dynamo.table);
export const auditRecorder = recorderOf(auditTrail);

function recorderOf(trail: AuditTrail) {
  return makeAuditRecorder({ trail, retentionDays: 400, logger: makeLogger('silent') });
}

/**
 * The stores as one principal reaches them (a route's function, the job, `Operator`): signing with its
 * own key, so every call is held to that principal's policy, as `functionOf` does for whole handlers.
 */
export function storesAs(principal: string) {
  const credentials = inject('principalKeys')[principal];
  if (credentials === undefined) throw new Error(`no key for ${principal}`);
  const s3 = makeS3Client({ ...s3Settings(process.env), credentials });
  const table = makeDynamoClient({ ...dynamo, credentials });
  return {
    objects: makeObjectStore(s3, bucket),
    documents: makeDocumentStore(table, dynamo.table),
    sessions: makeUploadSessionStore(table, dynamo.table),
    roles: makeRoleStore(table, dynamo.table),
    targets: makeUploadTargets(s3, bucket),
    audit: recorderOf(makeAuditStore(table, dynamo.table)),
    trail: makeAuditStore(table, dynamo.table),
  };
}

/** The real S3 adapter (the run's own, or a function's), recording every key it is asked for. */
export function recordingObjectStore(
  base: ObjectStore = objectStore,
  keys: string[] = [],
): { store: ObjectStore; keys: string[] } {
  const record = (key: string) => {
    keys.push(key);
    return key;
  };
  return {
    keys,
    store: {
      get: (key, range) => base.get(record(key), range),
      head: (key) => base.head(record(key)),
      copy: (from, to, options) => base.copy(record(from), record(to), options),
      listOlderThan: (prefix, before) => base.listOlderThan(record(prefix), before),
      put: (key, body, options) => base.put(record(key), body, options),
      delete: (key) => base.delete(record(key)),
    },
  };
}

export async function putObject(key: string, body: Buffer, contentType = 'image/jpeg'): Promise<void> {
  await s3Client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: contentType }));
}

export async function objectBytes(key: string): Promise<Buffer> {
  const result = await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return Buffer.from(await (result.Body?.transformToByteArray() ?? new Uint8Array()));
}

export async function listKeys(prefix: string): Promise<string[]> {
  const result = await s3Client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
  return (result.Contents ?? []).map((object) => object.Key ?? '');
}

export const newPersonId = () => randomUUID();

/** A small but real JPEG (SOI, APP0/JFIF, ..., EOI) with some bytes that differ per call. */
export function jpegBytes(size = 2048): Buffer {
  const bytes = Buffer.alloc(size);
  bytes.set([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00]);
  for (let i = 11; i < size - 2; i++) bytes[i] = (i * 31 + size) & 0xff;
  bytes.set([0xff, 0xd9], size - 2);
  return bytes;
}

/** Every byte value, several times over: what a binary PDF puts through the base64 and multipart layers. */
export function everyByte(repeats = 4): Buffer {
  const prefix = Buffer.from('%PDF-1.7\n%\xe2\xe3\xcf\xd3\n', 'latin1');
  const all = Buffer.alloc(256 * repeats);
  for (let i = 0; i < all.length; i++) all[i] = i % 256;
  return Buffer.concat([prefix, all, Buffer.from('\n%%EOF\n')]);
}
