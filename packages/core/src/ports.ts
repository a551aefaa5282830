import type { Readable } from 'node:stream';

/** An inclusive byte range, already checked against the object's size. */
export interface ByteRange {
  readonly start: number;
  readonly end: number;
}

/** What storage knows of an object without reading it. */
export interface ObjectInfo {
  /** Bytes in the object. */
  readonly size: number;
  /** The store's strong entity tag, quoted as in HTTP. */
  readonly etag: string;
  readonly contentType: string | undefined;
  /**
   * Hex SHA-256 of the whole object, when the store computed and verified one (S3 does for an object
   * written with a SHA-256 checksum); undefined when it reports none.
   */
  readonly sha256?: string | undefined;
  /** The version storage holds this object as, when it keeps versions (a versioned bucket). */
  readonly versionId?: string | undefined;
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
  /**
   * Copies an object within the store, without the bytes passing through here. A store that can asks
   * itself for the copy's SHA-256 as it copies, and `head` then reports it.
   */
  copy(fromKey: string, toKey: string, options: { contentType: string }): Promise<void>;
  delete(key: string): Promise<void>;
  /** Keys under a prefix last written before the given time (for sweeping leftovers). */
  listOlderThan(prefix: string, before: Date): Promise<string[]>;
}

/** A presigned form upload: the client POSTs `fields` plus its file straight to `url`. */
export interface PresignedPost {
  readonly url: string;
  readonly fields: Readonly<Record<string, string>>;
}

/** Issues direct-to-storage upload forms that accept exactly one key, size and content type. */
export interface UploadTargets {
  presignPost(
    key: string,
    options: {
      size: number;
      contentType: string;
      expiresInSeconds: number;
      /** Hex SHA-256 the bytes must have: the form then makes storage verify it. */
      sha256?: string | undefined;
    },
  ): Promise<PresignedPost>;
}

/** The response headers a download link makes storage send with the object, as the API would send them. */
export interface LinkResponseHeaders {
  readonly contentType: string;
  readonly cacheControl: string;
  readonly contentDisposition?: string | undefined;
}

/** A presigned GET straight to storage, for one object (one version of it), until `expiresAt`. */
export interface DownloadLink {
  readonly url: string;
  readonly expiresAt: Date;
}

/**
 * Issues presigned GETs for exactly one object: the signature covers its key, its version and the
 * response headers, so a link cannot be edited into another. The link carries the signer's own right to
 * read the object, and lives no longer than `expiresInSeconds` nor than the signer's credentials.
 */
export interface DownloadLinks {
  presignGet(
    key: string,
    options: {
      readonly expiresInSeconds: number;
      readonly versionId?: string | undefined;
      readonly headers: LinkResponseHeaders;
    },
  ): Promise<DownloadLink>;
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
  /** When and by whom the name or description last changed; absent until they do. */
  readonly updatedAt?: string | undefined;
  readonly updatedBy?: string | undefined;
  /** Counts the metadata's changes (absent: none yet): updates are conditional on it. */
  readonly revision?: number | undefined;
}

/** Document metadata (DynamoDB or a compatible store). */
export interface DocumentStore {
  get(personId: string, documentId: string): Promise<DocumentRecord | undefined>;
  /** Records a new document; throws `ConflictError` when the person already has one with that id. */
  create(record: DocumentRecord): Promise<void>;
}

/** A change of a document's description, as a PATCH asks for it. */
export interface DocumentChange {
  readonly name: string;
  readonly description: string | undefined;
  readonly updatedAt: string;
  readonly updatedBy: string;
}

/** An item of a person's partition that an erasure removes: a document, or a pending upload session. */
export type PersonItem =
  | { readonly kind: 'document'; readonly record: DocumentRecord }
  | { readonly kind: 'session'; readonly session: UploadSession };

/** A person's documents, managed: listed, described again, removed. */
export interface DocumentCatalog {
  /**
   * A page of the person's documents, newest first. `after` is the `next` of the previous page (checked
   * again here: a position that is not one this list makes is a 400).
   */
  list(
    personId: string,
    page: { readonly limit: number; readonly after: string | undefined },
  ): Promise<{ items: DocumentRecord[]; next: string | undefined }>;
  /**
   * Applies the change unless the document changed (or went) since `record` was read: then undefined,
   * and nothing is written.
   */
  update(record: DocumentRecord, change: DocumentChange): Promise<DocumentRecord | undefined>;
  /** Removes the document's item, unless another upload's document holds the id by now. */
  remove(record: DocumentRecord): Promise<void>;
  /** Up to `limit` of the person's documents and pending sessions (never anything else of theirs). */
  itemsOf(personId: string, limit: number): Promise<PersonItem[]>;
}

