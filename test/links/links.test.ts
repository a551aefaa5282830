import { createHash, randomUUID } from 'node:crypto';
import { DeleteObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { makeDownloadLinks, makeS3Client, s3Settings } from '@identities/aws';
import { PERMISSIONS } from '@identities/core';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { functionOf, uploadFileDocument } from '../support/functions.ts';
import { apiEvent, invoke } from '../support/lambda.ts';
import { uploadEvent } from '../support/multipart.ts';
import { bucket, everyByte, jpegBytes, newPersonId, putObject, s3Client } from '../support/storage.ts';
import { bearer, bothPermissions, token } from '../support/tokens.ts';

const documentLink = functionOf('FileDocumentLink');
const enrollmentLink = functionOf('EnrollmentPhotoLink');
const detectionLink = functionOf('DetectionPhotoLink');

const documentPath = (personId: string, documentId: string) =>
  `/api/v1/people/${personId}/fileDocuments/${documentId}/links`;

async function upload(personId: string, documentId: string, data: Buffer, fileName = 'Carte d’identité.pdf') {
  const response = await invoke(
    uploadFileDocument,
    uploadEvent(
      [
        { name: 'personId', value: personId },
        { name: 'name', value: 'ID card' },
        { name: 'publicId', value: documentId },
        { name: 'file', filename: fileName, contentType: 'application/pdf', data },
      ],
      await bothPermissions(),
    ),
  );
  expect(response.statusCode).toBe(200);
}

async function ask(
  handler: typeof documentLink,
  path: string,
  options: { body?: string; contentType?: string; jwt?: string | null } = {},
) {
  const jwt = options.jwt === undefined ? await bothPermissions() : options.jwt;
  return invoke(
    handler,
    apiEvent({
      method: 'POST',
      path,
      headers: {
        ...(jwt === null ? {} : bearer(jwt)),
        ...(options.contentType === undefined ? {} : { 'Content-Type': options.contentType }),
      },
      ...(options.body === undefined ? {} : { body: Buffer.from(options.body) }),
    }),
  );
}

interface Link {
  url: string;
  expiresAt: string;
}

const created: string[] = [];
afterAll(async () => {
  for (const key of created) await s3Client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
});

describe('POST .../fileDocuments/{documentId}/links', () => {
  it('answers 201 with a link that serves exactly the bytes, as an attachment, for 60 s by default', async () => {
    const personId = newPersonId();
    const documentId = `doc-${randomUUID()}`;
    const bytes = everyByte();
    await upload(personId, documentId, bytes);
    const before = Date.now();
    const answer = await ask(documentLink, documentPath(personId, documentId));
    expect(answer.statusCode).toBe(201);
    expect(answer.headers['content-type']).toBe('application/json');
    expect(answer.headers['cache-control']).toBe('no-store');
    const link = answer.json() as unknown as Link;
    expect(Object.keys(link).sort()).toEqual(['expiresAt', 'url']);
    const lifetime = Date.parse(link.expiresAt) - before;
    expect(lifetime).toBeGreaterThan(55_000);
    expect(lifetime).toBeLessThanOrEqual(61_000);
    expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe('60');

    const fetched = await fetch(link.url);
    expect(fetched.status).toBe(200);
    expect(Buffer.from(await fetched.arrayBuffer())).toEqual(bytes);
    expect(fetched.headers.get('content-type')).toBe('application/pdf');
    expect(fetched.headers.get('cache-control')).toBe('private, no-store');
    // Exactly what the streamed download sends: both RFC 6266 forms.
    expect(fetched.headers.get('content-disposition')).toBe(
      `attachment; filename="Carte d_identite.pdf"; filename*=UTF-8''Carte%20d%E2%80%99identit%C3%A9.pdf`,
    );
    const data = await invoke(
      functionOf('DownloadFileDocument'),
      apiEvent({
        path: `/api/v1/people/${personId}/fileDocuments/${documentId}/data`,
        headers: bearer(await bothPermissions()),
      }),
    );
    expect(fetched.headers.get('content-disposition')).toBe(data.headers['content-disposition']);
  });

  it('takes expiresIn from 1 to 900 seconds', async () => {
    const personId = newPersonId();
    const documentId = `doc-${randomUUID()}`;
    await upload(personId, documentId, Buffer.from('%PDF-1.7 short'));
    for (const seconds of [1, 900]) {
      const answer = await ask(documentLink, documentPath(personId, documentId), {
        body: JSON.stringify({ expiresIn: seconds }),
        contentType: 'application/json; charset=utf-8',
      });
      expect(answer.statusCode).toBe(201);
      const link = answer.json() as unknown as Link;
      expect(new URL(link.url).searchParams.get('X-Amz-Expires')).toBe(String(seconds));
    }
  });

  it.each([
    ['a lifetime over 15 minutes', JSON.stringify({ expiresIn: 901 }), 'application/json'],
    ['a lifetime of 0', JSON.stringify({ expiresIn: 0 }), 'application/json'],
    ['a fractional lifetime', JSON.stringify({ expiresIn: 1.5 }), 'application/json'],
    ['a lifetime as text', JSON.stringify({ expiresIn: '60' }), 'application/json'],
    ['a null lifetime', JSON.stringify({ expiresIn: null }), 'application/json'],
    ['an unknown field', JSON.stringify({ expiresIn: 60, versionId: 'x' }), 'application/json'],
    ['broken JSON', '{"expiresIn":', 'application/json'],
    ['an array', '[60]', 'application/json'],
    ['a body that is not JSON', 'expiresIn=60', 'application/x-www-form-urlencoded'],
    ['a JSON body without a Content-Type', '{"expiresIn":60}', undefined],
  ])('answers 400 problem+json for %s', async (_, body, contentType) => {
    const personId = newPersonId();
    const answer = await ask(documentLink, documentPath(personId, 'doc-1'), {
      body,
      ...(contentType === undefined ? {} : { contentType }),
    });
    expect(answer.statusCode).toBe(400);
    expect(answer.headers['content-type']).toBe('application/problem+json');
    expect(answer.json().status).toBe(400);
  });

  it('answers 404 for a missing document, another person’s, and ids that cannot exist', async () => {
    const personId = newPersonId();
    const documentId = `doc-${randomUUID()}`;
    await upload(personId, documentId, Buffer.from('%PDF-1.7 mine'));
    for (const path of [
      documentPath(personId, `${documentId}-missing`),
      documentPath(newPersonId(), documentId),
      documentPath('not-a-guid', documentId),
      documentPath(personId, '..'),
    ]) {
      const answer = await ask(documentLink, path);
      expect(answer.statusCode, path).toBe(404);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(answer.body.toString()).not.toContain('X-Amz');
    }
  });

  it('answers 401 without a token and 403 without Read Identity Files', async () => {
    const path = documentPath(newPersonId(), 'doc-1');
    const missing = await ask(documentLink, path, { jwt: null });
    expect(missing.statusCode).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    const adder = await token({ claims: { permissions: [PERMISSIONS.addFiles] } });
    expect((await ask(documentLink, path, { jwt: adder })).statusCode).toBe(403);
  });

  it('stops working once the document’s object is gone', async () => {
    const personId = newPersonId();
    const documentId = `doc-${randomUUID()}`;
    await upload(personId, documentId, Buffer.from('%PDF-1.7 erased'));
    const link = (await ask(documentLink, documentPath(personId, documentId))).json() as unknown as Link;
    expect((await fetch(link.url)).status).toBe(200);
    const key = decodeURIComponent(new URL(link.url).pathname).split('/').slice(2).join('/');
    await s3Client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    const after = await fetch(link.url);
    // The signer may not list people/: S3's answer for a missing key is then 403, as for any other.
    expect(after.status).toBe(403);
    expect(await after.text()).toContain('<Code>AccessDenied</Code>');
  });
});

describe('POST .../enrollmentPhoto/{faceId}/links and .../detectionPhoto/{faceId}/{detectionId}/links', () => {
  it('answer 201 with links to exactly the photo, for any authenticated user', async () => {
    const faceId = `face-${randomUUID()}`;
    const enrollment = jpegBytes(3000);
    const detection = jpegBytes(1500);
    await putObject(`faces/${faceId}/enrollment.jpg`, enrollment);
    await putObject(`faces/${faceId}/detections/d1.jpg`, detection);
    created.push(`faces/${faceId}/enrollment.jpg`, `faces/${faceId}/detections/d1.jpg`);
    const jwt = await token();
    for (const [handler, path, bytes] of [
      [enrollmentLink, `/api/v1/people/enrollmentPhoto/${faceId}/links`, enrollment],
      [detectionLink, `/api/v1/people/detectionPhoto/${faceId}/d1/links`, detection],
    ] as const) {
      const answer = await ask(handler, path, { jwt });
      expect(answer.statusCode, path).toBe(201);
      const link = answer.json() as unknown as Link;
      const fetched = await fetch(link.url);
      expect(fetched.status).toBe(200);
      expect(fetched.headers.get('content-type')).toBe('image/jpeg');
      expect(fetched.headers.get('cache-control')).toBe('private, no-cache');
      expect(fetched.headers.get('content-disposition')).toBeNull();
      const got = Buffer.from(await fetched.arrayBuffer());
      expect(createHash('sha256').update(got).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('answer 404 for a missing photo and ids that cannot exist, 401 without a token', async () => {
    const faceId = `face-${randomUUID()}`;
    for (const [handler, path] of [
      [enrollmentLink, `/api/v1/people/enrollmentPhoto/${faceId}/links`],
      [detectionLink, `/api/v1/people/detectionPhoto/${faceId}/d9/links`],
      [enrollmentLink, '/api/v1/people/enrollmentPhoto/..%2F..%2Fpeople/links'],
      [detectionLink, `/api/v1/people/detectionPhoto/${faceId}/.hidden/links`],
    ] as const) {
      const answer = await ask(handler, path, { jwt: await token() });
      expect(answer.statusCode, path).toBe(404);
      expect(answer.headers['content-type']).toBe('application/problem+json');
    }
    expect(
      (await ask(enrollmentLink, `/api/v1/people/enrollmentPhoto/${faceId}/links`, { jwt: null })).statusCode,
    ).toBe(401);
  });

  it('serve ranges as S3 does, cut to exactly the range asked for', async () => {
    const faceId = `face-${randomUUID()}`;
    const bytes = jpegBytes(4096);
    await putObject(`faces/${faceId}/enrollment.jpg`, bytes);
    created.push(`faces/${faceId}/enrollment.jpg`);
    const link = (
      await ask(enrollmentLink, `/api/v1/people/enrollmentPhoto/${faceId}/links`, { jwt: await token() })
    ).json() as unknown as Link;
    const first = await fetch(link.url, { headers: { Range: 'bytes=0-0' } });
    expect(first.status).toBe(206);
    expect(first.headers.get('content-range')).toBe(`bytes 0-0/${bytes.length}`);
    expect(Buffer.from(await first.arrayBuffer())).toEqual(bytes.subarray(0, 1));
    const last = await fetch(link.url, { headers: { Range: 'bytes=-10' } });
    expect(Buffer.from(await last.arrayBuffer())).toEqual(bytes.subarray(bytes.length - 10));
    const past = await fetch(link.url, { headers: { Range: `bytes=${bytes.length}-` } });
    expect(past.status).toBe(416);
    const etag = (await fetch(link.url)).headers.get('etag') ?? '';
    expect((await fetch(link.url, { headers: { 'If-None-Match': etag } })).status).toBe(304);
  });
});

describe('a link’s signature', () => {
  async function photoLink() {
    const faceId = `face-${randomUUID()}`;
    await putObject(`faces/${faceId}/enrollment.jpg`, jpegBytes());
    await putObject(`faces/${faceId}/detections/d1.jpg`, jpegBytes(999));
    created.push(`faces/${faceId}/enrollment.jpg`, `faces/${faceId}/detections/d1.jpg`);
    const answer = await ask(enrollmentLink, `/api/v1/people/enrollmentPhoto/${faceId}/links`, { jwt: await token() });
    return { faceId, url: new URL((answer.json() as unknown as Link).url) };
  }

  it('covers the key: the link edited to another object is refused', async () => {
    const { faceId, url } = await photoLink();
    const other = new URL(url);
    other.pathname = url.pathname.replace(`${faceId}/enrollment.jpg`, `${faceId}/detections/d1.jpg`);
    const answer = await fetch(other);
    expect(answer.status).toBe(403);
    expect(await answer.text()).toContain('SignatureDoesNotMatch');
  });

  it('covers the query: edited, added or removed response headers, expiry and version are refused', async () => {
    const { url } = await photoLink();
    const edits: [string, (query: URLSearchParams) => void][] = [
      ['response-content-type', (query) => query.set('response-content-type', 'text/html')],
      ['response-cache-control', (query) => query.set('response-cache-control', 'public, max-age=31536000')],
      ['response-content-disposition', (query) => query.set('response-content-disposition', 'inline')],
      ['a removed override', (query) => query.delete('response-content-type')],
      ['X-Amz-Expires', (query) => query.set('X-Amz-Expires', '61')],
      ['versionId', (query) => query.set('versionId', 'another')],
    ];
    for (const [what, edit] of edits) {
      const edited = new URL(url);
      edit(edited.searchParams);
      const answer = await fetch(edited);
      expect(answer.status, what).toBeGreaterThanOrEqual(400);
      expect(answer.status, what).toBeLessThan(500);
      expect(answer.headers.get('content-type'), what).toBe('application/xml');
    }
    // The link as issued still works.
    expect((await fetch(url)).status).toBe(200);
  });

  it('expires: a link past its lifetime is S3’s 403', async () => {
    const credentials = inject('principalKeys').EnrollmentPhotoLink;
    if (credentials === undefined) throw new Error('no key');
    const { faceId } = await photoLink();
    // Signed two minutes ago for one minute, with the function's own key.
    const past = makeDownloadLinks(
      makeS3Client({ ...s3Settings(process.env), credentials }),
      bucket,
      () => new Date(Date.now() - 120_000),
    );
    const link = await past.presignGet(`faces/${faceId}/enrollment.jpg`, {
      expiresInSeconds: 60,
      headers: { contentType: 'image/jpeg', cacheControl: 'private, no-cache' },
    });
    const answer = await fetch(link.url);
    expect(answer.status).toBe(403);
    expect(await answer.text()).toContain('Request has expired');
  });

  it('lives no longer than the credentials that sign it', async () => {
    const expiration = new Date(Date.now() + 30_000);
    const client = new S3Client({
      region: 'us-east-1',
      endpoint: 'https://s3.example',
      forcePathStyle: true,
      credentials: async () => ({ accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'secret', expiration }),
    });
    const link = await makeDownloadLinks(client, bucket).presignGet('faces/f/enrollment.jpg', {
      expiresInSeconds: 900,
      headers: { contentType: 'image/jpeg', cacheControl: 'private, no-cache' },
    });
    const seconds = Number(new URL(link.url).searchParams.get('X-Amz-Expires'));
    expect(seconds).toBeGreaterThan(25);
    expect(seconds).toBeLessThanOrEqual(30);
    expect(link.expiresAt.getTime()).toBeLessThanOrEqual(expiration.getTime());
    client.destroy();
  });

  it('carries its signer’s rights only: a photo function’s key cannot reach a document', async () => {
    const credentials = inject('principalKeys').EnrollmentPhotoLink;
    if (credentials === undefined) throw new Error('no key');
    const personId = newPersonId();
    const documentId = `doc-${randomUUID()}`;
    await upload(personId, documentId, Buffer.from('%PDF-1.7 private'));
    const link = (await ask(documentLink, documentPath(personId, documentId))).json() as unknown as Link;
    const key = decodeURIComponent(new URL(link.url).pathname).split('/').slice(2).join('/');
    const forged = await makeDownloadLinks(
      makeS3Client({ ...s3Settings(process.env), credentials }),
      bucket,
    ).presignGet(key, {
      expiresInSeconds: 60,
      headers: { contentType: 'application/pdf', cacheControl: 'private, no-store' },
    });
    const answer = await fetch(forged.url);
    expect(answer.status).toBe(403);
    expect(await answer.text()).toContain('<Code>AccessDenied</Code>');
  });
});
