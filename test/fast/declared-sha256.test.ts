import { createHash } from 'node:crypto';
import {
  BadRequestError,
  makeCompleteUploadSession,
  makeLogger,
  makeStartUploadSession,
  type ObjectStore,
  parseStartSession,
  type StartSessionCommand,
} from '@identities/core';
import { describe, expect, it } from 'vitest';
import { memoryMetadata, memoryObjectStore, memoryUploadTargets, putBytes } from '../support/memory-ports.ts';

const personId = '6f1c2b9e-5a4d-4c3b-9e8f-1a2b3c4d5e6f';
const bytes = Buffer.from('%PDF-1.7 a document whose hash the client declares');
const sha256 = createHash('sha256').update(bytes).digest('hex');

const command = (declared: string | undefined): StartSessionCommand => ({
  personId,
  name: 'Passport',
  description: undefined,
  publicId: 'passport',
  fileName: 'passport.pdf',
  contentType: 'application/pdf',
  size: bytes.length,
  sha256: declared,
});

/**
 * A store that, like S3 for an object written or copied with a SHA-256 checksum, reports the whole
 * object's SHA-256 on HEAD; `reports` turns that off (a store without checksums).
 */
function checksummingStore(reports: boolean) {
  const inner = memoryObjectStore();
  const store: ObjectStore = {
    ...inner,
    async head(key) {
      const info = await inner.head(key);
      const stored = inner.bytesOf(key);
      if (info === undefined || stored === undefined || !reports) return info;
      return { ...info, sha256: createHash('sha256').update(stored).digest('hex') };
    },
  };
  return { inner, store };
}

function world(reports: boolean) {
  const { inner, store } = checksummingStore(reports);
  const { sessions } = memoryMetadata();
  const targets = memoryUploadTargets();
  let ids = 0;
  const newId = () => `id-${++ids}`;
  return {
    inner,
    start: makeStartUploadSession({ sessions, targets, logger: makeLogger('silent'), newId }),
    complete: makeCompleteUploadSession({ sessions, objects: store, logger: makeLogger('silent'), newId }),
  };
}

describe('parseStartSession sha256', () => {
  const body = (extra: Record<string, unknown>) =>
    Buffer.from(JSON.stringify({ personId, name: 'P', fileName: 'p.pdf', size: 10, ...extra }));

  it('takes 64 hex digits, in either case, as lower case', () => {
    expect(parseStartSession('application/json', body({ sha256: sha256.toUpperCase() })).sha256).toBe(sha256);
    expect(parseStartSession('application/json', body({})).sha256).toBeUndefined();
  });

  it.each([['abc'], [`${sha256}0`], ['g'.repeat(64)], [42]])('refuses %s with a 400', (value) => {
    expect(() => parseStartSession('application/json', body({ sha256: value }))).toThrow(BadRequestError);
  });
});

describe('completing a session', () => {
  it('reads no bytes when storage reports the copy checksum, and records the declared hash', async () => {
    const { inner, start, complete } = world(true);
    const started = await start(command(sha256), 'user-1');
    await putBytes(inner, started.session.stagingKey, bytes);
    const record = await complete(personId, 'passport');
    expect(record.sha256).toBe(sha256);
    expect(inner.calls.filter((call) => call.startsWith('get '))).toEqual([]);
  });

  it('hashes the copy itself when storage reports no checksum', async () => {
    const { inner, start, complete } = world(false);
    const started = await start(command(sha256), 'user-1');
    await putBytes(inner, started.session.stagingKey, bytes);
    expect((await complete(personId, 'passport')).sha256).toBe(sha256);
    expect(inner.calls.some((call) => call.startsWith('get documents/') || call.startsWith('get people/'))).toBe(true);
  });

  it.each([
    [true, 'storage reports'],
    [false, 'it computes'],
  ])('refuses other bytes of the same size with a 400 (the hash %s: %s)', async (reports) => {
    const { inner, start, complete } = world(reports);
    const started = await start(command(sha256), 'user-1');
    await putBytes(inner, started.session.stagingKey, Buffer.alloc(bytes.length, 0x41));
    await expect(complete(personId, 'passport')).rejects.toThrow(BadRequestError);
    // Nothing kept but the staged bytes: the attempt's own copy is gone.
    expect(inner.keys()).toEqual([started.session.stagingKey]);
  });

  it('reads no bytes when none was declared either, if storage reports the copy checksum', async () => {
    const { inner, start, complete } = world(true);
    const started = await start(command(undefined), 'user-1');
    await putBytes(inner, started.session.stagingKey, bytes);
    expect((await complete(personId, 'passport')).sha256).toBe(sha256);
    expect(inner.calls.filter((call) => call.startsWith('get '))).toEqual([]);
  });

  it('keeps computing the hash when none was declared', async () => {
    const { inner, start, complete } = world(false);
    const started = await start(command(undefined), 'user-1');
    await putBytes(inner, started.session.stagingKey, bytes);
    expect((await complete(personId, 'passport')).sha256).toBe(sha256);
  });
});
