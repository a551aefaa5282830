import { createHash } from 'node:crypto';
import type { Readable } from 'node:stream';
import {
  DocumentNotFoundError,
  documentObjectKey,
  enrollmentPhotoKey,
  type HttpRequest,
  makeGetDocument,
  makeGetPhotos,
  PhotoNotFoundError,
  problemResponse,
  RangeNotSatisfiableError,
  serveDownload,
} from '@identities/core';
import { describe, expect, it } from 'vitest';
import { memoryMetadata, memoryObjectStore, putBytes } from '../support/memory-ports.ts';

const personId = '6f1c2b9e-5a4d-4c3b-9e8f-1a2b3c4d5e6f';
const bytes = Buffer.from(Array.from({ length: 1000 }, (_, i) => i % 251));

function request(headers: Record<string, string> = {}, method = 'GET'): HttpRequest {
  return {
    method,
    pathParameters: {},
    headers,
    repeatedHeaders: new Set(),
    query: {},
    repeatedQuery: new Set(),
    sourceIp: '127.0.0.1',
    requestId: 'fast',
    body: () => Buffer.alloc(0),
  };
}

const text = async (body: unknown) => Buffer.concat(await (body as Readable).toArray());

async function storedDocument() {
  const objects = memoryObjectStore();
  const { documents } = memoryMetadata();
  const objectKey = documentObjectKey(personId, 'doc', 'upload-1');
  await putBytes(objects, objectKey, bytes);
  await documents.create({
    personId,
    documentId: 'doc',
    name: 'Doc',
    description: undefined,
    fileName: 'doc.pdf',
    contentType: 'application/pdf',
    size: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    objectKey,
    createdAt: new Date(0).toISOString(),
    createdBy: 'user-1',
  });
  objects.calls.length = 0;
  return { objects, documents, getDocument: makeGetDocument({ objects, documents }) };
}

async function download(headers: Record<string, string> = {}, method = 'GET') {
  const { objects, getDocument } = await storedDocument();
  const document = await getDocument(personId, 'doc');
  const response = await serveDownload(request(headers, method), {
    etag: `"${document.record.sha256}"`,
    size: document.record.size,
    headers: { 'Content-Type': document.record.contentType },
    open: (range) => document.read(range),
  });
  return { response, calls: objects.calls };
}

describe('makeGetDocument', () => {
  it('finds the record and reads no bytes until asked', async () => {
    const { objects, getDocument } = await storedDocument();
    const document = await getDocument(personId, 'doc');
    expect(document.record.size).toBe(bytes.length);
    expect(objects.calls).toEqual([]);
    expect((await text(await document.read())).equals(bytes)).toBe(true);
  });

  it('throws DocumentNotFoundError (404) for another id', async () => {
    const { getDocument } = await storedDocument();
    await expect(getDocument(personId, 'other')).rejects.toBeInstanceOf(DocumentNotFoundError);
    await expect(getDocument(personId, 'other')).rejects.toMatchObject({ statusCode: 404 });
  });
});

