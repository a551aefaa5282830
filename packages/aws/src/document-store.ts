import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  BadRequestError,
  ConflictError,
  DOCUMENTS_BY_TIME_INDEX,
  type DocumentCatalog,
  type DocumentRecord,
  type DocumentStore,
  type PersonItem,
} from '@identities/core';
import { CREATED_AT_ATTRIBUTE, documentKey, TABLE_KEYS } from './table.ts';
import { idIsFree, PENDING, toDocumentRecord } from './table-items.ts';
import { toSession } from './upload-session-store.ts';

export function makeDocumentStore(
  client: DynamoDBDocumentClient,
  table: string,
  clock: () => Date = () => new Date(),
): DocumentStore {
  return {
    async get(personId, documentId) {
      const { Item } = await client.send(
        new GetCommand({ TableName: table, Key: documentKey(personId, documentId), ConsistentRead: true }),
      );
      // A document reserved by an upload session does not exist until the session completes.
      return Item === undefined || Item.status === PENDING ? undefined : toDocumentRecord(Item);
    },
    async create(record) {
      try {
        await client.send(
          new PutCommand({
            TableName: table,
            Item: { ...documentKey(record.personId, record.documentId), type: 'document', ...record },
            // A document id is unique per person: of two uploads with one id, exactly one wins.
            ...idIsFree(clock()),
          }),
        );
      } catch (error) {
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        throw new ConflictError(`This person already has a document with id "${record.documentId}".`, {
          cause: error,
        });
      }
    },
  };
}

/** A list position: the last item's creation time and document id, as the index's start key needs them. */
const POSITION = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?Z)\|([A-Za-z0-9][A-Za-z0-9._~-]{0,127})$/;

const positionOf = (record: DocumentRecord) => `${record.createdAt}|${record.documentId}`;

/** The position of an index start key (`LastEvaluatedKey`). */
function startPosition(key: Record<string, unknown> | undefined): string | undefined {
  const createdAt = key?.[CREATED_AT_ATTRIBUTE];
  const sort = key?.[TABLE_KEYS.sort];
  if (typeof createdAt !== 'string' || typeof sort !== 'string' || !sort.startsWith('DOC#')) return undefined;
  return `${createdAt}|${sort.slice('DOC#'.length)}`;
}

/** The items a page reads from the index before it stops looking for the page's last few documents. */
const INDEX_READS_PER_PAGE = 10;

/**
 * Lists, changes and removes a person's documents. The list reads the documents-by-time index newest
 * first and skips what is not a document (a pending upload session); every write is conditional on the
 * item being the one that was read.
 */
export function makeDocumentCatalog(client: DynamoDBDocumentClient, table: string): DocumentCatalog {
  return {
    async list(personId, { limit, after }) {
      let start: Record<string, unknown> | undefined;
      if (after !== undefined) {
        // The cursor's checksum says this list issued it; the position is checked again, so a forged
        // one can only start a page inside this person's list.
        const match = POSITION.exec(after);
        if (match === null)
          throw new BadRequestError('The cursor is not one this list issued; start again without it.');
        const [, createdAt = '', documentId = ''] = match;
        start = { ...documentKey(personId, documentId), [CREATED_AT_ATTRIBUTE]: createdAt };
      }
      const found: DocumentRecord[] = [];
      let more = true;
      // One item beyond the page says whether another page follows, so a next cursor never leads nowhere.
      for (let reads = 0; found.length <= limit && more && reads < INDEX_READS_PER_PAGE; reads++) {
        const page = await client.send(
          new QueryCommand({
            TableName: table,
            IndexName: DOCUMENTS_BY_TIME_INDEX,
            KeyConditionExpression: '#pk = :pk',
            FilterExpression: '#type = :document AND attribute_not_exists(#status)',
            ExpressionAttributeNames: { '#pk': TABLE_KEYS.partition, '#type': 'type', '#status': 'status' },
            ExpressionAttributeValues: { ':pk': documentKey(personId, '').pk, ':document': 'document' },
            ScanIndexForward: false,
            Limit: limit + 1 - found.length,
            ExclusiveStartKey: start,
          }),
        );
        for (const item of page.Items ?? []) found.push(toDocumentRecord(item));
        start = page.LastEvaluatedKey;
        more = start !== undefined;
      }
      const items = found.slice(0, limit);
      const last = items.at(-1);
      if (found.length > limit && last !== undefined) return { items, next: positionOf(last) };
      // Read as far as this page may and not through the list: go on from where the index stopped.
      const stopped = more ? startPosition(start) : undefined;
      return { items, next: stopped };
    },
    async update(record, change) {
      const revision = record.revision ?? 0;
      try {
        const { Attributes } = await client.send(
          new UpdateCommand({
            TableName: table,
            Key: documentKey(record.personId, record.documentId),
            UpdateExpression: `SET #name = :name, updatedAt = :updatedAt, updatedBy = :updatedBy, revision = :next${
              change.description === undefined ? ' REMOVE description' : ', description = :description'
            }`,
            // The very document that was read: not one uploaded again under the id, nor a later revision.
            ConditionExpression: `objectKey = :objectKey AND attribute_not_exists(#status) AND ${
              record.revision === undefined ? 'attribute_not_exists(revision)' : 'revision = :revision'
            }`,
            ExpressionAttributeNames: { '#name': 'name', '#status': 'status' },
            ExpressionAttributeValues: {
              ':name': change.name,
              ':updatedAt': change.updatedAt,
              ':updatedBy': change.updatedBy,
              ':next': revision + 1,
              ':objectKey': record.objectKey,
              ...(change.description === undefined ? {} : { ':description': change.description }),
              ...(record.revision === undefined ? {} : { ':revision': record.revision }),
            },
            ReturnValues: 'ALL_NEW',
          }),
        );
        return Attributes === undefined ? undefined : toDocumentRecord(Attributes);
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) return undefined;
        throw error;
      }
    },
    async remove(record) {
      try {
        await client.send(
          new DeleteCommand({
            TableName: table,
            Key: documentKey(record.personId, record.documentId),
            ConditionExpression: 'objectKey = :objectKey',
            ExpressionAttributeValues: { ':objectKey': record.objectKey },
          }),
        );
      } catch (error) {
        // Gone already, or another upload's document holds the id by now: that one is not this removal's.
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
      }
    },
    async itemsOf(personId, limit) {
      const { Items } = await client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :documents)',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partition, '#sk': TABLE_KEYS.sort },
          ExpressionAttributeValues: {
            ':pk': documentKey(personId, '').pk,
            ':documents': documentKey(personId, '').sk,
          },
          ConsistentRead: true,
          Limit: limit,
        }),
      );
      return (Items ?? []).map(
        (item): PersonItem =>
          item.status === PENDING
            ? { kind: 'session', session: toSession(item) }
            : { kind: 'document', record: toDocumentRecord(item) },
      );
    },
  };
}
