import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  ListObjectVersionsCommand,
  type ListObjectVersionsCommandOutput,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { STAND_IN_REGION, startStandIns } from '../../packages/local/src/stand-ins.ts';
import { bucket, s3Client } from '../support/storage.ts';

/**
 * The embedded bucket is versioned, as the cloud bucket is: replaced and deleted bytes stay behind as
 * noncurrent versions until each version is deleted by its id.
 */

const prefix = `people/versions-${randomUUID()}/`;
const put = (Key: string, Body: string) => s3Client.send(new PutObjectCommand({ Bucket: bucket, Key, Body }));
const read = async (Key: string, VersionId?: string) => {
  const result = await s3Client.send(new GetObjectCommand({ Bucket: bucket, Key, VersionId }));
  return { text: await result.Body?.transformToString(), versionId: result.VersionId };
};
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: { name?: string; $metadata?: { httpStatusCode?: number } }) => ({
      name: error.name,
      status: error.$metadata?.httpStatusCode,
    }),
  );

async function versionsOf(Prefix: string): Promise<{ key: string; id: string; latest: boolean; marker: boolean }[]> {
  const all: { key: string; id: string; latest: boolean; marker: boolean }[] = [];
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (let page = 0; page < 100; page++) {
    const result: ListObjectVersionsCommandOutput = await s3Client.send(
      new ListObjectVersionsCommand({ Bucket: bucket, Prefix, KeyMarker, VersionIdMarker, MaxKeys: 2 }),
    );
    const entries = [
      ...(result.Versions ?? []).map((version) => ({ ...version, marker: false })),
      ...(result.DeleteMarkers ?? []).map((marker) => ({ ...marker, marker: true })),
    ];
    // The SDK splits one listing into versions and markers: put back in S3's order, keys ascending, each
    // key's latest first (the rest of a key's versions keep their order, newest first).
    const rank = (entry: { Key?: string | undefined; IsLatest?: boolean | undefined }) =>
      [entry.Key ?? '', entry.IsLatest ? 0 : 1] as const;
    entries.sort((a, b) => {
      const [keyA, latestA] = rank(a);
      const [keyB, latestB] = rank(b);
      return keyA === keyB ? latestA - latestB : keyA < keyB ? -1 : 1;
    });
    all.push(
      ...entries.map((entry) => ({
        key: entry.Key ?? '',
        id: entry.VersionId ?? '',
        latest: entry.IsLatest ?? false,
        marker: entry.marker,
      })),
    );
    if (result.IsTruncated !== true) return all;
    KeyMarker = result.NextKeyMarker;
    VersionIdMarker = result.NextVersionIdMarker;
  }
  throw new Error('the listing did not end');
}

afterAll(async () => {
  const versions = await versionsOf(prefix);
  for (const { key, id } of versions) {
    await s3Client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: id }));
  }
});

