import { createHash, randomUUID } from 'node:crypto';
import { PERMISSIONS } from '@identities/core';
import { describe, expect, it } from 'vitest';
import { downloadFileDocument as download, uploadFileDocument as upload } from './support/functions.ts';
import { apiEvent, invoke } from './support/lambda.ts';
import { multipart, type Part } from './support/multipart.ts';
import { documentStore, everyByte, jpegBytes, listKeys, newPersonId, objectBytes } from './support/storage.ts';
import { bearer, bothPermissions, token } from './support/tokens.ts';

const UPLOAD = '/api/v1/people/fileDocuments/upload';
const dataPath = (personId: string, documentId: string) =>
  `/api/v1/people/${personId}/fileDocuments/${documentId}/data`;

async function post(parts: readonly Part[], jwt?: string) {
  const form = multipart(parts);
  return postRaw(form.body, form.contentType, jwt);
}

async function postRaw(body: Buffer, contentType: string | undefined, jwt?: string) {
  const headers: Record<string, string> = { ...bearer(jwt ?? (await bothPermissions())) };
  if (contentType !== undefined) headers['Content-Type'] = contentType;
  return invoke(upload, apiEvent({ method: 'POST', path: UPLOAD, headers, body }));
}

async function get(personId: string, documentId: string, jwt?: string) {
  const headers = bearer(jwt ?? (await bothPermissions()));
  return invoke(download, apiEvent({ path: dataPath(personId, documentId), headers }));
}

const file = (data: Buffer, filename = 'id-card.pdf', contentType = 'application/pdf'): Part => ({
  name: 'file',
  filename,
  contentType,
  data,
});

