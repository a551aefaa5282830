import { mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { createPresignedPost } from '@aws-sdk/s3-presigned-post';
import { secureDataDir } from '@identities/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess, tempDir, userEnv } from '../support/processes.ts';

const PERSON = '3c2b1a0f-9e8d-4c7b-8a6f-5e4d3c2b1a0f';

interface Answer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One raw HTTP exchange, the request target sent exactly as given (no normalising of `//` or `..`). */
function exchange(
  base: string,
  options: { method?: string; path: string; headers?: Record<string, string | number>; body?: Buffer },
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
    req.end(options.body);
  });
}

/**
 * Sends the head of a request and only the first 64 KB of the body it declares, and resolves with the
 * answer: a server that read the body before answering would never answer, and the wait fails.
 */
function answerWhileSending(
  base: string,
  options: { method: string; path: string; headers: Record<string, string | number> },
): Promise<{ status: number; headers: IncomingHttpHeaders }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ hostname, port, ...options });
    req.on('response', (response) => {
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
      response.resume();
      req.destroy();
    });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(64 * 1024));
    setTimeout(() => reject(new Error('no answer before the body was complete')), 10_000).unref();
  });
}

/** Sends a head with `Expect: 100-continue` and no body: whether the server said to go ahead, and its answer. */
function askFirst(
  base: string,
  options: { method: string; path: string; headers: Record<string, string | number> },
): Promise<{ continued: boolean; status: number }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    let continued = false;
    const req = request({ hostname, port, ...options, headers: { ...options.headers, Expect: '100-continue' } });
    req.on('continue', () => {
      continued = true;
    });
    req.on('response', (response) => {
      resolve({ continued, status: response.statusCode ?? 0 });
      response.resume();
      req.destroy();
    });
    req.on('error', reject);
    req.flushHeaders();
  });
}

interface ServerInfo {
  readonly s3Endpoint: string;
  readonly dynamoEndpoint: string;
  readonly bucket: string;
  readonly table: string;
}

/** A session's presigned form, as the API hands it out. */
interface Form {
  readonly url: string;
  readonly fields: Record<string, string>;
  readonly documentId: string;
}

