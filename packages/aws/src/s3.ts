import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsCommand,
  ListObjectVersionsCommand,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type {
  ByteRange,
  DownloadLinks,
  ObjectEraser,
  ObjectStore,
  ObjectVersion,
  UploadTargets,
} from '@identities/core';
import { type Env, optionalEnv, regionOf, requireEnv } from './env.ts';
import type { AccessKey, StorageSettings } from './settings.ts';
import {
  STORAGE_CLIENT_LIMITS,
  type StorageClientLimits,
  storageClientConfig,
  translateErrorsOf,
} from './storage-errors.ts';

export interface S3Settings {
  readonly bucket: string;
  readonly region: string;
  /** An S3-compatible endpoint (the embedded stand-in, an on-prem store); AWS when absent. */
  readonly endpoint: string | undefined;
}

export function s3Settings(env: Env): S3Settings {
  return { bucket: requireEnv(env, 'BUCKET_NAME'), region: regionOf(env), endpoint: optionalEnv(env, 'S3_ENDPOINT') };
}

/** One client per container. Retries are bounded; against AWS the SDK's checksum defaults stay. */
export function makeS3Client(
  settings: Pick<S3Settings, 'region' | 'endpoint'> & { readonly credentials?: AccessKey },
  limits: StorageClientLimits = STORAGE_CLIENT_LIMITS,
): S3Client {
  const client = new S3Client({
    ...storageClientConfig(settings, limits),
    ...(settings.endpoint === undefined
      ? {}
      : {
          endpoint: settings.endpoint,
          forcePathStyle: true,
          // S3-compatible stores reject (or store the framing of) the default streamed checksums.
          requestChecksumCalculation: 'WHEN_REQUIRED',
          responseChecksumValidation: 'WHEN_REQUIRED',
        }),
  });
  // Every call's failures become the API's storage errors here, once: no adapter method can miss it.
  translateErrorsOf(client, 'Object storage');
  return client;
}

export function makeObjectStore(client: S3Client, bucket: string): ObjectStore {
  return {
    async get(key, range) {
      try {
        const result = await client.send(
          new GetObjectCommand({
            Bucket: bucket,
            Key: key,
            // Always an explicit first-last range: S3-compatible stores get suffix ranges wrong.
            ...(range === undefined ? {} : { Range: `bytes=${range.start}-${range.end}` }),
          }),
        );
        if (!(result.Body instanceof Readable)) throw new Error('S3 returned no readable body');
        const size = range === undefined ? (result.ContentLength ?? 0) : range.end - range.start + 1;
        return {
          body: range === undefined ? result.Body : checkedRange(result.Body, result.ContentRange, range, size),
          size,
          etag: requireEtag(result.ETag),
          contentType: result.ContentType,
        };
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
    async head(key) {
      try {
        const result = await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key, ChecksumMode: 'ENABLED' }));
        return {
          size: result.ContentLength ?? 0,
          etag: requireEtag(result.ETag),
          contentType: result.ContentType,
          sha256: fullObjectSha256(result.ChecksumSHA256, result.ChecksumType),
          versionId: result.VersionId,
        };
      } catch (error) {
        if (error instanceof NotFound || error instanceof NoSuchKey) return undefined;
        throw error;
      }
    },
    async put(key, body, options) {
      await client.send(
        new PutObjectCommand({
          Bucket: bucket,
          Key: key,
          Body: body,
          ContentType: options.contentType,
          ContentLength: body.length,
          // S3 verifies the bytes it stores against the hash computed while parsing the upload.
          ChecksumSHA256: Buffer.from(options.sha256).toString('base64'),
        }),
      );
    },
    async copy(fromKey, toKey, options) {
      await client.send(
        new CopyObjectCommand({
          Bucket: bucket,
          Key: toKey,
          CopySource: `${bucket}/${fromKey.split('/').map(encodeURIComponent).join('/')}`,
          ContentType: options.contentType,
          MetadataDirective: 'REPLACE',
          // S3 computes the copy's SHA-256 from the bytes it copies and reports it on HeadObject, so
          // completing a session reads none of them, whatever its size.
          ChecksumAlgorithm: 'SHA256',
        }),
      );
    },
    async delete(key) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    },
    async listOlderThan(prefix, before) {
      // ListObjects (version 1) pages by the last key seen. Version 2's continuation tokens would do on S3,
      // but the embedded store cannot make one (a 500 past the first 1,000 keys); both are s3:ListBucket.
      const keys: string[] = [];
      let marker: string | undefined;
      do {
        const page = await client.send(new ListObjectsCommand({ Bucket: bucket, Prefix: prefix, Marker: marker }));
        const contents = page.Contents ?? [];
        for (const object of contents) {
          if (object.Key !== undefined && object.LastModified !== undefined && object.LastModified < before) {
            keys.push(object.Key);
          }
        }
        marker = page.IsTruncated === true ? (page.NextMarker ?? contents.at(-1)?.Key) : undefined;
      } while (marker !== undefined);
      return keys;
    },
  };
}