describe('POST /api/v1/people/fileDocuments/upload', () => {
  it('answers 200 with an empty body and a Location naming the data URL', async () => {
    const personId = newPersonId();
    const response = await post([
      { name: 'personId', value: personId },
      { name: 'name', value: 'ID Card' },
      { name: 'description', value: 'Front of ID' },
      { name: 'publicId', value: 'card-1' },
      file(everyByte()),
    ]);
    expect(response.statusCode).toBe(200);
    expect(response.body.length).toBe(0);
    expect(response.headers.location).toBe(`../${personId}/fileDocuments/card-1/data`);
    const location = new URL(response.headers.location ?? '', `https://h/identities${UPLOAD}`);
    expect(location.pathname).toBe(`/identities${dataPath(personId, 'card-1')}`);
  });

  it('records the metadata: name, description, file, type, size, SHA-256, creator', async () => {
    const personId = newPersonId();
    const bytes = everyByte();
    const jwt = await token({ subject: 'uploader-7', claims: { permissions: [PERMISSIONS.addFiles] } });
    await post(
      [
        { name: 'personId', value: personId.toUpperCase() },
        { name: 'name', value: '  ID Card  ' },
        { name: 'description', value: 'Front of ID' },
        { name: 'publicId', value: 'card-1' },
        file(bytes),
      ],
      jwt,
    );
    const record = await documentStore.get(personId, 'card-1');
    expect(record).toMatchObject({
      personId,
      documentId: 'card-1',
      name: 'ID Card',
      description: 'Front of ID',
      fileName: 'id-card.pdf',
      contentType: 'application/pdf',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      createdBy: 'uploader-7',
    });
    expect(record?.objectKey.startsWith(`people/${personId}/documents/card-1/`)).toBe(true);
    expect((await objectBytes(record?.objectKey ?? '')).equals(bytes)).toBe(true);
  });

  it('generates a GUID document id when publicId is omitted', async () => {
    const personId = newPersonId();
    const response = await post([
      { name: 'personId', value: personId },
      { name: 'name', value: 'x' },
      file(jpegBytes()),
    ]);
    expect(response.statusCode).toBe(200);
    const documentId = /fileDocuments\/([^/]+)\/data$/.exec(response.headers.location ?? '')?.[1];
    expect(documentId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await get(personId, documentId ?? '')).statusCode).toBe(200);
  });

  it('takes the file from any part that carries a filename, whatever its field name', async () => {
    const personId = newPersonId();
    const bytes = jpegBytes(777);
    const response = await post([
      { name: 'personId', value: personId },
      { name: 'name', value: 'Photo' },
      { name: 'publicId', value: 'p1' },
      { name: 'attachment', filename: 'scan.jpg', contentType: 'image/jpeg', data: bytes },
    ]);
    expect(response.statusCode).toBe(200);
    expect((await get(personId, 'p1')).body.equals(bytes)).toBe(true);
  });

  it('answers 409 for a second upload with the same publicId and keeps the first', async () => {
    const personId = newPersonId();
    const first = Buffer.from('first version');
    const fields: Part[] = [
      { name: 'personId', value: personId },
      { name: 'name', value: 'Doc' },
      { name: 'publicId', value: 'same' },
    ];
    expect((await post([...fields, file(first)])).statusCode).toBe(200);
    const second = await post([...fields, file(Buffer.from('second version'))]);
    expect(second.statusCode).toBe(409);
    expect(second.json()).toMatchObject({ status: 409, title: 'Conflict' });
    expect((await get(personId, 'same')).body.equals(first)).toBe(true);
    expect(await listKeys(`people/${personId}/`)).toHaveLength(1);
  });

  it('lets two people use the same publicId', async () => {
    for (const personId of [newPersonId(), newPersonId()]) {
      const response = await post([
        { name: 'personId', value: personId },
        { name: 'name', value: 'Doc' },
        { name: 'publicId', value: 'shared' },
        file(Buffer.from(personId)),
      ]);
      expect(response.statusCode).toBe(200);
    }
  });

  const valid = (personId: string): Part[] => [
    { name: 'personId', value: personId },
    { name: 'name', value: 'Doc' },
    file(Buffer.from('content')),
  ];

  it.each<[string, (personId: string) => Part[]]>([
    ['personId is missing', (p) => valid(p).filter((part) => part.name !== 'personId')],
    ['personId is not a GUID', (p) => [{ name: 'personId', value: 'not-a-guid' }, ...valid(p).slice(1)]],
    ['name is missing', (p) => valid(p).filter((part) => part.name !== 'name')],
    ['name is blank', (p) => [valid(p)[0] as Part, { name: 'name', value: '   ' }, file(Buffer.from('x'))]],
    [
      'name is too long',
      (p) => [valid(p)[0] as Part, { name: 'name', value: 'n'.repeat(257) }, file(Buffer.from('x'))],
    ],
    ['there is no file', (p) => valid(p).slice(0, 2)],
    ['there are two files', (p) => [...valid(p), file(Buffer.from('two'), 'b.pdf')]],
    ['the file is empty', (p) => [...valid(p).slice(0, 2), file(Buffer.alloc(0))]],
    ['publicId has a slash', (p) => [...valid(p), { name: 'publicId', value: 'a/b' }]],
    ['publicId is a traversal', (p) => [...valid(p), { name: 'publicId', value: '..' }]],
    ['a field is sent twice', (p) => [...valid(p), { name: 'name', value: 'again' }]],
  ])('answers 400 and stores nothing when %s', async (_, parts) => {
    const personId = newPersonId();
    const response = await post(parts(personId));
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toBe('application/problem+json');
    expect(response.json()).toMatchObject({ status: 400, title: 'Bad Request' });
    expect(await listKeys(`people/${personId}/`)).toEqual([]);
  });

  it('answers 400 for a request that is not multipart', async () => {
    const response = await postRaw(Buffer.from('{"personId":"x"}'), 'application/json');
    expect(response.statusCode).toBe(400);
    expect(String(response.json().detail)).toMatch(/multipart/);
  });

  it('answers 400 for a request without a Content-Type', async () => {
    expect((await postRaw(Buffer.from('x'), undefined)).statusCode).toBe(400);
  });

  it('answers 400 for a multipart Content-Type without a boundary', async () => {
    expect((await postRaw(Buffer.from('x'), 'multipart/form-data; charset=utf-8')).statusCode).toBe(400);
  });

  it('answers 400 for a truncated body', async () => {
    const form = multipart(valid(newPersonId()));
    const truncated = form.body.subarray(0, form.body.length - 40);
    expect((await postRaw(truncated, form.contentType)).statusCode).toBe(400);
  });

  it('answers 400 for a body flagged as base64 that is not', async () => {
    const form = multipart(valid(newPersonId()));
    const event = apiEvent({
      method: 'POST',
      path: UPLOAD,
      headers: { ...bearer(await bothPermissions()), 'Content-Type': form.contentType },
      body: form.body,
    });
    const response = await invoke(upload, { ...event, body: '***not base64***', isBase64Encoded: true });
    expect(response.statusCode).toBe(400);
  });

  it('answers 413 for a file above 4 MiB and stores nothing', async () => {
    const personId = newPersonId();
    const response = await post([...valid(personId).slice(0, 2), file(Buffer.alloc(4 * 1024 * 1024 + 1, 7))]);
    expect(response.statusCode).toBe(413);
    expect(response.json()).toMatchObject({ status: 413 });
    expect(await listKeys(`people/${personId}/`)).toEqual([]);
  });

  it('accepts a file of exactly 4 MiB', async () => {
    const response = await post([...valid(newPersonId()).slice(0, 2), file(Buffer.alloc(4 * 1024 * 1024, 7))]);
    expect(response.statusCode).toBe(200);
  });

  it('answers 401 without a token', async () => {
    const form = multipart(valid(newPersonId()));
    const event = apiEvent({
      method: 'POST',
      path: UPLOAD,
      headers: { 'Content-Type': form.contentType },
      body: form.body,
    });
    const response = await invoke(upload, event);
    expect(response.statusCode).toBe(401);
    expect(response.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  it('answers 403 without the Add Identity Files permission, and stores nothing', async () => {
    const personId = newPersonId();
    const jwt = await token({ claims: { permissions: [PERMISSIONS.readFiles] } });
    const response = await post(valid(personId), jwt);
    expect(response.statusCode).toBe(403);
    expect(String(response.json().detail)).toContain('Add Identity Files');
    expect(await listKeys(`people/${personId}/`)).toEqual([]);
  });
});

describe('GET /api/v1/people/{personId}/fileDocuments/{documentId}/data', () => {
  async function stored(bytes: Buffer, filename: string, contentType = 'application/pdf') {
    const personId = newPersonId();
    const response = await post([
      { name: 'personId', value: personId },
      { name: 'name', value: 'Doc' },
      { name: 'publicId', value: 'doc-1' },
      file(bytes, filename, contentType),
    ]);
    expect(response.statusCode).toBe(200);
    return personId;
  }

  it('answers 200 with the exact bytes, stored type, length, attachment and nosniff', async () => {
    const bytes = everyByte(8);
    const personId = await stored(bytes, 'id-card.pdf');
    const response = await get(personId, 'doc-1');
    expect(response.statusCode).toBe(200);
    expect(response.body.equals(bytes)).toBe(true);
    expect(response.headers['content-type']).toBe('application/pdf');
    expect(response.headers['content-length']).toBe(String(bytes.length));
    expect(response.headers['content-disposition']).toBe('attachment; filename="id-card.pdf"');
    expect(response.headers['x-content-type-options']).toBe('nosniff');
    expect(response.headers['cache-control']).toBe('private, no-store');
  });

  it('round-trips a JPEG byte for byte', async () => {
    const bytes = jpegBytes(65_536);
    const personId = await stored(bytes, 'face.jpg', 'image/jpeg');
    const response = await get(personId, 'doc-1');
    expect(response.headers['content-type']).toBe('image/jpeg');
    expect(response.body.equals(bytes)).toBe(true);
  });

  it('keeps a UTF-8 file name in Content-Disposition (ASCII fallback plus filename*)', async () => {
    const name = 'Carte d\'identité "日本" 2.pdf';
    const personId = newPersonId();
    await post([
      { name: 'personId', value: personId },
      { name: 'name', value: 'Doc' },
      { name: 'publicId', value: 'doc-1' },
      { name: 'file', filename: name, contentType: 'application/pdf', data: Buffer.from('x'), extended: true },
    ]);
    const disposition = (await get(personId, 'doc-1')).headers['content-disposition'] ?? '';
    expect(disposition).toMatch(/^attachment; filename="Carte d'identite \\"__\\" 2.pdf"; filename\*=UTF-8''/);
    const encoded = /filename\*=UTF-8''(.+)$/.exec(disposition)?.[1] ?? '';
    expect(decodeURIComponent(encoded)).toBe(name);
  });

  it('reads a raw UTF-8 filename parameter as browsers send it', async () => {
    const personId = await stored(Buffer.from('x'), 'résumé 日本.pdf');
    const disposition = (await get(personId, 'doc-1')).headers['content-disposition'] ?? '';
    expect(decodeURIComponent(/filename\*=UTF-8''(.+)$/.exec(disposition)?.[1] ?? '')).toBe('résumé 日本.pdf');
  });

  it('keeps only the base name of a file name with path components', async () => {
    const personId = await stored(Buffer.from('x'), 'C:\\Users\\me\\..\\secret.pdf');
    const disposition = (await get(personId, 'doc-1')).headers['content-disposition'];
    expect(disposition).toBe('attachment; filename="secret.pdf"');
    expect((await documentStore.get(personId, 'doc-1'))?.fileName).toBe('secret.pdf');
  });

  it('serves an HTML upload as an attachment, never inline', async () => {
    const personId = await stored(Buffer.from('<script>alert(1)</script>'), 'x.html', 'text/html');
    const response = await get(personId, 'doc-1');
    expect(response.headers['content-disposition']).toMatch(/^attachment;/);
    expect(response.headers['x-content-type-options']).toBe('nosniff');
  });

  it('accepts the person id in upper case', async () => {
    const personId = await stored(Buffer.from('x'), 'a.pdf');
    expect((await get(personId.toUpperCase(), 'doc-1')).statusCode).toBe(200);
  });

  it('answers 404 for an unknown document', async () => {
    const personId = await stored(Buffer.from('x'), 'a.pdf');
    const response = await get(personId, 'doc-2');
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ status: 404 });
  });

  it("answers 404 for another person's document id", async () => {
    await stored(Buffer.from('x'), 'a.pdf');
    expect((await get(newPersonId(), 'doc-1')).statusCode).toBe(404);
  });

  it.each([
    ['a person id that is not a GUID', 'not-a-guid', 'doc-1'],
    ['a traversal document id', randomUUID(), '..'],
    ['an encoded slash in the document id', randomUUID(), 'a%2Fb'],
  ])('answers 404 for %s', async (_, personId, documentId) => {
    expect((await get(personId, documentId)).statusCode).toBe(404);
  });

  it('answers 403 without the Read Identity Files permission', async () => {
    const personId = await stored(Buffer.from('x'), 'a.pdf');
    const jwt = await token({ claims: { permissions: [PERMISSIONS.addFiles] } });
    const response = await get(personId, 'doc-1', jwt);
    expect(response.statusCode).toBe(403);
    expect(response.body.toString()).not.toContain('x.pdf');
  });

  it('answers 401 without a token', async () => {
    const personId = await stored(Buffer.from('x'), 'a.pdf');
    const response = await invoke(download, apiEvent({ path: dataPath(personId, 'doc-1') }));
    expect(response.statusCode).toBe(401);
  });
});
