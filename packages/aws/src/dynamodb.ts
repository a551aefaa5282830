import { ConditionalCheckFailedException, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  ConflictError,
  type DocumentRecord,
  type DocumentStore,
  type RoleStore,
  type UploadSession,
  type UploadSessionStore,
} from '@identities/core';
import { type Env, optionalEnv, regionOf, requireEnv } from './env.ts';
import type { AccessKey } from './s3.ts';
import { STORAGE_CLIENT_LIMITS, type StorageClientLimits, translateStorageError } from './storage-errors.ts';
import { documentKey, ROLE_PARTITION, roleKey } from './table.ts';

export interface DynamoSettings {
  readonly table: string;
  readonly region: string;
  /** A DynamoDB-compatible endpoint (the embedded stand-in, an on-prem store); AWS when absent. */
  readonly endpoint: string | undefined;
}

export function dynamoSettings(env: Env): DynamoSettings {
  return {
    table: requireEnv(env, 'TABLE_NAME'),
    region: regionOf(env),
    endpoint: optionalEnv(env, 'DYNAMODB_ENDPOINT'),
  };
}

/** One client per container, with bounded retries. */
export function makeDynamoClient(
  settings: Pick<DynamoSettings, 'region' | 'endpoint'> & { readonly credentials?: AccessKey },
  limits: StorageClientLimits = STORAGE_CLIENT_LIMITS,
): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    region: settings.region,
    // Given for stores of our own (the embedded ones); otherwise the SDK's default chain.
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    maxAttempts: limits.maxAttempts,
    requestHandler: {
      connectionTimeout: limits.connectionTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Without this the SDK only warns when a request goes quiet, and the function waits on.
      throwOnRequestTimeout: true,
    },
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
  });
  return DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
}

export function makeDocumentStore(client: DynamoDBDocumentClient, table: string): DocumentStore {
  return {
    async get(personId, documentId) {
      try {
        const { Item } = await client.send(
          new GetCommand({ TableName: table, Key: documentKey(personId, documentId), ConsistentRead: true }),
        );
        // A document reserved by an upload session does not exist until the session completes.
        return Item === undefined || Item.status === PENDING ? undefined : toDocumentRecord(Item);
      } catch (error) {
        throw translateStorageError(error, 'Document metadata');
      }
    },
    async create(record) {
      try {
        await client.send(
          new PutCommand({
            TableName: table,
            Item: { ...documentKey(record.personId, record.documentId), type: 'document', ...record },
            // A document id is unique per person: of two uploads with one id, exactly one wins.
            ...idIsFree(),
          }),
        );
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new ConflictError(`This person already has a document with id "${record.documentId}".`, {
            cause: error,
          });
        }
        throw translateStorageError(error, 'Document metadata');
      }
    },
  };
}

const PENDING = 'pending';

/** The id is free when no item holds it, or only an upload session whose time ran out. */
function idIsFree() {
  return {
    ConditionExpression: 'attribute_not_exists(pk) OR (#status = :pending AND expiresAt < :now)',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':pending': PENDING, ':now': Math.floor(Date.now() / 1000) },
  };
}

/**
 * Upload sessions live in the document's own item, `status = pending`, so reserving the id and
 * completing the document are single conditional writes. `expiresAt` (epoch seconds) is the table's
 * TTL attribute: DynamoDB removes sessions that were never completed.
 */