function multipartBody(fields: readonly (readonly [string, string])[], file?: { data: Buffer; type: string }) {
  const boundary = `----attack${Math.random().toString(16).slice(2)}`;
  const parts = fields.map(
    ([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`,
  );
  const head = Buffer.from(
    parts.join('') +
      (file === undefined
        ? ''
        : `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\nContent-Type: ${file.type}\r\n\r\n`),
  );
  const tail = Buffer.from(`${file === undefined ? '' : '\r\n'}--${boundary}--\r\n`);
  return {
    body: Buffer.concat([head, file?.data ?? Buffer.alloc(0), tail]),
    contentType: `multipart/form-data; boundary=${boundary}`,
  };
}

/** Tried as an attacker on the customer's network would, against the on-prem server, with no token. */
describe('the on-prem server, attacked from the network', () => {
  let server: ServerProcess;
  let dataDir: string;
  let info: ServerInfo;
  let auth: Record<string, string>;
  /** A host the attacker wants reached through the server; it counts every request it gets. */
  let target: Server;
  let targetHits = 0;

  beforeAll(async () => {
    dataDir = await tempDir();
    server = await startServerProcess([], userEnv({ DATA_DIR: dataDir }));
    info = JSON.parse(await readFile(join(dataDir, 'server.json'), 'utf8')) as ServerInfo;
    auth = { Authorization: `Bearer ${server.token}` };
    target = createServer((_, response) => {
      targetHits++;
      response.end('reached');
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    await server?.stop();
    await new Promise<void>((resolve) => target?.close(() => resolve()));
    await rm(dataDir, { recursive: true, force: true });
  });

  const startSession = async (size: number, contentType = 'application/pdf'): Promise<Form> => {
    const response = await fetch(`${server.url}/api/v1/people/fileDocuments/uploadSessions`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ personId: PERSON, name: 'Scan', fileName: 'scan.pdf', contentType, size }),
    });
    expect(response.status).toBe(201);
    const body = (await response.json()) as {
      documentId: string;
      upload: { url: string; fields: Record<string, string> };
    };
    return { url: body.upload.url, fields: body.upload.fields, documentId: body.documentId };
  };
  const postForm = (form: Form, file: Buffer, options: { extra?: [string, string][]; type?: string } = {}) => {
    const { body, contentType } = multipartBody([...Object.entries(form.fields), ...(options.extra ?? [])], {
      data: file,
      type: options.type ?? 'application/pdf',
    });
    return exchange(server.url, {
      method: 'POST',
      path: new URL(form.url).pathname,
      headers: { 'Content-Type': contentType, 'Content-Length': body.length },
      body,
    });
  };
  const complete = (documentId: string) =>
    fetch(`${server.url}/api/v1/people/fileDocuments/uploadSessions/${documentId}/complete`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ personId: PERSON }),
    });
  const photo = () => fetch(`${server.url}/api/v1/people/enrollmentPhoto/sample-face`, { headers: auth });

  describe('the storage path', () => {
    it('lists nothing: a bucket listing is refused without a key in the answer', async () => {
      const answer = await exchange(server.url, { path: '/_storage/identities?list-type=2' });
      expect(answer.status).toBe(403);
      expect(answer.body.toString()).toContain('<Code>AccessDenied</Code>');
      expect(answer.body.toString()).not.toContain('faces/');
    });

    it('serves no object: a GET of a photo through it is refused', async () => {
      const answer = await exchange(server.url, { path: '/_storage/identities/faces/sample-face/enrollment.jpg' });
      expect(answer.status).toBe(403);
      expect(answer.headers['content-type']).toBe('application/xml');
    });

    it('replaces nothing: a PUT over a photo is refused and the photo is unchanged', async () => {
      const before = Buffer.from(await (await photo()).arrayBuffer());
      const answer = await exchange(server.url, {
        method: 'PUT',
        path: '/_storage/identities/faces/sample-face/enrollment.jpg',
        headers: { 'Content-Type': 'text/html' },
        body: Buffer.from('<script>alert(1)</script>'),
      });
      expect(answer.status).toBe(403);
      const after = await photo();
      expect(after.headers.get('content-type')).toBe('image/jpeg');
      expect(Buffer.from(await after.arrayBuffer()).equals(before)).toBe(true);
    });

    it('deletes nothing: a DELETE of a photo is refused and the photo is still served', async () => {
      const answer = await exchange(server.url, {
        method: 'DELETE',
        path: '/_storage/identities/faces/sample-face/enrollment.jpg',
      });
      expect(answer.status).toBe(403);
      expect((await photo()).status).toBe(200);
    });

    it('is no proxy: a path naming another host and port reaches nothing', async () => {
      const { port } = target.address() as AddressInfo;
      const dynamoPort = new URL(info.dynamoEndpoint).port;
      for (const path of [
        `/_storage//127.0.0.1:${port}/anything`,
        `/_storage/..//127.0.0.1:${port}/`,
        `/_storage//127.0.0.1:${dynamoPort}/`,
        `/_storage/http://127.0.0.1:${port}/`,
      ]) {
        const answer = await exchange(server.url, {
          method: 'POST',
          path,
          headers: {
            'X-Amz-Target': 'DynamoDB_20120810.Scan',
            'Content-Type': 'application/x-amz-json-1.0',
            Authorization: `Bearer ${server.token}`,
          },
          body: Buffer.from(JSON.stringify({ TableName: info.table })),
        });
        expect(answer.status, path).toBe(403);
        expect(answer.body.toString(), path).not.toContain('Items');
      }
      const absolute = await exchange(server.url, { path: `http://127.0.0.1:${port}/anything` });
      expect(absolute.status).toBe(400);
      expect(targetHits).toBe(0);
    });

    it('never redirects: a form asking for a redirect is refused, with no Location', async () => {
      const form = await startSession(5);
      const answer = await postForm(form, Buffer.from('12345'), {
        extra: [['success_action_redirect', 'http://evil.example/']],
      });
      expect(answer.status).toBe(400);
      expect(answer.headers.location).toBeUndefined();
    });

    it('serves no HTML: nothing under it answers with a body a browser would render', async () => {
      const answer = await exchange(server.url, {
        path: '/_storage/identities/faces/x.html',
        headers: { Accept: 'text/html' },
      });
      expect(answer.status).toBe(403);
      expect(answer.headers['content-type']).not.toContain('html');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    });

    it('accepts a form only as signed: a forged signature, another key, a tampered policy or field are refused', async () => {
      const form = await startSession(5);
      const file = Buffer.from('12345');
      const flip = (hex: string) => `${hex.slice(0, -1)}${hex.endsWith('0') ? '1' : '0'}`;
      const policy = JSON.parse(Buffer.from(form.fields.Policy ?? '', 'base64').toString()) as {
        conditions: unknown[];
      };
      const widened = Buffer.from(
        JSON.stringify({ ...policy, conditions: [...policy.conditions, ['content-length-range', 0, 1e9]] }),
      ).toString('base64');
      const cases: [string, Record<string, string>][] = [
        ['a forged signature', { 'X-Amz-Signature': flip(form.fields['X-Amz-Signature'] ?? '') }],
        [
          'the well-known stand-in key',
          { 'X-Amz-Credential': (form.fields['X-Amz-Credential'] ?? '').replace(/^[^/]+/, 'S3RVER') },
        ],
        ['a widened policy', { Policy: widened }],
        ['another key', { key: 'faces/sample-face/enrollment.jpg' }],
        ['another content type', { 'Content-Type': 'text/html' }],
      ];
      for (const [name, changed] of cases) {
        const answer = await postForm({ ...form, fields: { ...form.fields, ...changed } }, file);
        expect(answer.status, name).toBeGreaterThanOrEqual(400);
        expect(answer.status, name).toBeLessThan(500);
      }
      // The photo a forged key aimed at is untouched, and the session has nothing to complete.
      expect((await photo()).headers.get('content-type')).toBe('image/jpeg');
      expect((await complete(form.documentId)).status).toBe(409);
    });

    it('refuses an expired form, though signed with the install key', async () => {
      const key = JSON.parse(await readFile(join(dataDir, 'store-credentials.json'), 'utf8')) as {
        accessKeyId: string;
        secretAccessKey: string;
      };
      const signer = new S3Client({
        region: 'us-east-1',
        endpoint: `${server.url}/_storage`,
        forcePathStyle: true,
        credentials: key,
      });
      try {
        const post = await createPresignedPost(signer, {
          Bucket: info.bucket,
          Key: 'uploads/expired',
          Conditions: [['content-length-range', 5, 5]],
          Expires: 1,
        });
        await new Promise((resolve) => setTimeout(resolve, 1500));
        const answer = await postForm({ url: post.url, fields: post.fields, documentId: '' }, Buffer.from('12345'));
        expect(answer.status).toBe(403);
        expect(answer.body.toString()).toContain('Policy expired');
        // The same form, fresh, goes through: the refusal was the expiry's.
        const fresh = await createPresignedPost(signer, {
          Bucket: info.bucket,
          Key: 'uploads/expired',
          Conditions: [['content-length-range', 5, 5]],
          Expires: 60,
        });
        expect(
          (await postForm({ url: fresh.url, fields: fresh.fields, documentId: '' }, Buffer.from('12345'))).status,
        ).toBe(204);
      } finally {
        signer.destroy();
      }
    });

    it('stores exactly the declared size: one byte more or less is refused and nothing is stored', async () => {
      const form = await startSession(5);
      for (const file of [Buffer.from('123456'), Buffer.from('1234')]) {
        const answer = await postForm(form, file);
        expect(answer.status).toBe(400);
        expect(answer.body.toString()).toMatch(/EntityToo(Large|Small)/);
      }
      expect((await complete(form.documentId)).status).toBe(409);
      const answer = await postForm(form, Buffer.from('12345'));
      expect(answer.status).toBe(204);
      expect((await complete(form.documentId)).status).toBe(200);
    });

    it('refuses a body larger than any form before reading it', async () => {
      const answer = await exchange(server.url, {
        method: 'POST',
        path: '/_storage/identities',
        headers: {
          'Content-Type': 'multipart/form-data; boundary=x',
          'Content-Length': 256 * 1024 * 1024,
          Expect: '100-continue',
        },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.toString()).toContain('EntityTooLarge');
    });

    it('gives no go-ahead before it has looked at the path and method', async () => {
      const outcome = await askFirst(server.url, {
        method: 'PUT',
        path: '/_storage/identities/faces/x.jpg',
        headers: { 'Content-Length': 1024 },
      });
      expect(outcome).toEqual({ continued: false, status: 403 });
    });

    it('drops a form whose signed fields do not arrive in time, however long its body claims to be', async () => {
      const { hostname, port } = new URL(server.url);
      const started = Date.now();
      const answer = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = request({
          hostname,
          port,
          method: 'POST',
          path: '/_storage/identities',
          headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': 60_000_000 },
        });
        req.on('response', (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString() });
            req.destroy();
          });
        });
        req.on('error', () => undefined);
        // A form that never gets to its signature.
        req.write('--x\r\nContent-Disposition: form-data; name="key"\r\n\r\nuploads/x\r\n');
        setTimeout(() => reject(new Error('the connection was held')), 40_000).unref();
      });
      expect(answer.status).toBe(400);
      expect(answer.body).toContain('RequestTimeout');
      expect(Date.now() - started).toBeLessThan(30_000);
    }, 45_000);

    it('logs every request, refused ones included', () => {
      expect(server.output()).toMatch(/"message":"storage request".*"status":403/);
    });
  });

  describe('the embedded stores', () => {
    it('refuse requests that are not signed with the install key, and answer those that are', async () => {
      const anonymous = await exchange(info.s3Endpoint, { path: `/${info.bucket}?list-type=2` });
      expect(anonymous.status).toBe(403);
      expect(anonymous.body.toString()).not.toContain('faces/');

      const wellKnown = { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' };
      const client = (credentials: { accessKeyId: string; secretAccessKey: string }) =>
        new S3Client({
          region: 'us-east-1',
          endpoint: info.s3Endpoint,
          forcePathStyle: true,
          credentials,
          maxAttempts: 1,
        });
      const intruder = client(wellKnown);
      try {
        await expect(
          intruder.send(new GetObjectCommand({ Bucket: info.bucket, Key: 'faces/sample-face/enrollment.jpg' })),
        ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
        await expect(
          intruder.send(new PutObjectCommand({ Bucket: info.bucket, Key: 'faces/x/enrollment.jpg', Body: 'x' })),
        ).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
      } finally {
        intruder.destroy();
      }
      const dynamo = new DynamoDBClient({
        region: 'us-east-1',
        endpoint: info.dynamoEndpoint,
        credentials: wellKnown,
        maxAttempts: 1,
      });
      try {
        await expect(dynamo.send(new ScanCommand({ TableName: info.table }))).rejects.toMatchObject({
          $metadata: { httpStatusCode: 400 },
        });
      } finally {
        dynamo.destroy();
      }
      const unsignedScan = await exchange(info.dynamoEndpoint, {
        method: 'POST',
        path: '/',
        headers: { 'X-Amz-Target': 'DynamoDB_20120810.Scan', 'Content-Type': 'application/x-amz-json-1.0' },
        body: Buffer.from(JSON.stringify({ TableName: info.table })),
      });
      expect(unsignedScan.status).toBe(400);
      expect(unsignedScan.body.toString()).not.toContain('Items');

      const key = JSON.parse(await readFile(join(dataDir, 'store-credentials.json'), 'utf8')) as {
        accessKeyId: string;
        secretAccessKey: string;
      };
      const owner = client(key);
      try {
        const head = await owner.send(
          new HeadObjectCommand({ Bucket: info.bucket, Key: 'faces/sample-face/enrollment.jpg' }),
        );
        expect(head.ContentType).toBe('image/jpeg');
      } finally {
        owner.destroy();
      }
    });

    it('refuse a caller without the install key before reading its body', async () => {
      const answer = await answerWhileSending(info.dynamoEndpoint, {
        method: 'POST',
        path: '/',
        headers: { 'X-Amz-Target': 'DynamoDB_20120810.Scan', 'Content-Length': 16 * 1024 * 1024 },
      });
      expect(answer.status).toBe(400);
    });

    it('listen on loopback only', () => {
      expect(new URL(info.s3Endpoint).hostname).toBe('127.0.0.1');
      expect(new URL(info.dynamoEndpoint).hostname).toBe('127.0.0.1');
    });
  });

  describe('requests without a token', () => {
    it('are answered 401 before their body is read, the connection then closed', async () => {
      // 64 KB of a declared 10 MB are sent: the answer comes before the body is complete.
      const answer = await answerWhileSending(server.url, {
        method: 'POST',
        path: '/api/v1/people/fileDocuments/upload',
        headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': 10 * 1024 * 1024 },
      });
      expect(answer.status).toBe(401);
      expect(answer.headers.connection).toBe('close');
    });

    it('are answered before their body is read on any route, a GET with a body too', async () => {
      const answer = await answerWhileSending(server.url, {
        method: 'GET',
        path: '/api/v1/people/enrollmentPhoto/sample-face',
        headers: { 'Content-Length': 10 * 1024 * 1024 },
      });
      expect(answer.status).toBe(401);
    });

    it('get no go-ahead to send their body when they ask first', async () => {
      const outcome = await askFirst(server.url, {
        method: 'POST',
        path: '/api/v1/people/fileDocuments/upload',
        headers: { 'Content-Type': 'multipart/form-data; boundary=x', 'Content-Length': 1024 },
      });
      expect(outcome).toEqual({ continued: false, status: 401 });
    });
  });

  describe('maps keyed by what clients send', () => {
    it('answer query names and header names such as constructor and __proto__ like any other', async () => {
      for (const query of ['?constructor=1', '?__proto__=1', '?toString=1&hasOwnProperty=2']) {
        const answer = await exchange(server.url, {
          path: `/api/v1/people/enrollmentPhoto/sample-face${query}`,
          headers: auth,
        });
        expect(answer.status, query).toBe(200);
      }
      for (const name of ['constructor', 'toString', '__proto__', 'hasOwnProperty', 'valueOf']) {
        const answer = await exchange(server.url, {
          path: '/api/v1/people/enrollmentPhoto/sample-face',
          headers: { ...auth, [name]: 'x' },
        });
        expect(answer.status, name).toBe(200);
      }
      expect(server.output()).not.toContain('gateway failed');
    });

    it('answer request targets no route names with a 4xx, never a failure of their own', async () => {
      for (const path of ['//[', '//%', '/%zz/[', '/\\\\x']) {
        const answer = await exchange(server.url, { path });
        expect(answer.status, path).toBeGreaterThanOrEqual(400);
        expect(answer.status, path).toBeLessThan(500);
      }
      // And `//host/...` is a path here, never a host.
      expect((await exchange(server.url, { path: '//evil.example/.well-known/jwks.json' })).status).toBe(403);
      expect(server.output()).not.toContain('gateway failed');
    });

    it('merges many distinct headers, and repeated ones case-insensitively', async () => {
      // Host first: Node's server drops headers past its count limit, and its client sends Host last.
      const headers: Record<string, string> = { Host: new URL(server.url).host, ...auth };
      for (let i = 0; i < 1000; i++) headers[`x-h${i}`] = 'v';
      headers['X-H7'] = 'repeated';
      const answer = await exchange(server.url, { path: '/api/v1/people/enrollmentPhoto/sample-face', headers });
      expect(answer.status).toBe(200);
    });
  });
});

