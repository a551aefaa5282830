import { randomUUID } from 'node:crypto';
import { type DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type AuditEvent, type AuditTrail, BadRequestError } from '@identities/core';
import { TABLE_KEYS, TTL_ATTRIBUTE } from './table.ts';

/** The sort-key prefix of access events, beside a person's `DOC#` items or alone under a face. */
export const AUDIT_PREFIX = 'AUDIT#';
export const FACE_PARTITION_PREFIX = 'FACE#';

/** Where one event is kept: newest last in key order, so a query read backwards is newest first. */
export const auditKey = (partition: string, time: string, unique: string) => ({
  pk: partition,
  sk: `${AUDIT_PREFIX}${time}#${unique}`,
});

/** A document event (or any event naming a person) goes with the person's data; a photo event under the face. */
export function auditPartition(event: Pick<AuditEvent, 'personId' | 'faceId'>): string {
  if (event.personId !== undefined) return `PERSON#${event.personId}`;
  if (event.faceId !== undefined) return `${FACE_PARTITION_PREFIX}${event.faceId}`;
  throw new Error('an access event names a person or a face');
}

/** The sort keys this store writes: `AUDIT#<ISO time>#<uuid>`. A position from a cursor must be one. */
const POSITION = /^AUDIT#\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z#[0-9a-f-]{36}$/;

/** Every field an event may have, copied out of an item by name (nothing else of the item leaks out). */
const TEXT_FIELDS = [
  'time',
  'action',
  'subject',
  'personId',
  'documentId',
  'faceId',
  'detectionId',
  'method',
  'requestId',
  'sourceIp',
  'userAgent',
  'range',
  'linkExpiresAt',
] as const;
const NUMBER_FIELDS = ['status', 'bytesSent', 'bytesReceived'] as const;

/**
 * The access trail in the metadata table: `sk = AUDIT#{time}#{uuid}` under the person's (`PERSON#…`) or
 * the face's (`FACE#…`) partition, `expiresAt` the table's TTL. Appends are conditional, so no event
 * ever replaces another; nothing here updates or deletes one.
 */
export function makeAuditStore(client: DynamoDBDocumentClient, table: string, newId = randomUUID): AuditTrail {
  return {
    async append(event, expiresAt) {
      await client.send(
        new PutCommand({
          TableName: table,
          Item: {
            ...auditKey(auditPartition(event), event.time, newId()),
            type: 'audit',
            ...event,
            [TTL_ATTRIBUTE]: Math.floor(expiresAt.getTime() / 1000),
          },
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partition },
        }),
      );
    },
    async list(of, page) {
      const pk = 'personId' in of ? `PERSON#${of.personId}` : `${FACE_PARTITION_PREFIX}${of.faceId}`;
      if (page.after !== undefined && !POSITION.test(page.after)) {
        throw new BadRequestError('The cursor is not one this list issued; start again without it.');
      }
      // One more than asked: a page that ends the list says so, with no empty page after it.
      const { Items = [] } = await client.send(
        new QueryCommand({
          TableName: table,
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :audit)',
          ExpressionAttributeNames: { '#pk': TABLE_KEYS.partition, '#sk': TABLE_KEYS.sort },
          ExpressionAttributeValues: { ':pk': pk, ':audit': AUDIT_PREFIX },
          ScanIndexForward: false,
          Limit: page.limit + 1,
          ...(page.after === undefined ? {} : { ExclusiveStartKey: { pk, sk: page.after } }),
        }),
      );
      const items = Items.slice(0, page.limit);
      const last = items.at(-1);
      return {
        items: items.map(toAuditEvent),
        next: Items.length > page.limit && last !== undefined ? String(last.sk) : undefined,
      };
    },
  };
}

function toAuditEvent(item: Record<string, unknown>): AuditEvent {
  const event: Record<string, string | number> = {};
  for (const name of TEXT_FIELDS) if (typeof item[name] === 'string') event[name] = item[name];
  for (const name of NUMBER_FIELDS) if (typeof item[name] === 'number') event[name] = item[name];
  if (typeof event.time !== 'string' || typeof event.action !== 'string' || typeof event.status !== 'number') {
    throw new Error('access event item is incomplete');
  }
  return event as unknown as AuditEvent;
}