/**
 * Erases for good: lists every version and delete marker under a prefix (ListObjectVersions, paged by
 * key and version marker) and deletes each by its version id (s3:DeleteObjectVersion). An unversioned
 * store lists each object once, as version `null`, which deletes it.
 */
export function makeObjectEraser(client: S3Client, bucket: string): ObjectEraser {
  return {
    async versionsUnder(prefix) {
      const versions: ObjectVersion[] = [];
      let keyMarker: string | undefined;
      let versionIdMarker: string | undefined;
      do {
        const page = await client.send(
          new ListObjectVersionsCommand({
            Bucket: bucket,
            Prefix: prefix,
            KeyMarker: keyMarker,
            VersionIdMarker: versionIdMarker,
          }),
        );
        const entries = [
          ...(page.Versions ?? []).map((version) => ({ ...version, deleteMarker: false })),
          ...(page.DeleteMarkers ?? []).map((marker) => ({ ...marker, deleteMarker: true })),
        ];
        for (const entry of entries) {
          if (entry.Key === undefined) continue;
          versions.push({
            key: entry.Key,
            versionId: entry.VersionId ?? 'null',
            lastModified: entry.LastModified,
            deleteMarker: entry.deleteMarker,
          });
        }
        const truncated = page.IsTruncated === true;
        keyMarker = truncated ? page.NextKeyMarker : undefined;
        versionIdMarker = truncated ? page.NextVersionIdMarker : undefined;
      } while (keyMarker !== undefined);
      return versions;
    },
    async deleteVersion(key, versionId) {
      await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: versionId }));
    },
  };
}

/** The eraser of the settings' bucket: one client per container. */
export function objectEraserOf(storage: StorageSettings): ObjectEraser {
  return makeObjectEraser(makeS3Client({ ...storage, endpoint: storage.s3Endpoint }), storage.bucket);
}

/**
 * The hex SHA-256 of a whole object from HeadObject's checksum, if S3 reports one: a multipart upload's
 * composite checksum (`...-N`, type COMPOSITE) is a hash of hashes and does not count.
 */
function fullObjectSha256(checksum: string | undefined, type: string | undefined): string | undefined {
  if (checksum === undefined || checksum.includes('-') || (type !== undefined && type !== 'FULL_OBJECT')) {
    return undefined;
  }
  const bytes = Buffer.from(checksum, 'base64');
  return bytes.length === 32 ? bytes.toString('hex') : undefined;
}

/**
 * Presigned POST forms for upload sessions. The policy admits exactly one key, one content type and
 * one size (content-length-range from size to size); S3 refuses anything else. A client may reach
 * storage at another address than this function does (the local server proxies it), hence `client`.
 */
export function makeUploadTargets(client: S3Client, bucket: string): UploadTargets {
  return {
    async presignPost(key, { size, contentType, expiresInSeconds, sha256 }) {
      // With a declared SHA-256, the form carries it and the policy pins it: storage refuses other bytes.
      const checksum: Record<string, string> =
        sha256 === undefined
          ? {}
          : {
              'x-amz-checksum-algorithm': 'SHA256',
              'x-amz-checksum-sha256': Buffer.from(sha256, 'hex').toString('base64'),
            };
      const { url, fields } = await createPresignedPost(client, {
        Bucket: bucket,
        Key: key,
        Conditions: [
          ['content-length-range', size, size],
          ['eq', '$Content-Type', contentType],
          ...Object.entries(checksum).map(([name, value]) => ['eq', `$${name}`, value] as ['eq', string, string]),
        ],
        Fields: { 'Content-Type': contentType, ...checksum },
        Expires: expiresInSeconds,
      });
      return { url, fields };
    },
  };
}

