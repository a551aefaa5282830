import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  ConflictError,
  type DocumentRecord,
  type DocumentStore,
  type ObjectStore,
  type RoleStore,
  type UploadSession,
  type UploadSessionStore,
  type UploadTargets,
} from '@identities/core';

/**
 * The ports held in memory, with the contracts the S3 and DynamoDB adapters keep (conditional writes,
 * ranges, listing by age), for testing use cases without the stand-ins. Each records what was asked of
 * it, so a test can say that an id never reached storage or that a revalidation read no bytes.
 */

interface StoredBytes {
  readonly bytes: Buffer;
  readonly contentType: string;
  readonly etag: string;
  readonly lastModified: Date;
}

export interface MemoryObjectStore extends ObjectStore {
  /** Every call, as `get KEY`, `get KEY START-END`, `head KEY`, `put KEY`, `copy FROM TO`, `delete KEY`. */
  readonly calls: string[];
  bytesOf(key: string): Buffer | undefined;
  keys(): string[];
}

export function memoryObjectStore(clock: () => Date = () => new Date()): MemoryObjectStore {
  const objects = new Map<string, StoredBytes>();
  const calls: string[] = [];
  const store = (key: string, bytes: Buffer, contentType: string) => {
    const etag = `"${createHash('md5').update(bytes).digest('hex')}"`;
    objects.set(key, { bytes, contentType, etag, lastModified: clock() });
  };
  return {
    calls,
    bytesOf: (key) => objects.get(key)?.bytes,
    keys: () => [...objects.keys()].sort(),
    async get(key, range) {
      calls.push(range === undefined ? `get ${key}` : `get ${key} ${range.start}-${range.end}`);
      const object = objects.get(key);
      if (object === undefined) return undefined;
      const bytes = range === undefined ? object.bytes : object.bytes.subarray(range.start, range.end + 1);
      return { size: bytes.length, etag: object.etag, contentType: object.contentType, body: Readable.from([bytes]) };
    },
    async head(key) {
      calls.push(`head ${key}`);
      const object = objects.get(key);
      return object === undefined
        ? undefined
        : { size: object.bytes.length, etag: object.etag, contentType: object.contentType };
    },
    async put(key, body, options) {
      calls.push(`put ${key}`);
      const bytes = Buffer.from(body);
      const sha256 = createHash('sha256').update(bytes).digest();
      if (!sha256.equals(Buffer.from(options.sha256))) throw new Error(`checksum mismatch for ${key}`);
      store(key, bytes, options.contentType);
    },
    async copy(fromKey, toKey, options) {
      calls.push(`copy ${fromKey} ${toKey}`);
      const object = objects.get(fromKey);
      if (object === undefined) throw new Error(`no object ${fromKey}`);
      store(toKey, object.bytes, options.contentType);
    },
    async delete(key) {
      calls.push(`delete ${key}`);
      objects.delete(key);
    },
    async listOlderThan(prefix, before) {
      return [...objects.entries()]
        .filter(([key, object]) => key.startsWith(prefix) && object.lastModified < before)
        .map(([key]) => key)
        .sort();
    },
  };
}

/** Puts bytes as a client would, outside any use case (a photo, or a staged session upload). */
export async function putBytes(objects: ObjectStore, key: string, bytes: Buffer, contentType = 'application/pdf') {
  await objects.put(key, bytes, { contentType, sha256: createHash('sha256').update(bytes).digest() });
}

type Item =
  | { readonly kind: 'document'; readonly record: DocumentRecord }
  | { readonly kind: 'session'; readonly session: UploadSession };

/**
 * Documents and the sessions that reserve them in one table, as in DynamoDB: one item per person and
 * document id, written only under the conditions the DynamoDB adapter states.
 */
export function memoryMetadata(clock: () => Date = () => new Date()): {
  documents: DocumentStore;
  sessions: UploadSessionStore;
  readonly calls: string[];
} {
  const items = new Map<string, Item>();
  const calls: string[] = [];
  const keyOf = (personId: string, documentId: string) => `${personId}/${documentId}`;
  /** Free for a new item: nothing there, or a session whose time ran out. */
  const free = (key: string) => {
    const item = items.get(key);
    return item === undefined || (item.kind === 'session' && item.session.expiresAt < clock());
  };
  const pending = (session: UploadSession) => {
    const item = items.get(keyOf(session.personId, session.documentId));
    return item?.kind === 'session' && item.session.uploadId === session.uploadId;
  };
  const documents: DocumentStore = {
    async get(personId, documentId) {
      calls.push(`get ${personId} ${documentId}`);
      const item = items.get(keyOf(personId, documentId));
      return item?.kind === 'document' ? item.record : undefined;
    },
    async create(record) {
      const key = keyOf(record.personId, record.documentId);
      if (!free(key)) throw new ConflictError(`This person already has a document with id "${record.documentId}".`);
      items.set(key, { kind: 'document', record });
    },
  };
  const sessions: UploadSessionStore = {
    async reserve(session) {
      const key = keyOf(session.personId, session.documentId);
      if (!free(key)) throw new ConflictError(`This person already has a document with id "${session.documentId}".`);
      items.set(key, { kind: 'session', session });
    },
    async find(personId, documentId) {
      calls.push(`find ${personId} ${documentId}`);
      const item = items.get(keyOf(personId, documentId));
      if (item === undefined) return undefined;
      return item.kind === 'session' ? item.session : 'completed';
    },
    async complete(session, record) {
      if (!pending(session)) throw new ConflictError('This upload session has already been completed.');
      items.set(keyOf(session.personId, session.documentId), { kind: 'document', record });
    },
    async expired(now) {
      return [...items.values()].flatMap((item) =>
        item.kind === 'session' && item.session.expiresAt <= now ? [item.session] : [],
      );
    },
    async remove(session) {
      if (pending(session)) items.delete(keyOf(session.personId, session.documentId));
    },
  };
  return { documents, sessions, calls };
}

/** Upload forms that name their key and limits in the clear, so a test can check what was asked. */
export function memoryUploadTargets(): UploadTargets & { readonly issued: string[] } {
  const issued: string[] = [];
  return {
    issued,
    async presignPost(key, options) {
      issued.push(key);
      return {
        url: 'memory://uploads',
        fields: { key, 'Content-Type': options.contentType, 'x-size': String(options.size) },
      };
    },
  };
}

export function memoryRoleStore(roles: Readonly<Record<string, readonly string[]>> = {}): RoleStore {
  return {
    async permissionsOf(role) {
      return Object.hasOwn(roles, role) ? roles[role] : undefined;
    },
  };
}