export function makeUploadSessionStore(client: DynamoDBDocumentClient, table: string): UploadSessionStore {
  const conflict = (error: unknown, message: string) =>
    error instanceof ConditionalCheckFailedException
      ? new ConflictError(message, { cause: error })
      : translateStorageError(error, 'Document metadata');
  return {
    async reserve(session) {
      try {
        await client.send(
          new PutCommand({
            TableName: table,
            Item: sessionItem(session),
            ...idIsFree(),
          }),
        );
      } catch (error) {
        throw conflict(error, `This person already has a document with id "${session.documentId}".`);
      }
    },
    async find(personId, documentId) {
      try {
        const { Item } = await client.send(
          new GetCommand({ TableName: table, Key: documentKey(personId, documentId), ConsistentRead: true }),
        );
        if (Item === undefined) return undefined;
        return Item.status === PENDING ? toSession(Item) : 'completed';
      } catch (error) {
        throw translateStorageError(error, 'Document metadata');
      }
    },
    async complete(session, record) {
      try {
        await client.send(
          new PutCommand({
            TableName: table,
            Item: { ...documentKey(record.personId, record.documentId), type: 'document', ...record },
            ConditionExpression: '#status = :pending AND uploadId = :uploadId',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pending': PENDING, ':uploadId': session.uploadId },
          }),
        );
      } catch (error) {
        throw conflict(error, 'This upload session has already been completed.');
      }
    },
    async expired(now) {
      const sessions: UploadSession[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: table,
            FilterExpression: '#status = :pending AND expiresAt < :now',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pending': PENDING, ':now': Math.floor(now.getTime() / 1000) },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) sessions.push(toSession(item));
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return sessions;
    },
    async remove(session) {
      try {
        await client.send(
          new DeleteCommand({
            TableName: table,
            Key: documentKey(session.personId, session.documentId),
            ConditionExpression: '#status = :pending AND uploadId = :uploadId',
            ExpressionAttributeNames: { '#status': 'status' },
            ExpressionAttributeValues: { ':pending': PENDING, ':uploadId': session.uploadId },
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException))
          throw translateStorageError(error, 'Document metadata');
      }
    },
  };
}

function sessionItem(session: UploadSession): Record<string, unknown> {
  return {
    ...documentKey(session.personId, session.documentId),
    type: 'document',
    status: PENDING,
    personId: session.personId,
    documentId: session.documentId,
    uploadId: session.uploadId,
    name: session.name,
    description: session.description,
    fileName: session.fileName,
    contentType: session.contentType,
    size: session.size,
    stagingKey: session.stagingKey,
    createdAt: session.createdAt,
    createdBy: session.createdBy,
    expiresAt: Math.floor(session.expiresAt.getTime() / 1000),
  };
}

function toSession(item: Record<string, unknown>): UploadSession {
  const text = (name: string): string => {
    const value = item[name];
    if (typeof value !== 'string') throw new Error(`upload session item has no ${name}`);
    return value;
  };
  const number = (name: string): number => {
    const value = item[name];
    if (typeof value !== 'number') throw new Error(`upload session item has no ${name}`);
    return value;
  };
  return {
    personId: text('personId'),
    documentId: text('documentId'),
    uploadId: text('uploadId'),
    name: text('name'),
    description: typeof item.description === 'string' ? item.description : undefined,
    fileName: text('fileName'),
    contentType: text('contentType'),
    size: number('size'),
    stagingKey: text('stagingKey'),
    createdAt: text('createdAt'),
    createdBy: text('createdBy'),
    expiresAt: new Date(number('expiresAt') * 1000),
  };
}

function toDocumentRecord(item: Record<string, unknown>): DocumentRecord {
  const text = (name: string): string => {
    const value = item[name];
    if (typeof value !== 'string') throw new Error(`document item has no ${name}`);
    return value;
  };
  const size = item.size;
  if (typeof size !== 'number') throw new Error('document item has no size');
  return {
    personId: text('personId'),
    documentId: text('documentId'),
    name: text('name'),
    description: typeof item.description === 'string' ? item.description : undefined,
    fileName: text('fileName'),
    contentType: text('contentType'),
    size,
    sha256: text('sha256'),
    objectKey: text('objectKey'),
    createdAt: text('createdAt'),
    createdBy: text('createdBy'),
  };
}

export interface Role {
  readonly name: string;
  readonly permissions: readonly string[];
}

/** Roles: read by the API, written and listed by the operator CLI. */
export function makeRoleStore(client: DynamoDBDocumentClient, table: string) {
  return {
    async permissionsOf(role: string) {
      try {
        const { Item } = await client.send(new GetCommand({ TableName: table, Key: roleKey(role) }));
        return Item === undefined ? undefined : permissionList(Item.permissions);
      } catch (error) {
        throw translateStorageError(error, 'Role storage');
      }
    },
    async put(role: Role): Promise<void> {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: { ...roleKey(role.name), type: 'role', permissions: [...role.permissions] },
        }),
      );
    },
    async list(): Promise<Role[]> {
      const roles: Role[] = [];
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(
          new QueryCommand({
            TableName: table,
            KeyConditionExpression: 'pk = :pk',
            ExpressionAttributeValues: { ':pk': ROLE_PARTITION },
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) {
          roles.push({ name: String(item.sk), permissions: permissionList(item.permissions) });
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return roles;
    },
  } satisfies RoleStore & Record<string, unknown>;
}

function permissionList(value: unknown): string[] {
  const items = value instanceof Set ? [...value] : Array.isArray(value) ? value : [];
  return items.filter((item): item is string => typeof item === 'string');
}

export type { DynamoDBDocumentClient };