describe('serveDownload over a stored document', () => {
  it('answers 200 with the whole body and its length', async () => {
    const { response, calls } = await download();
    expect(response.statusCode).toBe(200);
    expect(response.headers?.['Content-Length']).toBe(String(bytes.length));
    expect((await text(response.body)).equals(bytes)).toBe(true);
    expect(calls).toEqual([`get ${documentObjectKey(personId, 'doc', 'upload-1')}`]);
  });

  it('answers 206 reading only the range asked for', async () => {
    const { response, calls } = await download({ range: 'bytes=100-199' });
    expect(response.statusCode).toBe(206);
    expect(response.headers?.['Content-Range']).toBe(`bytes 100-199/${bytes.length}`);
    expect((await text(response.body)).equals(bytes.subarray(100, 200))).toBe(true);
    expect(calls).toEqual([`get ${documentObjectKey(personId, 'doc', 'upload-1')} 100-199`]);
  });

  it('answers a suffix range with its explicit first and last byte', async () => {
    const { response } = await download({ range: 'bytes=-10' });
    expect(response.headers?.['Content-Range']).toBe(`bytes 990-999/${bytes.length}`);
  });

  it('throws RangeNotSatisfiableError past the end, reading nothing', async () => {
    const { getDocument, objects } = await storedDocument();
    const document = await getDocument(personId, 'doc');
    const served = serveDownload(request({ range: `bytes=${bytes.length}-` }), {
      etag: '"e"',
      size: document.record.size,
      headers: {},
      open: (range) => document.read(range),
    });
    await expect(served).rejects.toBeInstanceOf(RangeNotSatisfiableError);
    expect(objects.calls).toEqual([]);
  });

  it('answers 304 for a matching If-None-Match and HEAD without a body, reading nothing', async () => {
    const first = await download();
    const etag = first.response.headers?.ETag ?? '';
    const revalidated = await download({ 'if-none-match': etag });
    expect(revalidated.response.statusCode).toBe(304);
    expect(revalidated.calls).toEqual([]);
    const head = await download({}, 'HEAD');
    expect(head.response.statusCode).toBe(200);
    expect(head.response.body).toBeUndefined();
    expect(head.calls).toEqual([]);
  });

  it('serves the whole body when If-Range names another representation', async () => {
    const { response } = await download({ range: 'bytes=0-9', 'if-range': '"other"' });
    expect(response.statusCode).toBe(200);
  });
});

describe('the 416 problem', () => {
  it('is a problem+json body with Content-Range, from the one mapper', () => {
    const response = problemResponse(new RangeNotSatisfiableError(1000), 'req-1');
    expect(response.statusCode).toBe(416);
    expect(response.headers).toEqual({
      'Content-Range': 'bytes */1000',
      'Content-Type': 'application/problem+json',
      'Cache-Control': 'no-store',
    });
    expect(response.body).toBe(
      JSON.stringify({
        type: 'about:blank',
        title: 'Range Not Satisfiable',
        status: 416,
        detail: 'The range starts past the end of the 1000 bytes.',
        requestId: 'req-1',
      }),
    );
  });
});

describe('makeGetPhotos', () => {
  it('reads a whole photo with its metadata in one storage read', async () => {
    const objects = memoryObjectStore();
    await putBytes(objects, enrollmentPhotoKey('face-1'), bytes, 'image/jpeg');
    objects.calls.length = 0;
    const photo = await makeGetPhotos({ objects }).enrollment('face-1', { wholeBody: true });
    expect(photo.contentType).toBe('image/jpeg');
    expect((await text(await photo.read())).equals(bytes)).toBe(true);
    expect(objects.calls).toEqual([`get ${enrollmentPhotoKey('face-1')}`]);
  });

  it('asks only for size and tag otherwise, then reads the range', async () => {
    const objects = memoryObjectStore();
    await putBytes(objects, enrollmentPhotoKey('face-1'), bytes, 'image/jpeg');
    objects.calls.length = 0;
    const photo = await makeGetPhotos({ objects }).enrollment('face-1', { wholeBody: false });
    expect(photo.size).toBe(bytes.length);
    await photo.read({ start: 0, end: 9 });
    expect(objects.calls).toEqual([`head ${enrollmentPhotoKey('face-1')}`, `get ${enrollmentPhotoKey('face-1')} 0-9`]);
  });

  it('throws PhotoNotFoundError (404) for a missing photo', async () => {
    const photos = makeGetPhotos({ objects: memoryObjectStore() });
    await expect(photos.detection('f', 'd', { wholeBody: true })).rejects.toBeInstanceOf(PhotoNotFoundError);
    await expect(photos.detection('f', 'd', { wholeBody: false })).rejects.toMatchObject({ statusCode: 404 });
  });
});
