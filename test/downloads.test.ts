import { randomUUID } from 'node:crypto';
import { authenticatorFromEnv } from '@identities/aws';
import {
  decideRange,
  enrollmentPhotoKey,
  makeDownloadFileDocumentHandler as makeDownload,
  makeLogger,
  matchesIfNoneMatch,
  type ObjectStore,
} from '@identities/core';
import { beforeAll, describe, expect, it } from 'vitest';
import { enrollmentPhoto, uploadFileDocument as upload } from './support/functions.ts';
import { apiEvent, invoke } from './support/lambda.ts';
import { uploadEvent } from './support/multipart.ts';
import {
  auditRecorder,
  documentStore,
  everyByte,
  jpegBytes,
  newPersonId,
  objectStore,
  putObject,
} from './support/storage.ts';
import { bearer, bothPermissions } from './support/tokens.ts';

describe('decideRange (RFC 9110 §14)', () => {
  it.each([
    ['bytes=0-0', 10, { kind: 'partial', range: { start: 0, end: 0 } }],
    ['bytes=9-9', 10, { kind: 'partial', range: { start: 9, end: 9 } }],
    ['bytes=2-', 10, { kind: 'partial', range: { start: 2, end: 9 } }],
    ['bytes=-3', 10, { kind: 'partial', range: { start: 7, end: 9 } }],
    ['bytes=-30', 10, { kind: 'partial', range: { start: 0, end: 9 } }],
    ['bytes=5-100', 10, { kind: 'partial', range: { start: 5, end: 9 } }],
    ['bytes=10-', 10, { kind: 'unsatisfiable' }],
    ['bytes=10-20', 10, { kind: 'unsatisfiable' }],
    ['bytes=-0', 10, { kind: 'unsatisfiable' }],
    ['bytes=0-', 0, { kind: 'unsatisfiable' }],
    ['bytes=0-1,4-5', 10, { kind: 'full' }],
    ['bytes=5-2', 10, { kind: 'full' }],
    ['items=0-1', 10, { kind: 'full' }],
    ['bytes=abc', 10, { kind: 'full' }],
    ['bytes=-', 10, { kind: 'full' }],
  ] as const)('%s of %i bytes', (header, size, expected) => {
    expect(decideRange(header, size)).toEqual(expected);
  });

  it('compares If-None-Match weakly and accepts lists and *', () => {
    expect(matchesIfNoneMatch('"a"', '"a"')).toBe(true);
    expect(matchesIfNoneMatch('W/"a"', '"a"')).toBe(true);
    expect(matchesIfNoneMatch('"x", "a"', '"a"')).toBe(true);
    expect(matchesIfNoneMatch('*', '"a"')).toBe(true);
    expect(matchesIfNoneMatch('"b"', '"a"')).toBe(false);
    expect(matchesIfNoneMatch(undefined, '"a"')).toBe(false);
  });
});

describe('photo downloads', () => {
  const faceId = randomUUID();
  const photo = jpegBytes(10_000);
  const path = `/api/v1/people/enrollmentPhoto/${faceId}`;
  let token: string;
  beforeAll(async () => {
    await putObject(enrollmentPhotoKey(faceId), photo);
    token = await bothPermissions();
  });
  const get = (headers: Record<string, string> = {}, method = 'GET') =>
    invoke(enrollmentPhoto, { ...apiEvent({ path, headers: { ...bearer(token), ...headers } }), httpMethod: method });

  it('sends a strong ETag, Accept-Ranges and private revalidation', async () => {
    const response = await get();
    expect(response.headers.etag).toMatch(/^"[^"]+"$/);
    expect(response.headers['accept-ranges']).toBe('bytes');
    expect(response.headers['cache-control']).toBe('private, no-cache');
  });

  it('answers 304 with no body and the same ETag and Cache-Control for a matching If-None-Match', async () => {
    const { etag } = (await get()).headers;
    const response = await get({ 'If-None-Match': etag ?? '' });
    expect(response.statusCode).toBe(304);
    expect(response.body.length).toBe(0);
    expect(response.headers.etag).toBe(etag);
    expect(response.headers['cache-control']).toBe('private, no-cache');
    expect((await get({ 'If-None-Match': '"other"' })).statusCode).toBe(200);
  });

  it.each([
    ['the first byte', 'bytes=0-0', 0, 0],
    ['the last byte', 'bytes=9999-9999', 9999, 9999],
    ['a suffix', 'bytes=-100', 9900, 9999],
    ['an open end', 'bytes=9000-', 9000, 9999],
    ['an end past the end', 'bytes=9990-20000', 9990, 9999],
  ])('answers 206 with the exact bytes for %s', async (_, range, start, end) => {
    const response = await get({ Range: range });
    expect(response.statusCode).toBe(206);
    expect(response.headers['content-range']).toBe(`bytes ${start}-${end}/10000`);
    expect(response.headers['content-length']).toBe(String(end - start + 1));
    expect(response.body.equals(photo.subarray(start, end + 1))).toBe(true);
  });

  it('answers 416 with Content-Range bytes */size for a range past the end', async () => {
    const response = await get({ Range: 'bytes=10000-' });
    expect(response.statusCode).toBe(416);
    expect(response.headers['content-range']).toBe('bytes */10000');
  });

  it('answers 200 with the whole body for several ranges', async () => {
    const response = await get({ Range: 'bytes=0-1,5-6' });
    expect(response.statusCode).toBe(200);
    expect(response.body.equals(photo)).toBe(true);
  });

  it('honours If-Range: the range when the ETag matches, the whole body when it does not', async () => {
    const { etag } = (await get()).headers;
    expect((await get({ Range: 'bytes=0-9', 'If-Range': etag ?? '' })).statusCode).toBe(206);
    const changed = await get({ Range: 'bytes=0-9', 'If-Range': '"an-older-version"' });
    expect(changed.statusCode).toBe(200);
    expect(changed.body.equals(photo)).toBe(true);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const full = await get();
    const head = await get({}, 'HEAD');
    expect(head.statusCode).toBe(200);
    expect(head.body.length).toBe(0);
    for (const name of ['content-type', 'content-length', 'etag', 'cache-control', 'accept-ranges']) {
      expect(head.headers[name]).toBe(full.headers[name]);
    }
  });

  it('answers HEAD 404 for a missing photo', async () => {
    const response = await invoke(enrollmentPhoto, {
      ...apiEvent({ path: `/api/v1/people/enrollmentPhoto/${randomUUID()}`, headers: bearer(token) }),
      httpMethod: 'HEAD',
    });
    expect(response.statusCode).toBe(404);
  });
});

