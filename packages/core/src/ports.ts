import type { Readable } from 'node:stream';

/** An object read from storage, its body not yet consumed. */
export interface StoredObject {
  readonly body: Readable;
  readonly size: number;
  readonly contentType: string | undefined;
}

/** Where bytes live (S3 or a compatible store). Keys are built by `keys.ts`, never from raw input. */
export interface ObjectStore {
  /** The object, or undefined when there is none under that key. */
  get(key: string): Promise<StoredObject | undefined>;
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
