import { randomUUID } from 'node:crypto';
import { DeleteObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, describe, expect, it } from 'vitest';
import { bucket, s3Client, storesAs } from './support/storage.ts';

/** Listing for the sweeps pages past S3's 1,000 keys a page, on the embedded store as on S3. */

const prefix = `uploads/listing-${randomUUID()}/`;
const keys = Array.from({ length: 1_005 }, (_, index) => `${prefix}${String(index).padStart(4, '0')}`);

afterAll(async () => {
  for (let start = 0; start < keys.length; start += 1_000) {
    const Objects = keys.slice(start, start + 1_000).map((Key) => ({ Key }));
    await s3Client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects } }));
  }
});

describe('listing keys older than a time', () => {
  it('returns every key under the prefix, across pages, as the server sweeps reach them', async () => {
    for (let start = 0; start < keys.length; start += 50) {
      await Promise.all(
        keys
          .slice(start, start + 50)
          .map((Key) => s3Client.send(new PutObjectCommand({ Bucket: bucket, Key, Body: 'x' }))),
      );
    }
    const { objects } = storesAs('Operator');
    const listed = await objects.listOlderThan(prefix, new Date(Date.now() + 60_000));
    expect(listed).toEqual(keys);
    expect(await objects.listOlderThan(prefix, new Date(Date.now() - 3_600_000))).toEqual([]);
  });
});