describe('document downloads', () => {
  const bytes = everyByte(40);
  const size = bytes.length;
  let personId: string;
  let token: string;
  beforeAll(async () => {
    personId = newPersonId();
    token = await bothPermissions();
    const response = await invoke(
      upload,
      uploadEvent(
        [
          { name: 'personId', value: personId },
          { name: 'name', value: 'Doc' },
          { name: 'publicId', value: 'doc' },
          { name: 'file', filename: 'doc.pdf', contentType: 'application/pdf', data: bytes },
        ],
        token,
      ),
    );
    expect(response.statusCode).toBe(200);
  });

  /** The real store, counting the object reads each request costs. */
  function counting() {
    const reads: string[] = [];
    const objects: ObjectStore = {
      ...objectStore,
      get: (key, range) => {
        reads.push(`get ${range === undefined ? 'all' : `${range.start}-${range.end}`}`);
        return objectStore.get(key, range);
      },
      head: (key) => {
        reads.push('head');
        return objectStore.head(key);
      },
    };
    const handler = makeDownload({
      objects,
      documents: documentStore,
      audit: auditRecorder,
      auth: authenticatorFromEnv(process.env),
      logger: makeLogger('silent'),
    });
    return { reads, handler };
  }
  const get = (handler: ReturnType<typeof counting>['handler'], headers: Record<string, string> = {}, method = 'GET') =>
    invoke(handler, {
      ...apiEvent({
        path: `/api/v1/people/${personId}/fileDocuments/doc/data`,
        headers: { ...bearer(token), ...headers },
      }),
      httpMethod: method,
    });

  it('uses the stored SHA-256 as a strong ETag and stays private, no-store, attachment', async () => {
    const { handler } = counting();
    const response = await get(handler);
    const record = await documentStore.get(personId, 'doc');
    expect(response.headers.etag).toBe(`"${record?.sha256}"`);
    expect(response.headers['cache-control']).toBe('private, no-store');
    expect(response.headers['content-disposition']).toMatch(/^attachment;/);
    expect(response.headers['accept-ranges']).toBe('bytes');
  });

  it('answers 304 for a matching If-None-Match without reading the object', async () => {
    const { handler, reads } = counting();
    const etag = (await get(handler)).headers.etag ?? '';
    reads.length = 0;
    const response = await get(handler, { 'If-None-Match': etag });
    expect(response.statusCode).toBe(304);
    expect(response.body.length).toBe(0);
    expect(response.headers.etag).toBe(etag);
    expect(response.headers['cache-control']).toBe('private, no-store');
    expect(reads).toEqual([]);
  });

  it('answers a suffix range with an explicit first-last range read from storage', async () => {
    const { handler, reads } = counting();
    const response = await get(handler, { Range: 'bytes=-10' });
    expect(response.statusCode).toBe(206);
    expect(response.headers['content-range']).toBe(`bytes ${size - 10}-${size - 1}/${size}`);
    expect(response.body.equals(bytes.subarray(size - 10))).toBe(true);
    expect(reads).toEqual([`get ${size - 10}-${size - 1}`]);
  });

  it.each([
    ['the first byte', 'bytes=0-0', 0, 0],
    ['the last byte', `bytes=${size - 1}-`, size - 1, size - 1],
    ['a middle slice', 'bytes=100-299', 100, 299],
  ])('answers 206 for %s', async (_, range, start, end) => {
    const { handler } = counting();
    const response = await get(handler, { Range: range });
    expect(response.statusCode).toBe(206);
    expect(response.body.equals(bytes.subarray(start, end + 1))).toBe(true);
  });

  it('answers 416 past the end', async () => {
    const { handler, reads } = counting();
    const response = await get(handler, { Range: `bytes=${size}-` });
    expect(response.statusCode).toBe(416);
    expect(response.headers['content-range']).toBe(`bytes */${size}`);
    expect(reads).toEqual([]);
  });

  it('answers HEAD from the metadata alone, with the headers of GET', async () => {
    const { handler, reads } = counting();
    const full = await get(handler);
    reads.length = 0;
    const head = await get(handler, {}, 'HEAD');
    expect(head.statusCode).toBe(200);
    expect(head.body.length).toBe(0);
    for (const name of ['content-type', 'content-length', 'etag', 'content-disposition', 'cache-control']) {
      expect(head.headers[name]).toBe(full.headers[name]);
    }
    expect(reads).toEqual([]);
  });
});
