import { randomBytes } from 'node:crypto';
import { type IncomingHttpHeaders, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess, tempDir, userEnv } from '../support/processes.ts';

const PERSON = '6e5d4c3b-2a1f-4e0d-9c8b-7a6f5e4d3c2b';
const WEB_APP = 'https://app.customer.example';

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One raw HTTP exchange, the request target sent exactly as given (no normalising of `//` or `..`). */
function exchange(
  base: string,
  options: { method?: string; path: string; headers?: Record<string, string> },
): Promise<Answer> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request(
      { hostname, port, method: options.method ?? 'GET', path: options.path, headers: options.headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
        );
        response.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** Download links through the server's storage path, as a client on the customer's network meets them. */
describe('download links through the server', () => {
  let server: ServerProcess;
  let auth: Record<string, string>;
  const bytes = randomBytes(300_000);
  let link: URL;

  const newLink = async (path: string, body?: unknown) => {
    const answer = await fetch(`${server.url}${path}`, {
      method: 'POST',
      headers: { ...auth, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(answer.status).toBe(201);
    return new URL(((await answer.json()) as { url: string }).url);
  };
  /** The link's target (path and query) with its path replaced, the query kept byte for byte. */
  const withPath = (url: URL, path: string) => `${path}${url.search}`;

  beforeAll(async () => {
    server = await startServerProcess(['--cors-origin', WEB_APP], userEnv({ DATA_DIR: await tempDir() }));
    auth = { Authorization: `Bearer ${server.token}` };
    const form = new FormData();
    form.set('personId', PERSON);
    form.set('name', 'Scan');
    form.set('publicId', 'scan-1');
    form.set('file', new Blob([bytes], { type: 'image/tiff' }), 'scan.tiff');
    const uploaded = await fetch(`${server.url}/api/v1/people/fileDocuments/upload`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    expect(uploaded.status).toBe(200);
    link = await newLink(`/api/v1/people/${PERSON}/fileDocuments/scan-1/links`, { expiresIn: 300 });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('points at the server’s own storage path and serves exactly the bytes, as an attachment', async () => {
    expect(link.href.startsWith(`${server.url}/_storage/identities/people/${PERSON}/documents/scan-1/`)).toBe(true);
    const answer = await fetch(link);
    expect(answer.status).toBe(200);
    expect(Buffer.from(await answer.arrayBuffer()).equals(bytes)).toBe(true);
    expect(answer.headers.get('content-type')).toBe('image/tiff');
    expect(answer.headers.get('content-length')).toBe(String(bytes.length));
    // Exactly what the streamed download sends.
    const data = await fetch(`${server.url}/api/v1/people/${PERSON}/fileDocuments/scan-1/data`, {
      method: 'HEAD',
      headers: auth,
    });
    expect(answer.headers.get('content-disposition')).toBe(data.headers.get('content-disposition'));
    expect(answer.headers.get('content-disposition')).toBe('attachment; filename="scan.tiff"');
    expect(answer.headers.get('cache-control')).toBe('private, no-store');
    expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
    const ranged = await fetch(link, { headers: { Range: 'bytes=1000-1999' } });
    expect(ranged.status).toBe(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(bytes.subarray(1000, 2000))).toBe(true);
  });

  it('serves a photo link with the photo’s bytes and headers', async () => {
    const photo = await fetch(`${server.url}/api/v1/people/enrollmentPhoto/sample-face`, { headers: auth });
    const expected = Buffer.from(await photo.arrayBuffer());
    const photoLink = await newLink('/api/v1/people/enrollmentPhoto/sample-face/links');
    const answer = await fetch(photoLink);
    expect(answer.status).toBe(200);
    expect(answer.headers.get('content-type')).toBe('image/jpeg');
    expect(answer.headers.get('cache-control')).toBe('private, no-cache');
    expect(Buffer.from(await answer.arrayBuffer()).equals(expected)).toBe(true);
  });

  it('refuses path tricks: every other spelling of the path is a 403, never the object', async () => {
    const key = link.pathname.slice('/_storage/identities/'.length);
    const [, personId, , documentId, uploadId] = key.split('/');
    for (const path of [
      `/_storage/identities/people/../people/${personId}/documents/${documentId}/${uploadId}`,
      `/_storage/identities/people/%2e%2e/people/${personId}/documents/${documentId}/${uploadId}`,
      `/_storage/identities/./people/${personId}/documents/${documentId}/${uploadId}`,
      `/_storage//identities/${key}`,
      `/_storage/identities//${key}`,
      `/_storage/identities/people%2F${personId}/documents/${documentId}/${uploadId}`,
      `/_storage/identities/people/${personId}%2Fdocuments/${documentId}/${uploadId}`,
      `/_storage/x/../identities/${key}`,
      `/_storage/identities/faces/sample-face/enrollment.jpg`,
      `/_storage/identities/people/${personId}/documents/${documentId}/${uploadId}/`,
    ]) {
      const answer = await exchange(server.url, { path: withPath(link, path) });
      expect(answer.status, path).toBe(403);
      expect(answer.headers['content-type'], path).toBe('application/xml');
      expect(answer.body.equals(bytes), path).toBe(false);
    }
  });

  it('refuses an unsigned read, a listing, and any other method on an object', async () => {
    const target = link.pathname;
    expect((await exchange(server.url, { path: target })).status).toBe(403);
    expect((await exchange(server.url, { path: '/_storage/identities/?list-type=2' })).status).toBe(403);
    expect((await exchange(server.url, { path: `/_storage/identities/people/?prefix=people/` })).status).toBe(403);
    for (const method of ['PUT', 'DELETE', 'POST', 'PATCH']) {
      const answer = await exchange(server.url, { method, path: withPath(link, target) });
      expect(answer.status, method).toBe(403);
    }
    // HEAD is a method of its own in the signature: a GET link does not answer it.
    expect((await exchange(server.url, { method: 'HEAD', path: withPath(link, target) })).status).toBe(403);
    expect((await fetch(link)).status).toBe(200);
  });

  it('refuses query injection: parameters a link does not carry, or carried twice', async () => {
    for (const extra of [
      'list-type=2',
      'acl',
      'uploadId=x',
      'response-expires=0',
      'response-content-type=text/html',
      `X-Amz-Signature=${'0'.repeat(64)}`,
      'versionId=1',
    ]) {
      const answer = await exchange(server.url, { path: `${link.pathname}${link.search}&${extra}` });
      expect([400, 403], extra).toContain(answer.status);
      expect(answer.body.equals(bytes), extra).toBe(false);
    }
  });

  it('answers a browser of the web app’s origin only, preflight included', async () => {
    const allowed = await fetch(link, { headers: { Origin: WEB_APP } });
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(WEB_APP);
    expect(allowed.headers.get('access-control-expose-headers')).toContain('Content-Disposition');
    await allowed.arrayBuffer();
    const other = await fetch(link, { headers: { Origin: 'https://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    await other.arrayBuffer();
    const preflight = (origin: string) =>
      exchange(server.url, {
        method: 'OPTIONS',
        path: withPath(link, link.pathname),
        headers: { Origin: origin, 'Access-Control-Request-Method': 'GET', 'Access-Control-Request-Headers': 'range' },
      });
    const ok = await preflight(WEB_APP);
    expect(ok.status).toBe(204);
    expect(ok.headers['access-control-allow-origin']).toBe(WEB_APP);
    expect(ok.headers['access-control-allow-methods']).toBe('GET');
    expect(String(ok.headers['access-control-allow-headers'])).toContain('Range');
    const refused = await preflight('https://evil.example');
    expect(refused.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('routes a path two link routes match as API Gateway does: the literal segment first', async () => {
    const answer = await fetch(`${server.url}/api/v1/people/detectionPhoto/fileDocuments/x/links`, {
      method: 'POST',
      headers: auth,
    });
    expect(answer.status).toBe(404);
    expect(((await answer.json()) as { detail: string }).detail).toBe('No such photo.');
  });

  it('never logs a link’s signature', async () => {
    await (await fetch(link)).arrayBuffer();
    const signature = link.searchParams.get('X-Amz-Signature') ?? '';
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(server.output()).toContain('"message":"storage request"');
    expect(server.output()).toContain('"message":"download link issued"');
    expect(server.output()).not.toContain(signature);
    expect(server.output()).not.toContain('X-Amz-Credential');
  });
});
