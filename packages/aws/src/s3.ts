import { Readable } from 'node:stream';
import { DeleteObjectCommand, GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { ObjectStore } from '@identities/core';
import { type Env, optionalEnv, regionOf, requireEnv } from './env.ts';
import { translateStorageError } from './storage-errors.ts';

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
export function makeS3Client(settings: Pick<S3Settings, 'region' | 'endpoint'>): S3Client {
  return new S3Client({
    region: settings.region,
    maxAttempts: 3,
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
}

export function makeObjectStore(client: S3Client, bucket: string): ObjectStore {
  return {
    async get(key) {
      try {
        const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (!(result.Body instanceof Readable)) throw new Error('S3 returned no readable body');
        return { body: result.Body, size: result.ContentLength ?? 0, contentType: result.ContentType };
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw translateStorageError(error, 'Object storage');
      }
    },
    async put(key, body, options) {
      try {
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
      } catch (error) {
        throw translateStorageError(error, 'Object storage');
      }
    },
    async delete(key) {
      try {
        await client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      } catch (error) {
        throw translateStorageError(error, 'Object storage');
      }
    },
  };
}

export function objectStoreFromEnv(env: Env): ObjectStore {
  const settings = s3Settings(env);
  return makeObjectStore(makeS3Client(settings), settings.bucket);
}
