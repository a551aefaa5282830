import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';
import { DOCUMENTS_BY_TIME_INDEX } from '@identities/core/infra';

/**
 * The one metadata table. Documents: `pk = PERSON#{personId}`, `sk = DOC#{documentId}`. Roles:
 * `pk = ROLE`, `sk = {role name}`, so roles list with one query and IAM can scope reads to them.
 */
export const TABLE_KEYS = { partition: 'pk', sort: 'sk' } as const;

/**
 * The sort key of the documents-by-time index: only items that have it are in the index (documents and
 * pending sessions; not roles' or others' items without it). An index added to a table that has
 * documents already is filled from them by DynamoDB: nothing to migrate.
 */
export const CREATED_AT_ATTRIBUTE = 'createdAt';

/** The TTL attribute (epoch seconds): upload sessions that were never completed expire by it. */
export const TTL_ATTRIBUTE = 'expiresAt';

export const documentKey = (personId: string, documentId: string) => ({
  pk: `PERSON#${personId}`,
  sk: `DOC#${documentId}`,
});

export const ROLE_PARTITION = 'ROLE';
export const roleKey = (name: string) => ({ pk: ROLE_PARTITION, sk: name });

/** The table definition, for stand-ins and tests; the infrastructure declares the same keys. */
export function tableDefinition(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: TABLE_KEYS.partition, AttributeType: 'S' },
      { AttributeName: TABLE_KEYS.sort, AttributeType: 'S' },
      { AttributeName: CREATED_AT_ATTRIBUTE, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: TABLE_KEYS.partition, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sort, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: DOCUMENTS_BY_TIME_INDEX,
        KeySchema: [
          { AttributeName: TABLE_KEYS.partition, KeyType: 'HASH' },
          { AttributeName: CREATED_AT_ATTRIBUTE, KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  };
}
