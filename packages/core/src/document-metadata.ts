import { createHash } from 'node:crypto';
import type { DocumentRecord } from './ports.ts';

/**
 * A document's metadata as the API shows it, the same in a list, alone and after a change: camelCase,
 * every field always present (`null` when it has no value), never the object key (a storage detail).
 */
export interface DocumentMetadata {
  readonly id: string;
  readonly personId: string;
  readonly name: string;
  readonly description: string | null;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  /** Hex SHA-256 of the bytes: also the download's ETag. */
  readonly sha256: string;
  readonly createdAt: string;
  readonly createdBy: string;
  /** When the name or description last changed; `createdAt` until they do. */
  readonly updatedAt: string;
  readonly updatedBy: string;
}

export function documentMetadata(record: DocumentRecord): DocumentMetadata {
  return {
    id: record.documentId,
    personId: record.personId,
    name: record.name,
    description: record.description ?? null,
    fileName: record.fileName,
    contentType: record.contentType,
    size: record.size,
    sha256: record.sha256,
    createdAt: record.createdAt,
    createdBy: record.createdBy,
    updatedAt: record.updatedAt ?? record.createdAt,
    updatedBy: record.updatedBy ?? record.createdBy,
  };
}

/**
 * The metadata's strong ETag: a hash of what the API shows and of the revision, so any change of the
 * metadata changes it. Distinct from the data's ETag (the bytes' SHA-256): another representation.
 */
export function metadataEtag(record: DocumentRecord): string {
  const hash = createHash('sha256')
    .update(JSON.stringify([record.revision ?? 0, documentMetadata(record)]))
    .digest('base64url')
    .slice(0, 27);
  return `"m-${hash}"`;
}
