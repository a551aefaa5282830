import type { DocumentRecord } from '@identities/core';
import { TABLE_KEYS, TTL_ATTRIBUTE } from './table.ts';

/** The status of an item that reserves a document id for an upload session. */
export const PENDING = 'pending';

/** The id is free when no item holds it, or only an upload session whose time ran out. */
export function idIsFree(now: Date) {
  return {
    ConditionExpression: 'attribute_not_exists(#pk) OR (#status = :pending AND #expiresAt < :now)',
    ExpressionAttributeNames: { '#pk': TABLE_KEYS.partition, '#status': 'status', '#expiresAt': TTL_ATTRIBUTE },
    ExpressionAttributeValues: { ':pending': PENDING, ':now': Math.floor(now.getTime() / 1000) },
  };
}

export function toDocumentRecord(item: Record<string, unknown>): DocumentRecord {
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
    ...(typeof item.updatedAt === 'string' ? { updatedAt: item.updatedAt } : {}),
    ...(typeof item.updatedBy === 'string' ? { updatedBy: item.updatedBy } : {}),
    ...(typeof item.revision === 'number' ? { revision: item.revision } : {}),
  };
}