describe('the embedded bucket keeps versions', () => {
  it('keeps a replaced object as a noncurrent version, readable by its id', async () => {
    const key = `${prefix}replaced`;
    const first = await put(key, 'first');
    const second = await put(key, 'second');
    expect(first.VersionId).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(second.VersionId).not.toBe(first.VersionId);
    expect(await read(key)).toEqual({ text: 'second', versionId: second.VersionId });
    expect(await read(key, first.VersionId)).toEqual({ text: 'first', versionId: first.VersionId });
    const head = await s3Client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.VersionId).toBe(second.VersionId);
    expect(await versionsOf(key)).toEqual([
      { key, id: second.VersionId, latest: true, marker: false },
      { key, id: first.VersionId, latest: false, marker: false },
    ]);
  });

  it('answers a delete without a version with a delete marker, and keeps the bytes', async () => {
    const key = `${prefix}deleted`;
    const written = await put(key, 'still here');
    const deleted = await s3Client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    expect(deleted.DeleteMarker).toBe(true);
    expect(await failure(read(key))).toEqual({ name: 'NoSuchKey', status: 404 });
    expect(await read(key, written.VersionId)).toEqual({ text: 'still here', versionId: written.VersionId });
    expect(await failure(read(key, deleted.VersionId))).toMatchObject({ status: 405 });
    expect((await s3Client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: key }))).Contents ?? []).toEqual([]);
    expect(await versionsOf(key)).toEqual([
      { key, id: deleted.VersionId, latest: true, marker: true },
      { key, id: written.VersionId, latest: false, marker: false },
    ]);
  });

  it('removes exactly the version named, and an older one becomes current again', async () => {
    const key = `${prefix}restored`;
    const first = await put(key, 'first');
    const second = await put(key, 'second');
    const removed = await s3Client.send(
      new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: second.VersionId }),
    );
    expect(removed.VersionId).toBe(second.VersionId);
    expect(removed.DeleteMarker).toBeUndefined();
    expect(await read(key)).toEqual({ text: 'first', versionId: first.VersionId });
    expect(await failure(read(key, second.VersionId))).toEqual({ name: 'NoSuchVersion', status: 404 });
    expect(await versionsOf(key)).toEqual([{ key, id: first.VersionId, latest: true, marker: false }]);
  });

  it('leaves nothing of a key once each of its versions and markers is deleted by id', async () => {
    const key = `${prefix}erased`;
    const first = await put(key, 'first');
    await put(key, 'second');
    await s3Client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    const versions = await versionsOf(key);
    expect(versions).toHaveLength(3);
    const result = await s3Client.send(
      new DeleteObjectsCommand({
        Bucket: bucket,
        Delete: { Objects: versions.map(({ id }) => ({ Key: key, VersionId: id })) },
      }),
    );
    expect(result.Errors ?? []).toEqual([]);
    expect(result.Deleted?.map((deleted) => deleted.VersionId)).toEqual(versions.map(({ id }) => id));
    expect(await versionsOf(key)).toEqual([]);
    expect(await failure(read(key, first.VersionId))).toEqual({ name: 'NoSuchVersion', status: 404 });
    // Nor are the bytes kept anywhere else in the store.
    for (const { id } of versions) {
      const kept = s3Client.send(
        new HeadObjectCommand({ Bucket: `${bucket}--versions`, Key: `${encodeURIComponent(key)}/${id}` }),
      );
      expect(await failure(kept)).toMatchObject({ status: 404 });
    }
  });

  it('deletes many keys with markers, as DeleteObjects without versions does', async () => {
    const keys = [`${prefix}many-a`, `${prefix}many-b`];
    for (const key of keys) await put(key, key);
    const result = await s3Client.send(
      new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: keys.map((Key) => ({ Key })) } }),
    );
    expect(result.Deleted?.map((deleted) => [deleted.Key, deleted.DeleteMarker])).toEqual(
      keys.map((key) => [key, true]),
    );
    for (const key of keys) expect(await failure(read(key))).toMatchObject({ status: 404 });
  });

  it('pages a listing of versions by key and version markers', async () => {
    const keys = [`${prefix}page-a`, `${prefix}page-b`];
    const written: string[] = [];
    for (const key of keys) {
      for (const text of ['1', '2', '3']) written.push((await put(key, text)).VersionId ?? '');
    }
    const listed = await versionsOf(`${prefix}page-`);
    expect(listed.map(({ key }) => key)).toEqual([keys[0], keys[0], keys[0], keys[1], keys[1], keys[1]]);
    expect(listed.map(({ id }) => id)).toEqual([
      written[2],
      written[1],
      written[0],
      written[5],
      written[4],
      written[3],
    ]);
  });

  it('refuses a malformed version id', async () => {
    expect(await failure(read(`${prefix}replaced`, 'not/a version'))).toMatchObject({ status: 400 });
  });
});

