import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  ConflictError,
  type DocumentCatalog,
  type DocumentRecord,
  type DocumentStore,
  type ObjectEraser,
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
  catalog: DocumentCatalog;
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
  const catalog: DocumentCatalog = {
    async list(personId, { limit, after }) {
      const all = [...items.values()]
        .flatMap((item) => (item.kind === 'document' && item.record.personId === personId ? [item.record] : []))
        .sort((a, b) => (a.createdAt === b.createdAt ? 0 : a.createdAt < b.createdAt ? 1 : -1));
      const start = after === undefined ? 0 : all.findIndex((record) => record.documentId === after) + 1;
      const items_ = all.slice(start, start + limit);
      const next = start + limit < all.length ? items_.at(-1)?.documentId : undefined;
      return { items: items_, next };
    },
    async update(record, change) {
      const key = keyOf(record.personId, record.documentId);
      const item = items.get(key);
      if (item?.kind !== 'document' || item.record.objectKey !== record.objectKey) return undefined;
      if ((item.record.revision ?? 0) !== (record.revision ?? 0)) return undefined;
      const updated = { ...item.record, ...change, revision: (record.revision ?? 0) + 1 };
      items.set(key, { kind: 'document', record: updated });
      return updated;
    },
    async remove(record) {
      calls.push(`remove ${record.personId} ${record.documentId}`);
      const key = keyOf(record.personId, record.documentId);
      const item = items.get(key);
      if (item?.kind === 'document' && item.record.objectKey === record.objectKey) items.delete(key);
    },
    async itemsOf(personId, limit) {
      return [...items.entries()]
        .filter(([key]) => key.startsWith(`${personId}/`))
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .slice(0, limit)
        .map(([, item]) => item);
    },
  };
  return { documents, sessions, catalog, calls };
}

interface MemoryVersion {
  readonly versionId: string;
  /** undefined: a delete marker. */
  readonly bytes: Buffer | undefined;
  readonly contentType: string;
  readonly lastModified: Date;
}

/**
 * A versioned bucket in memory, as S3 keeps one: a put adds a version, a delete adds a delete marker,
 * and only deleting each version by its id removes the bytes for good.
 */
export function memoryVersionedObjects(
  clock: () => Date = () => new Date(),
): ObjectStore & ObjectEraser & { readonly calls: string[]; versionCount(prefix: string): number } {
  const objects = new Map<string, MemoryVersion[]>();
  const calls: string[] = [];
  let counter = 0;
  const add = (key: string, bytes: Buffer | undefined, contentType: string) => {
    const versions = objects.get(key) ?? [];
    versions.push({ versionId: `v${++counter}`, bytes, contentType, lastModified: clock() });
    objects.set(key, versions);
  };
  const current = (key: string) => {
    const latest = objects.get(key)?.at(-1);
    return latest?.bytes === undefined ? undefined : { ...latest, bytes: latest.bytes };
  };
  const info = (version: { bytes: Buffer; contentType: string; versionId: string }) => ({
    size: version.bytes.length,
    etag: `"${version.versionId}"`,
    contentType: version.contentType,
  });
  return {
    calls,
    versionCount: (prefix) =>
      [...objects.entries()].filter(([key]) => key.startsWith(prefix)).reduce((sum, [, list]) => sum + list.length, 0),
    async get(key, range) {
      calls.push(`get ${key}`);
      const version = current(key);
      if (version === undefined) return undefined;
      const bytes = range === undefined ? version.bytes : version.bytes.subarray(range.start, range.end + 1);
      return { ...info(version), size: bytes.length, body: Readable.from([bytes]) };
    },
    async head(key) {
      const version = current(key);
      return version === undefined ? undefined : info(version);
    },
    async put(key, body, options) {
      calls.push(`put ${key}`);
      add(key, Buffer.from(body), options.contentType);
    },
    async copy(fromKey, toKey, options) {
      const version = current(fromKey);
      if (version === undefined) throw new Error(`no object ${fromKey}`);
      add(toKey, version.bytes, options.contentType);
    },
    async delete(key) {
      calls.push(`delete ${key}`);
      add(key, undefined, '');
    },
    async listOlderThan(prefix, before) {
      return [...objects.keys()].filter((key) => {
        const version = current(key);
        return key.startsWith(prefix) && version !== undefined && version.lastModified < before;
      });
    },
    async versionsUnder(prefix) {
      calls.push(`versions ${prefix}`);
      return [...objects.entries()]
        .filter(([key]) => key.startsWith(prefix))
        .flatMap(([key, versions]) =>
          versions.map((version) => ({
            key,
            versionId: version.versionId,
            lastModified: version.lastModified,
            deleteMarker: version.bytes === undefined,
          })),
        );
    },
    async deleteVersion(key, versionId) {
      calls.push(`deleteVersion ${key} ${versionId}`);
      const remaining = (objects.get(key) ?? []).filter((version) => version.versionId !== versionId);
      if (remaining.length === 0) objects.delete(key);
      else objects.set(key, remaining);
    },
  };
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
