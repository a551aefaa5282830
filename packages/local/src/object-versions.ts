import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { readdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { escapeXml } from './store-front.ts';
import { MAX_DELETE_OBJECTS_BYTES, parseDeleteRequest } from './store-requests.ts';

/**
 * S3 object versioning for the embedded store, which has none: the cloud bucket is versioned, so the
 * service's code meets versions (a delete that leaves the bytes behind as a noncurrent version, a read
 * or delete of one version) here as it will on AWS.
 *
 * The current version of a key stays where the embedded store keeps it, under its own key, so every
 * ordinary request is the store's own. Versions a write or delete replaced are kept in a bucket of
 * their own (`{bucket}--versions`), which no principal's policy names; each key's history is a small
 * index file beside the store. Requests that name a version (`versionId`), list versions (`?versions`)
 * or change a key (PUT, DELETE) are answered through that history, as S3 answers them:
 * - a write makes a new current version and keeps the one it replaced;
 * - a delete without a version adds a delete marker and keeps the bytes;
 * - a delete of one version removes exactly it, and an older version becomes current again when the
 *   newest went;
 * - a read of a version answers that version's bytes, 404 `NoSuchVersion`, or 405 for a delete marker.
 * An object written before any history was kept has the version id `null`, as S3 gives objects
 * written before versioning was enabled. Multipart uploads, which the service never makes, are refused
 * rather than written past the history.
 */

export interface ObjectFileStore {
  existsObject(bucket: string, key: string): Promise<boolean>;
  copyObject(fromBucket: string, fromKey: string, toBucket: string, toKey: string): Promise<unknown>;
  deleteObject(bucket: string, key: string): Promise<void>;
  getMetadata(bucket: string, key: string): Promise<{ etag: string; 'content-length': number }>;
  listObjects(bucket: string, options: { prefix: string; maxKeys: number }): Promise<{ objects: { key: string }[] }>;
}

interface Version {
  readonly id: string;
  readonly deleteMarker: boolean;
  /** When this version was written (a delete marker: when the delete was made). */
  readonly lastModified: string;
  readonly etag?: string | undefined;
  readonly size?: number | undefined;
  /** When a newer version replaced it: what lifecycle rules count noncurrent days from. */
  readonly noncurrentSince?: string | undefined;
}

/** A lifecycle rule's noncurrent-version expiration: versions noncurrent for `days` under `prefix` go. */
export interface NoncurrentExpiration {
  readonly prefix: string;
  readonly days: number;
}

export interface ObjectVersions {
  /** The store's handler with versioning in front of it, for the one versioned bucket. */
  readonly handler: RequestListener;
  /** The bucket noncurrent versions are kept in, which the store must have. */
  readonly versionsBucket: string;
  /** Removes noncurrent versions and lone delete markers as the bucket's lifecycle rules would. */
  expireNoncurrent(rules: readonly NoncurrentExpiration[], now?: Date): Promise<number>;
}

const VERSION_ID = /^[A-Za-z0-9._-]{1,128}$/;
const newVersionId = () => randomBytes(24).toString('base64url');

export function objectVersions(options: {
  readonly bucket: string;
  readonly store: ObjectFileStore;
  /** The store's own handler. */
  readonly handler: RequestListener;
  /** Where each key's history is kept (the index files). */
  readonly indexDir: string;
}): ObjectVersions {
  const { bucket, store, handler } = options;
  const versionsBucket = `${bucket}--versions`;
  mkdirSync(options.indexDir, { recursive: true, mode: 0o700 });
  const locks = new Map<string, Promise<unknown>>();

  /**
   * The file store removes a deleted key's emptied folders as it goes: two deletes in one folder at once
   * may each find the other's folder gone. Deletes run one at a time, and a key found gone is deleted.
   */
  let deleting: Promise<unknown> = Promise.resolve();
  function deleteObject(fromBucket: string, key: string): Promise<void> {
    const run = deleting.then(async () => {
      try {
        await store.deleteObject(fromBucket, key);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT' || (await store.existsObject(fromBucket, key))) {
          throw error;
        }
      }
    });
    deleting = run.catch(() => undefined);
    return run;
  }

  /** Runs `work` once every earlier change of the same key has finished: one change of a key at a time. */
  function locked<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = locks.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const settled = next.catch(() => undefined);
    locks.set(key, settled);
    void settled.then(() => {
      if (locks.get(key) === settled) locks.delete(key);
    });
    return next;
  }

  const indexPath = (key: string) => join(options.indexDir, `${encodeURIComponent(key)}.json`);
  const versionKey = (key: string, id: string) => `${encodeURIComponent(key)}/${id}`;

  /** The key's versions, newest first; an object older than any history is version `null`. */
  async function history(key: string): Promise<Version[]> {
    try {
      return JSON.parse(await readFile(indexPath(key), 'utf8')) as Version[];
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    if (!(await store.existsObject(bucket, key))) return [];
    const metadata = await store.getMetadata(bucket, key);
    return [
      {
        id: 'null',
        deleteMarker: false,
        lastModified: new Date().toISOString(),
        etag: metadata.etag,
        size: Number(metadata['content-length']),
      },
    ];
  }

  async function save(key: string, versions: readonly Version[]): Promise<void> {
    const path = indexPath(key);
    if (versions.length === 0) {
      await rm(path, { force: true });
      return;
    }
    // Written whole, then renamed: a crash leaves the old history or the new one, never half of one.
    const temporary = `${path}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFile(temporary, JSON.stringify(versions), { mode: 0o600 });
    await rename(temporary, path);
  }

  /** Moves the current bytes of `key` aside as version `id`, leaving the key without them. */
  async function retire(key: string, id: string): Promise<void> {
    await store.copyObject(bucket, key, versionsBucket, versionKey(key, id));
    await deleteObject(bucket, key);
  }

  /** Makes the newest remaining version current again, when it has bytes. */
  async function restoreNewest(key: string, versions: Version[]): Promise<void> {
    const newest = versions[0];
    if (newest === undefined || newest.deleteMarker) return;
    await store.copyObject(versionsBucket, versionKey(key, newest.id), bucket, key);
    await deleteObject(versionsBucket, versionKey(key, newest.id));
    versions[0] = { ...newest, noncurrentSince: undefined };
  }

  const noncurrent = (version: Version, now: Date): Version =>
    version.noncurrentSince === undefined ? { ...version, noncurrentSince: now.toISOString() } : version;

  async function put(request: IncomingMessage, response: ServerResponse, key: string): Promise<void> {
    const source = request.headers['x-amz-copy-source'];
    if (typeof source === 'string' && source.includes('versionId=')) {
      return s3Error(response, 501, 'NotImplemented', 'Copying from a version is not supported here.');
    }
    await locked(key, async () => {
      const versions = await history(key);
      const current = versions[0];
      const hadBytes = current !== undefined && !current.deleteMarker;
      // Kept aside as a copy, so the key answers reads with its old bytes until the new ones are in.
      if (hadBytes) await store.copyObject(bucket, key, versionsBucket, versionKey(key, current.id));
      const id = newVersionId();
      response.setHeader('x-amz-version-id', id);
      const succeeded = async () => {
        const now = new Date();
        const metadata = await store.getMetadata(bucket, key);
        await save(key, [
          {
            id,
            deleteMarker: false,
            lastModified: now.toISOString(),
            etag: metadata.etag,
            size: Number(metadata['content-length']),
          },
          ...versions.map((version) => noncurrent(version, now)),
        ]);
      };
      const failed = async () => {
        if (!hadBytes) return;
        // A failed write may have left part of its bytes under the key: the old version goes back.
        await store.copyObject(versionsBucket, versionKey(key, current.id), bucket, key);
        await deleteObject(versionsBucket, versionKey(key, current.id));
      };
      // The history is written before the answer ends: a client told of the write finds its version listed.
      await new Promise<void>((resolve) => {
        let settled = false;
        const settle = (outcome: () => Promise<void>, then: () => void) => {
          if (settled) return;
          settled = true;
          outcome().then(
            () => {
              then();
              resolve();
            },
            (error: unknown) => {
              response.destroy(error instanceof Error ? error : new Error(String(error)));
              resolve();
            },
          );
        };
        const end = response.end.bind(response) as (...args: unknown[]) => ServerResponse;
        response.end = ((...args: unknown[]) => {
          settle(response.statusCode === 200 ? succeeded : failed, () => end(...args));
          return response;
        }) as typeof response.end;
        response.once('close', () => settle(failed, () => undefined));
        handler(request, response);
      });
    });
  }

  /** A delete as S3 makes it in a versioned bucket; undefined for a malformed version id. */
  async function deleteKey(key: string, versionId: string | null): Promise<DeleteOutcome | undefined> {
    if (versionId !== null && versionId !== 'null' && !VERSION_ID.test(versionId)) return undefined;
    return locked(key, async (): Promise<DeleteOutcome> => {
      const versions = await history(key);
      const now = new Date();
      if (versionId === null) {
        const current = versions[0];
        if (current !== undefined && !current.deleteMarker) await retire(key, current.id);
        const marker: Version = { id: newVersionId(), deleteMarker: true, lastModified: now.toISOString() };
        await save(key, [marker, ...versions.map((version) => noncurrent(version, now))]);
        return { deleteMarker: true, versionId: marker.id };
      }
      const index = versions.findIndex((version) => version.id === versionId);
      const found = versions[index];
      if (found === undefined) return { deleteMarker: false, versionId };
      if (index === 0) {
        if (!found.deleteMarker) await deleteObject(bucket, key);
        versions.shift();
        await restoreNewest(key, versions);
      } else {
        if (!found.deleteMarker) await deleteObject(versionsBucket, versionKey(key, found.id));
        versions.splice(index, 1);
      }
      await save(key, versions);
      return { deleteMarker: found.deleteMarker, versionId };
    });
  }

  async function remove(response: ServerResponse, key: string, versionId: string | null): Promise<void> {
    const outcome = await deleteKey(key, versionId);
    if (outcome === undefined) return s3Error(response, 400, 'InvalidArgument', 'Invalid version id specified');
    response.writeHead(204, {
      'x-amz-version-id': outcome.versionId,
      ...(outcome.deleteMarker ? { 'x-amz-delete-marker': 'true' } : {}),
    });
    response.end();
  }

  /** DeleteObjects: each key (or version) deleted as one DeleteObject would delete it. */
  async function removeMany(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const body = await readBody(request, MAX_DELETE_OBJECTS_BYTES);
    const parsed = body === undefined ? undefined : parseDeleteRequest(body);
    if (parsed === undefined) {
      return s3Error(response, 400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate.');
    }
    const { objects, quiet } = parsed;
    const results: string[] = [];
    for (const object of objects) {
      const { key } = object;
      const versionId = object.versionId ?? null;
      const outcome = await deleteKey(key, versionId);
      if (outcome === undefined) {
        results.push(
          `<Error><Key>${escapeXml(key)}</Key><Code>InvalidArgument</Code><Message>Invalid version id specified</Message></Error>`,
        );
      } else if (!quiet) {
        results.push(
          `<Deleted><Key>${escapeXml(key)}</Key>${
            versionId === null
              ? `<DeleteMarker>true</DeleteMarker><DeleteMarkerVersionId>${outcome.versionId}</DeleteMarkerVersionId>`
              : `<VersionId>${escapeXml(versionId)}</VersionId>${outcome.deleteMarker ? '<DeleteMarker>true</DeleteMarker>' : ''}`
          }</Deleted>`,
        );
      }
    }
    const xml = `<?xml version="1.0" encoding="UTF-8"?>\n<DeleteResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${results.join('')}</DeleteResult>`;
    response.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(xml) });
    response.end(xml);
  }

  async function read(request: IncomingMessage, response: ServerResponse, key: string, url: URL): Promise<void> {
    const versionId = url.searchParams.get('versionId');
    // Read without waiting for a write of the key in progress: its old version answers until it is done.
    const versions = await history(key);
    const current = versions[0];
    if (versionId === null) {
      if (current !== undefined) {
        response.setHeader('x-amz-version-id', current.id);
        if (current.deleteMarker) response.setHeader('x-amz-delete-marker', 'true');
      }
      return handler(request, response);
    }
    if (versionId !== 'null' && !VERSION_ID.test(versionId)) {
      return s3Error(response, 400, 'InvalidArgument', 'Invalid version id specified');
    }
    const found = versions.find((version) => version.id === versionId);
    if (found === undefined) {
      return s3Error(response, 404, 'NoSuchVersion', 'The specified version does not exist.');
    }
    if (found.deleteMarker) {
      response.setHeader('x-amz-delete-marker', 'true');
      response.setHeader('x-amz-version-id', versionId);
      return s3Error(response, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.');
    }
    url.searchParams.delete('versionId');
    if (found !== current) url.pathname = `/${versionsBucket}/${encodeKeyPath(versionKey(key, found.id))}`;
    request.url = `${url.pathname}${url.search}`;
    response.setHeader('x-amz-version-id', versionId);
    handler(request, response);
  }

  /** ListObjectVersions, as S3 answers it: keys in order, each key's versions newest first. */
  async function list(response: ServerResponse, url: URL): Promise<void> {
    const query = url.searchParams;
    const prefix = query.get('prefix') ?? '';
    const keyMarker = query.get('key-marker') ?? '';
    const versionMarker = query.get('version-id-marker') ?? '';
    const rawMax = query.get('max-keys');
    const maxKeys = rawMax === null ? 1000 : Number(rawMax);
    if (!Number.isInteger(maxKeys) || maxKeys < 0) {
      return s3Error(response, 400, 'InvalidArgument', 'Provided max-keys not an integer or within integer range');
    }
    if (query.has('delimiter'))
      return s3Error(response, 501, 'NotImplemented', 'Listing versions by delimiter is not supported here.');
    const keys = new Set<string>();
    for (const name of await readdir(options.indexDir)) {
      if (!name.endsWith('.json')) continue;
      const key = decodeURIComponent(name.slice(0, -'.json'.length));
      if (key.startsWith(prefix)) keys.add(key);
    }
    for (const key of await currentKeys(prefix)) keys.add(key);
    const entries: { key: string; version: Version; latest: boolean }[] = [];
    for (const key of [...keys].sort()) {
      if (key < keyMarker) continue;
      const versions = await history(key);
      let startAt = 0;
      if (key === keyMarker) {
        // A key marker alone starts after that key; with a version marker, after that version of it.
        if (versionMarker === '') continue;
        const at = versions.findIndex((version) => version.id === versionMarker);
        startAt = at === -1 ? versions.length : at + 1;
      }
      for (const [index, version] of versions.entries()) {
        if (index >= startAt) entries.push({ key, version, latest: index === 0 });
      }
    }
    const page = entries.slice(0, maxKeys);
    const truncated = entries.length > page.length;
    const last = page.at(-1);
    const body = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<ListVersionsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/">',
      `<Name>${escapeXml(bucket)}</Name><Prefix>${escapeXml(prefix)}</Prefix>`,
      `<KeyMarker>${escapeXml(keyMarker)}</KeyMarker><VersionIdMarker>${escapeXml(versionMarker)}</VersionIdMarker>`,
      `<MaxKeys>${maxKeys}</MaxKeys><IsTruncated>${truncated}</IsTruncated>`,
      ...(truncated && last !== undefined
        ? [
            `<NextKeyMarker>${escapeXml(last.key)}</NextKeyMarker>`,
            `<NextVersionIdMarker>${escapeXml(last.version.id)}</NextVersionIdMarker>`,
          ]
        : []),
      ...page.map(({ key, version, latest }) =>
        version.deleteMarker
          ? `<DeleteMarker><Key>${escapeXml(key)}</Key><VersionId>${version.id}</VersionId><IsLatest>${latest}</IsLatest><LastModified>${version.lastModified}</LastModified></DeleteMarker>`
          : `<Version><Key>${escapeXml(key)}</Key><VersionId>${version.id}</VersionId><IsLatest>${latest}</IsLatest><LastModified>${version.lastModified}</LastModified><ETag>${escapeXml(version.etag ?? '')}</ETag><Size>${version.size ?? 0}</Size><StorageClass>STANDARD</StorageClass></Version>`,
      ),
      '</ListVersionsResult>',
    ].join('');
    response.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
    response.end(body);
  }

  /** Keys with current bytes under a prefix, including those written before any history was kept. */
  async function currentKeys(prefix: string): Promise<string[]> {
    const { objects } = await store.listObjects(bucket, { prefix, maxKeys: Number.MAX_SAFE_INTEGER });
    return objects.map((object) => object.key);
  }

  const versioned: RequestListener = (request, response) => {
    const url = new URL(request.url ?? '/', 'http://store');
    const [first = '', rawBucket = '', ...rawKey] = url.pathname.split('/');
    const method = request.method ?? 'GET';
    const work = async () => {
      if (first !== '' || decodeURIComponent(rawBucket) !== bucket) return handler(request, response);
      const key = rawKey.map(decodeURIComponent).join('/');
      if (key === '') {
        if (method === 'GET' && url.searchParams.has('versions')) return list(response, url);
        if (method === 'POST' && url.searchParams.has('delete')) return removeMany(request, response);
        return handler(request, response);
      }
      if (url.searchParams.has('uploads') || url.searchParams.has('uploadId')) {
        return s3Error(
          response,
          501,
          'NotImplemented',
          'Multipart uploads are not supported in a versioned bucket here.',
        );
      }
      if (method === 'PUT') return put(request, response, key);
      if (method === 'DELETE') return remove(response, key, url.searchParams.get('versionId'));
      if (method === 'GET' || method === 'HEAD') return read(request, response, key, url);
      return handler(request, response);
    };
    work().catch((error: unknown) => {
      if (!response.headersSent) s3Error(response, 500, 'InternalError', String(error));
      else response.destroy();
    });
  };

  async function expireNoncurrent(rules: readonly NoncurrentExpiration[], now = new Date()): Promise<number> {
    let removed = 0;
    for (const name of await readdir(options.indexDir)) {
      if (!name.endsWith('.json')) continue;
      const key = decodeURIComponent(name.slice(0, -'.json'.length));
      const days = Math.min(...rules.filter((rule) => key.startsWith(rule.prefix)).map((rule) => rule.days));
      if (!Number.isFinite(days)) continue;
      const cutoff = now.getTime() - days * 86_400_000;
      removed += await locked(key, async () => {
        const versions = await history(key);
        const kept: Version[] = [];
        let gone = 0;
        for (const [index, version] of versions.entries()) {
          const expired =
            index > 0 && version.noncurrentSince !== undefined && Date.parse(version.noncurrentSince) <= cutoff;
          if (!expired) {
            kept.push(version);
            continue;
          }
          if (!version.deleteMarker) await deleteObject(versionsBucket, versionKey(key, version.id));
          gone++;
        }
        // A delete marker with nothing left behind it is removed too (`expiredObjectDeleteMarker`).
        if (kept.length === 1 && kept[0]?.deleteMarker === true) {
          kept.pop();
          gone++;
        }
        await save(key, kept);
        return gone;
      });
    }
    return removed;
  }

  return { handler: versioned, versionsBucket, expireNoncurrent };
}

/** A key as a path, each segment percent-encoded. */
function encodeKeyPath(key: string): string {
  return key.split('/').map(encodeURIComponent).join('/');
}

interface DeleteOutcome {
  readonly deleteMarker: boolean;
  readonly versionId: string;
}

async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function s3Error(response: ServerResponse, status: number, code: string, message: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${code}</Code><Message>${escapeXml(message)}</Message></Error>`;
  response.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}