/**
 * Presigned GETs for download links: GetObject for exactly one key (and version), with the response
 * headers as query parameters, all of them covered by the signature. A presigned URL works only while
 * the credentials that signed it do (a Lambda role's session), so the link's lifetime is cut to theirs.
 */
export function makeDownloadLinks(
  client: S3Client,
  bucket: string,
  clock: () => Date = () => new Date(),
): DownloadLinks {
  return {
    async presignGet(key, { expiresInSeconds, versionId, headers }) {
      const credentials = await client.config.credentials();
      const now = clock();
      const left =
        credentials.expiration === undefined
          ? expiresInSeconds
          : Math.floor((credentials.expiration.getTime() - now.getTime()) / 1000);
      const lifetime = Math.max(1, Math.min(expiresInSeconds, left));
      const url = await getSignedUrl(
        client,
        new GetObjectCommand({
          Bucket: bucket,
          Key: key,
          ...(versionId === undefined ? {} : { VersionId: versionId }),
          ResponseContentType: headers.contentType,
          ResponseCacheControl: headers.cacheControl,
          ...(headers.contentDisposition === undefined
            ? {}
            : { ResponseContentDisposition: headers.contentDisposition }),
        }),
        { expiresIn: lifetime, signingDate: now },
      );
      return { url, expiresAt: new Date(now.getTime() + lifetime * 1000) };
    },
  };
}

/** S3_PUBLIC_ENDPOINT: where clients reach storage for presigned uploads, when not where functions do. */
export function uploadTargetsFromEnv(env: Env): UploadTargets {
  const settings = s3Settings(env);
  const endpoint = optionalEnv(env, 'S3_PUBLIC_ENDPOINT') ?? settings.endpoint;
  return makeUploadTargets(makeS3Client({ ...settings, endpoint }), settings.bucket);
}

/**
 * The body of a ranged read, held to the range asked for. S3 sends exactly that; some S3-compatible
 * stores send more (s3rver serves `bytes=0-0` as the whole object), and a download must never send
 * bytes beyond its Content-Range.
 */
function checkedRange(body: Readable, contentRange: string | undefined, range: ByteRange, size: number): Readable {
  const start = Number(/^bytes (\d+)-/.exec(contentRange ?? '')?.[1]);
  if (start !== range.start) {
    body.destroy();
    throw new Error(`S3 answered range ${contentRange ?? 'none'} for bytes=${range.start}-${range.end}`);
  }
  return Readable.from(
    (async function* () {
      let left = size;
      for await (const chunk of body as AsyncIterable<Buffer>) {
        yield left >= chunk.length ? chunk : chunk.subarray(0, left);
        left -= chunk.length;
        if (left <= 0) return;
      }
    })(),
    { objectMode: false },
  );
}

/** S3 sends a quoted ETag with every object; downloads use it as their validator. */
function requireEtag(etag: string | undefined): string {
  if (etag === undefined || etag === '') throw new Error('S3 returned no ETag');
  return etag.startsWith('"') || etag.startsWith('W/') ? etag : `"${etag}"`;
}

export function objectStoreFromEnv(env: Env): ObjectStore {
  const settings = s3Settings(env);
  return makeObjectStore(makeS3Client(settings), settings.bucket);
}

/** The object store of the settings: one client per container. */
export function objectStoreOf(storage: StorageSettings): ObjectStore {
  return makeObjectStore(makeS3Client({ ...storage, endpoint: storage.s3Endpoint }), storage.bucket);
}

/** Download links naming where clients reach storage (`s3PublicEndpoint`), as upload forms do. */
export function downloadLinksOf(storage: StorageSettings): DownloadLinks {
  const endpoint = storage.s3PublicEndpoint ?? storage.s3Endpoint;
  return makeDownloadLinks(makeS3Client({ ...storage, endpoint }), storage.bucket);
}

/** Upload forms naming where clients reach storage (`s3PublicEndpoint`), when not where functions do. */
export function uploadTargetsOf(storage: StorageSettings): UploadTargets {
  const endpoint = storage.s3PublicEndpoint ?? storage.s3Endpoint;
  return makeUploadTargets(makeS3Client({ ...storage, endpoint }), storage.bucket);
}