describe('a client that goes away mid-upload', () => {
  it('leaves no staged bytes and no stored object, and the server still stops at once', async () => {
    const dataDir = await tempDir();
    const server = await startServerProcess([], userEnv({ DATA_DIR: dataDir }));
    try {
      const auth = { Authorization: `Bearer ${server.token}`, 'Content-Type': 'application/json' };
      const started = await fetch(`${server.url}/api/v1/people/fileDocuments/uploadSessions`, {
        method: 'POST',
        headers: auth,
        body: JSON.stringify({ personId: PERSON, name: 'Big', fileName: 'big.bin', size: 8 * 1024 * 1024 }),
      });
      const session = (await started.json()) as {
        documentId: string;
        upload: { url: string; fields: Record<string, string> };
      };
      const { body, contentType } = multipartBody(Object.entries(session.upload.fields), {
        data: Buffer.alloc(8 * 1024 * 1024, 7),
        type: 'application/octet-stream',
      });
      const { hostname, port } = new URL(server.url);
      await new Promise<void>((resolve) => {
        const req = request({
          hostname,
          port,
          method: 'POST',
          path: new URL(session.upload.url).pathname,
          headers: { 'Content-Type': contentType, 'Content-Length': body.length },
        });
        req.on('error', () => undefined);
        req.write(body.subarray(0, 4 * 1024 * 1024), () =>
          setTimeout(() => {
            req.destroy();
            resolve();
          }, 300),
        );
      });
      await expect.poll(() => readdir(join(dataDir, 'tmp')), { timeout: 5000 }).toEqual([]);
      const completed = await fetch(
        `${server.url}/api/v1/people/fileDocuments/uploadSessions/${session.documentId}/complete`,
        {
          method: 'POST',
          headers: auth,
          body: JSON.stringify({ personId: PERSON }),
        },
      );
      expect(completed.status).toBe(409);
      expect(server.output()).toMatch(/"message":"storage request".*"aborted":true/);
    } finally {
      const stopped = Date.now();
      const code = await server.stop('SIGINT');
      expect(code, server.output()).toBe(0);
      expect(Date.now() - stopped).toBeLessThan(15_000);
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});

/** Every entry under a dir, with its permission bits. */
async function modes(dir: string): Promise<[string, number, boolean][]> {
  const found: [string, number, boolean][] = [];
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path);
    found.push([path, info.mode & 0o777, info.isDirectory()]);
  }
  return found;
}

describe('data at rest', () => {
  it('is owner-only whatever the umask, and a dir left open by an older install is tightened', async () => {
    const dataDir = await tempDir();
    // As an older install left it: open to every local user.
    await mkdir(join(dataDir, 's3'), { mode: 0o755 });
    await writeFile(join(dataDir, 'notes.txt'), 'x', { mode: 0o644 });
    const { chmod } = await import('node:fs/promises');
    await chmod(dataDir, 0o755);
    await chmod(join(dataDir, 'notes.txt'), 0o644);
    const server = await startServerProcess([], userEnv({ DATA_DIR: dataDir }));
    try {
      const form = new FormData();
      form.set('personId', PERSON);
      form.set('name', 'ID');
      form.set('file', new File([Buffer.from('%PDF-1.7 secret')], 'id.pdf', { type: 'application/pdf' }));
      const upload = await fetch(`${server.url}/api/v1/people/fileDocuments/upload`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${server.token}` },
        body: form,
      });
      expect(upload.status).toBe(200);
      expect((await stat(dataDir)).mode & 0o777).toBe(0o700);
      const entries = await modes(dataDir);
      expect(entries.some(([path]) => path.includes(`${join('s3', 'identities')}`))).toBe(true);
      for (const [path, mode, directory] of entries) {
        // The server's lock and socket-like files are its own too.
        expect(mode, path).toBe(directory ? 0o700 : 0o600);
      }
    } finally {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('refuses a data dir that belongs to another user', async () => {
    const uid = process.getuid?.() ?? 0;
    let foreign: string;
    if (uid === 0) {
      foreign = await tempDir();
      const { chown } = await import('node:fs/promises');
      await chown(foreign, 65534, 65534);
    } else {
      // Not root: the system's temporary folder belongs to root.
      foreign = tmpdir();
    }
    try {
      expect(() => secureDataDir(foreign)).toThrow(/belongs to user/);
    } finally {
      if (uid === 0) await rm(foreign, { recursive: true, force: true });
    }
  });
});
