import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type ServerProcess, startServerProcess, tempDir, userEnv } from '../support/processes.ts';

const PERSON = '5d4c3b2a-1f0e-4d9c-8b7a-6f5e4d3c2b1a';

/** HTTP semantics, browsers' CORS and large documents, through the server as clients use it. */
describe('files over real HTTP', () => {
  let server: ServerProcess;
  let other: ServerProcess;
  let auth: Record<string, string>;

  beforeAll(async () => {
    const env = userEnv({ DATA_DIR: await tempDir() });
    server = await startServerProcess(['--cors-origin', 'https://app.customer.example'], env);
    other = await startServerProcess(
      ['--public-url', 'https://files.customer.example:5009'],
      userEnv({ DATA_DIR: await tempDir() }),
    );
    auth = { Authorization: `Bearer ${server.token}` };
  });
  afterAll(async () => {
    await server?.stop();
    await other?.stop();
  });

  it('names the public URL in presigned upload URLs', async () => {
    const started = await fetch(`${other.url}/api/v1/people/fileDocuments/uploadSessions`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${other.token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ personId: PERSON, name: 'x', fileName: 'x.pdf', size: 10 }),
    });
    expect(started.status).toBe(201);
    const { upload } = (await started.json()) as { upload: { url: string } };
    expect(upload.url).toBe('https://files.customer.example:5009/_storage/identities');
  });

  const photo = (headers: Record<string, string> = {}, method = 'GET') =>
    fetch(`${server.url}/api/v1/people/enrollmentPhoto/sample-face`, { method, headers: { ...auth, ...headers } });

  it('revalidates a photo: 304 with the same ETag and no body', async () => {
    const first = await photo();
    const etag = first.headers.get('etag') ?? '';
    expect(etag).toMatch(/^"/);
    const again = await photo({ 'If-None-Match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(again.headers.get('cache-control')).toBe('private, no-cache');
    expect((await again.arrayBuffer()).byteLength).toBe(0);
  });

  it('serves photo ranges: first byte, last byte, past the end', async () => {
    const whole = Buffer.from(await (await photo()).arrayBuffer());
    const first = await photo({ Range: 'bytes=0-0' });
    expect(first.status).toBe(206);
    expect(Buffer.from(await first.arrayBuffer())).toEqual(whole.subarray(0, 1));
    const last = await photo({ Range: '-1'.replace('-1', 'bytes=-1') });
    expect(last.headers.get('content-range')).toBe(`bytes ${whole.length - 1}-${whole.length - 1}/${whole.length}`);
    expect(Buffer.from(await last.arrayBuffer())).toEqual(whole.subarray(whole.length - 1));
    const past = await photo({ Range: `bytes=${whole.length}-` });
    expect(past.status).toBe(416);
    expect(past.headers.get('content-range')).toBe(`bytes */${whole.length}`);
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const get = await photo();
    const head = await photo({}, 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(get.headers.get('content-length'));
    expect(head.headers.get('etag')).toBe(get.headers.get('etag'));
    expect((await head.arrayBuffer()).byteLength).toBe(0);
  });

  it('answers a preflight from an allowed origin and refuses others', async () => {
    const preflight = (origin: string) =>
      fetch(`${server.url}/api/v1/people/fileDocuments/upload`, {
        method: 'OPTIONS',
        headers: {
          Origin: origin,
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization',
        },
      });
    for (const origin of ['https://app.customer.example', 'http://localhost:5173']) {
      const allowed = await preflight(origin);
      expect(allowed.status).toBe(204);
      expect(allowed.headers.get('access-control-allow-origin')).toBe(origin);
      expect(allowed.headers.get('access-control-allow-headers')).toContain('Authorization');
    }
    const refused = await preflight('https://evil.example');
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
    const response = await photo({ Origin: 'https://app.customer.example' });
    expect(response.headers.get('access-control-allow-origin')).toBe('https://app.customer.example');
    expect(response.headers.get('access-control-expose-headers')).toContain('Content-Disposition');
  });

  it('takes a 50 MB document by upload session and returns it with the same SHA-256, ranges included', async () => {
    const bytes = randomBytes(50 * 1024 * 1024);
    const started = await fetch(`${server.url}/api/v1/people/fileDocuments/uploadSessions`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        personId: PERSON,
        name: 'Scan',
        publicId: 'scan-50',
        fileName: 'scan.tiff',
        contentType: 'image/tiff',
        size: bytes.length,
      }),
    });
    expect(started.status).toBe(201);
    const session = (await started.json()) as {
      upload: { url: string; fields: Record<string, string>; fileField: string };
      complete: { url: string; body: unknown };
    };
    expect(session.upload.url.startsWith(server.url)).toBe(true);
    const form = new FormData();
    for (const [name, value] of Object.entries(session.upload.fields)) form.set(name, value);
    form.set(session.upload.fileField, new Blob([bytes], { type: 'image/tiff' }), 'scan.tiff');
    expect((await fetch(session.upload.url, { method: 'POST', body: form })).ok).toBe(true);
    const completeUrl = new URL(session.complete.url, `${server.url}/api/v1/people/fileDocuments/uploadSessions`);
    const completed = await fetch(completeUrl, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify(session.complete.body),
    });
    expect(completed.status).toBe(200);

    const url = `${server.url}/api/v1/people/${PERSON}/fileDocuments/scan-50/data`;
    const downloaded = await fetch(url, { headers: auth });
    const hash = createHash('sha256');
    for await (const chunk of downloaded.body as AsyncIterable<Uint8Array>) hash.update(chunk);
    const expected = createHash('sha256').update(bytes).digest('hex');
    expect(hash.digest('hex')).toBe(expected);
    expect(downloaded.headers.get('etag')).toBe(`"${expected}"`);
    const tail = await fetch(url, { headers: { ...auth, Range: 'bytes=-1000' } });
    expect(tail.status).toBe(206);
    expect(Buffer.from(await tail.arrayBuffer()).equals(bytes.subarray(bytes.length - 1000))).toBe(true);
  });

  it('names the upload-session route in the 413 of the multipart endpoint', async () => {
    const form = new FormData();
    form.set('personId', PERSON);
    form.set('name', 'Too big');
    form.set('file', new Blob([Buffer.alloc(4 * 1024 * 1024 + 100)]), 'big.bin');
    const response = await fetch(`${server.url}/api/v1/people/fileDocuments/upload`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { detail: string }).detail).toContain(
      '/api/v1/people/fileDocuments/uploadSessions',
    );
  });

  it('aborts a download cut short by the client without harming the server', async () => {
    const result = await run(
      'curl',
      [
        '-s',
        '--max-filesize',
        '1000',
        '-o',
        '/dev/null',
        `${server.url}/api/v1/people/${PERSON}/fileDocuments/scan-50/data`,
        '-H',
        `Authorization: Bearer ${server.token}`,
      ],
      userEnv(),
    );
    expect(result.code).not.toBe(0);
    expect((await photo()).status).toBe(200);
  });
});