/** One stored version of an object, or a delete marker: a versioned bucket keeps both. */
export interface ObjectVersion {
  readonly key: string;
  /** `null` (the string) for what an unversioned bucket holds. */
  readonly versionId: string;
  readonly lastModified: Date | undefined;
  readonly deleteMarker: boolean;
}

/** Removes bytes for good: every version of an object, delete markers included. */
export interface ObjectEraser {
  /** Every version and delete marker of the objects whose keys start with `prefix`. */
  versionsUnder(prefix: string): Promise<ObjectVersion[]>;
  deleteVersion(key: string, versionId: string): Promise<void>;
}

/** A document reserved by an upload session and waiting for its bytes. */
export interface UploadSession {
  readonly personId: string;
  readonly documentId: string;
  readonly uploadId: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly fileName: string;
  readonly contentType: string;
  /** The size the client declared: the staged object must have exactly this many bytes. */
  readonly size: number;
  /** The hex SHA-256 the client declared, when it did: the stored bytes must have exactly this hash. */
  readonly sha256?: string | undefined;
  /** Where the client uploads the bytes: `uploads/{uploadId}`. */
  readonly stagingKey: string;
  readonly createdAt: string;
  readonly createdBy: string;
  readonly expiresAt: Date;
}

/** Upload sessions, kept with the documents they reserve (DynamoDB or a compatible store). */
export interface UploadSessionStore {
  /** Reserves the document id; throws `ConflictError` when the person has a document (or live session) with it. */
  reserve(session: UploadSession): Promise<void>;
  /** The pending session, `completed` when the document exists already, or undefined. */
  find(personId: string, documentId: string): Promise<UploadSession | 'completed' | undefined>;
  /** Turns the session into the document; throws `ConflictError` unless the session is still pending. */
  complete(session: UploadSession, record: DocumentRecord): Promise<void>;
  /** Sessions whose time ran out before they were completed. */
  expired(now: Date): Promise<UploadSession[]>;
  /** Forgets a pending session (never a completed document). */
  remove(session: UploadSession): Promise<void>;
}

/** Roles as configured in the web app: each names the permissions it grants. */
export interface RoleStore {
  /** The role's permissions, or undefined when no such role exists. */
  permissionsOf(role: string): Promise<readonly string[] | undefined>;
}

/**
 * What the access trail calls an event: camelCase, `<what>.<verb>`. `document.*` and `person.*` events
 * are kept with the person's data, `photo.*` events under the face.
 */
export type AuditAction =
  | 'document.download'
  | 'document.upload'
  | 'document.uploadSessionComplete'
  | 'document.update'
  | 'document.delete'
  | 'document.link'
  | 'person.erase'
  | 'photo.download'
  | 'photo.delete';

/** One recorded access or change: who did what, to whose data, from where, and what they got. */
export interface AuditEvent {
  /** When it was recorded (ISO 8601, milliseconds, UTC). */
  readonly time: string;
  readonly action: AuditAction;
  /** The caller's subject, as the token names it. */
  readonly subject: string;
  readonly personId?: string | undefined;
  readonly documentId?: string | undefined;
  readonly faceId?: string | undefined;
  readonly detectionId?: string | undefined;
  /** GET, HEAD, POST, PATCH or DELETE: a HEAD is marked by its method. */
  readonly method: string;
  readonly requestId: string;
  readonly sourceIp: string;
  /** The client's User-Agent, cut to `MAX_AUDIT_USER_AGENT_CHARS`; absent when it sent none. */
  readonly userAgent?: string | undefined;
  /** The Range the client asked for, as sent (cut to `MAX_AUDIT_RANGE_CHARS`), whether or not it was honoured. */
  readonly range?: string | undefined;
  /** The answer's status: 304 marks a revalidation, 206 a range served. */
  readonly status: number;
  /** Body bytes the answer carries (0 for HEAD, 304 and errors). */
  readonly bytesSent: number;
  /** The document's size, for an upload or a session's completion that stored one. */
  readonly bytesReceived?: number | undefined;
  /** For a download link issued: when it stops working (ISO 8601, UTC). */
  readonly linkExpiresAt?: string | undefined;
}

/** Where the trail is kept (DynamoDB or a compatible store): append-only, newest first. */
export interface AuditTrail {
  /** Adds one event, kept until `expiresAt`; never replaces another. */
  append(event: AuditEvent, expiresAt: Date): Promise<void>;
  /**
   * A page of a person's (`{ personId }`) or a face's (`{ faceId }`) events, newest first, starting after
   * the position `after` (a position this store returned as `next`).
   */
  list(
    of: { readonly personId: string } | { readonly faceId: string },
    page: { readonly limit: number; readonly after: string | undefined },
  ): Promise<{ readonly items: readonly AuditEvent[]; readonly next: string | undefined }>;
}
