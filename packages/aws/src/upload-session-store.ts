import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, type UploadSession, type UploadSessionStore } from '@identities/core';
import { documentKey, TTL_ATTRIBUTE } from './table.ts';
import { idIsFree, PENDING } from './table-items.ts';

/**
 * Upload sessions live in the document's own item, `status = pending`, so reserving the id and
 * completing the document are single conditional writes. `expiresAt` (epoch seconds) is the table's
 * TTL attribute: DynamoDB removes sessions that were never completed.
 */
export function makeUploadSessionStore(
  client: DynamoDBDocumentClient,
  table: string,
  clock: () => Date = () => new Date(),
): UploadSessionStore {
  const conflict = (error: unknown, message: string) =>
    error instanceof ConditionalCheckFailedException ? new ConflictError(message, { cause: error }) : error;
  return {
    async reserve(session) {
      try {
        await client.send(
          new PutCommand({
            TableName: table,
            Item: sessionItem(session),
            ...idIsFree(clock()),
          }),
        );
      } catch (error) {
        throw conflict(error, `This person already has a document with id "${session.documentId}".`);
      }
    },
    async find(personId, documentId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: table, Key: documentKey(personId, documentId), ConsistentRead: true }),
      );
      if (Item === undefined) return undefined;
      return Item.status === PENDING ? toSession(Item) : 'completed';
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
            FilterExpression: '#status = :pending AND #expiresAt < :now',
            ExpressionAttributeNames: { '#status': 'status', '#expiresAt': TTL_ATTRIBUTE },
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
        // Gone already, or completed meanwhile: nothing of a pending session is left to forget.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
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
    ...(session.sha256 === undefined ? {} : { declaredSha256: session.sha256 }),
    stagingKey: session.stagingKey,
    createdAt: session.createdAt,
    createdBy: session.createdBy,
    [TTL_ATTRIBUTE]: Math.floor(session.expiresAt.getTime() / 1000),
  };
}

export function toSession(item: Record<string, unknown>): UploadSession {
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
    ...(typeof item.declaredSha256 === 'string' ? { sha256: item.declaredSha256 } : {}),
    stagingKey: text('stagingKey'),
    createdAt: text('createdAt'),
    createdBy: text('createdBy'),
    expiresAt: new Date(number(TTL_ATTRIBUTE) * 1000),
  };
}
