import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ConflictError, type DocumentStore } from '@identities/core';
import { documentKey } from './table.ts';
import { idIsFree, PENDING, toDocumentRecord } from './table-items.ts';

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
