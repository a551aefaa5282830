import type { Readable } from 'node:stream';
import type { ByteRange } from './downloads.ts';

/** What storage knows of an object without reading it. */
export interface ObjectInfo {
  /** Bytes in the object. */
  readonly size: number;
  /** The store's strong entity tag, quoted as in HTTP. */
  readonly etag: string;
  readonly contentType: string | undefined;
}

/** An object read from storage, its body (the whole object, or the range asked for) not yet consumed. */
export interface StoredObject extends ObjectInfo {
  readonly body: Readable;
}

/** Where bytes live (S3 or a compatible store). Keys are built by `keys.ts`, never from raw input. */
export interface ObjectStore {
  /** The object (or the given byte range of it), or undefined when there is none under that key. */
  get(key: string, range?: ByteRange): Promise<StoredObject | undefined>;
  /** The object's size and tag, or undefined when there is none under that key. */
  head(key: string): Promise<ObjectInfo | undefined>;
  put(key: string, body: Uint8Array, options: { contentType: string; sha256: Uint8Array }): Promise<void>;
  delete(key: string): Promise<void>;
}

/** A person's file document as recorded in the metadata table. */
export interface DocumentRecord {
  readonly personId: string;
  readonly documentId: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  /** Hex SHA-256 of the stored bytes. */
  readonly sha256: string;
  /** The object holding the bytes: unique per upload, so concurrent uploads never share one. */
  readonly objectKey: string;
  readonly createdAt: string;
  readonly createdBy: string;
}

/** Document metadata (DynamoDB or a compatible store). */
export interface DocumentStore {
  get(personId: string, documentId: string): Promise<DocumentRecord | undefined>;
  /** Records a new document; throws `ConflictError` when the person already has one with that id. */
  create(record: DocumentRecord): Promise<void>;
}

/** Roles as configured in the web app: each names the permissions it grants. */
export interface RoleStore {
  /** The role's permissions, or undefined when no such role exists. */
  permissionsOf(role: string): Promise<readonly string[] | undefined>;
}