describe('versions and policies', () => {
  it('holds listing versions and reading one to their own actions', async () => {
    const key = `${prefix}policed`;
    const written = await put(key, 'x');
    const credentials = inject('principalKeys').DownloadFileDocument;
    if (credentials === undefined) throw new Error('no key for DownloadFileDocument');
    const client = new S3Client({
      region: STAND_IN_REGION,
      endpoint: process.env.S3_ENDPOINT ?? '',
      forcePathStyle: true,
      credentials,
      maxAttempts: 1,
    });
    try {
      // The download function may read current objects under people/, but neither list nor read versions.
      expect(
        await (await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body?.transformToString(),
      ).toBe('x');
      expect(await failure(client.send(new ListObjectVersionsCommand({ Bucket: bucket, Prefix: prefix })))).toEqual({
        name: 'AccessDenied',
        status: 403,
      });
      expect(
        await failure(client.send(new GetObjectCommand({ Bucket: bucket, Key: key, VersionId: written.VersionId }))),
      ).toEqual({ name: 'AccessDenied', status: 403 });
    } finally {
      client.destroy();
    }
  });
});

describe('DeleteObjects and policies', () => {
  it('authorises each key it names as its own delete, and refuses them all when one is not allowed', async () => {
    const credentials = inject('principalKeys').UploadFileDocument;
    if (credentials === undefined) throw new Error('no key for UploadFileDocument');
    const client = new S3Client({
      region: STAND_IN_REGION,
      endpoint: process.env.S3_ENDPOINT ?? '',
      forcePathStyle: true,
      credentials,
      maxAttempts: 1,
    });
    const mine = `${prefix}upload-owned`;
    const photo = `faces/${randomUUID()}/enrollment.jpg`;
    const written = await put(mine, 'x');
    await put(photo, 'face');
    try {
      const deleteMany = (Objects: { Key: string; VersionId?: string }[]) =>
        client.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects } }));
      // The upload function may delete under people/ only, and no version by its id.
      expect(await failure(deleteMany([{ Key: mine }, { Key: photo }]))).toEqual({ name: 'AccessDenied', status: 403 });
      expect(await failure(deleteMany([{ Key: mine, VersionId: written.VersionId }]))).toEqual({
        name: 'AccessDenied',
        status: 403,
      });
      expect(await read(mine)).toMatchObject({ text: 'x' });
      const deleted = await deleteMany([{ Key: mine }]);
      expect(deleted.Deleted?.map((entry) => entry.Key)).toEqual([mine]);
      expect(await failure(read(mine))).toMatchObject({ status: 404 });
      expect(await read(photo)).toMatchObject({ text: 'face' });
    } finally {
      client.destroy();
      for (const { key, id } of await versionsOf(photo)) {
        await s3Client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key, VersionId: id }));
      }
    }
  });

  it('refuses a body that names no key, too many, or is not XML', async () => {
    const { parseDeleteRequest } = await import('../../packages/local/src/store-requests.ts');
    expect(parseDeleteRequest(Buffer.from('<Delete></Delete>'))).toBeUndefined();
    expect(parseDeleteRequest(Buffer.from('not xml <'))).toBeUndefined();
    const many = `<Delete>${'<Object><Key>k</Key></Object>'.repeat(1001)}</Delete>`;
    expect(parseDeleteRequest(Buffer.from(many))).toBeUndefined();
    expect(parseDeleteRequest(Buffer.from('<Delete><Object><Key>a/../b</Key></Object></Delete>'))).toBeUndefined();
    expect(
      parseDeleteRequest(
        Buffer.from(
          '<Delete><Quiet>true</Quiet><Object><Key> a&amp;b </Key><VersionId>v1</VersionId></Object></Delete>',
        ),
      ),
    ).toEqual({ objects: [{ key: ' a&b ', versionId: 'v1' }], quiet: true });
  });
});

describe('lifecycle', () => {
  it('expires noncurrent versions after their rule’s days, and a delete marker left alone', async () => {
    const scratchDir = await mkdtemp(join(tmpdir(), 'identities-versions-test-'));
    const standIns = await startStandIns({ scratchDir, bucket: 'lifecycle', table: 'lifecycle' });
    const client = new S3Client({
      region: STAND_IN_REGION,
      endpoint: standIns.s3Endpoint,
      forcePathStyle: true,
      credentials: standIns.credentials,
    });
    try {
      const send = (Key: string, Body: string) => client.send(new PutObjectCommand({ Bucket: 'lifecycle', Key, Body }));
      await send('uploads/a', '1');
      await client.send(new DeleteObjectCommand({ Bucket: 'lifecycle', Key: 'uploads/a' }));
      await send('people/b', '1');
      const current = await send('people/b', '2');
      const rules = [
        { prefix: '', days: 90 },
        { prefix: 'uploads/', days: 1 },
      ];
      expect(await standIns.versions.expireNoncurrent(rules, new Date(Date.now() + 3_600_000))).toBe(0);
      // Two days on: the staged upload's bytes and then its lone marker go; the document's old version stays.
      expect(await standIns.versions.expireNoncurrent(rules, new Date(Date.now() + 2 * 86_400_000))).toBe(2);
      const listed = await client.send(new ListObjectVersionsCommand({ Bucket: 'lifecycle' }));
      expect((listed.Versions ?? []).map((version) => version.Key)).toEqual(['people/b', 'people/b']);
      expect(listed.DeleteMarkers ?? []).toEqual([]);
      expect(await standIns.versions.expireNoncurrent(rules, new Date(Date.now() + 91 * 86_400_000))).toBe(1);
      const left = await client.send(new ListObjectVersionsCommand({ Bucket: 'lifecycle' }));
      expect((left.Versions ?? []).map((version) => version.VersionId)).toEqual([current.VersionId]);
    } finally {
      client.destroy();
      await standIns.close();
    }
  });
});
