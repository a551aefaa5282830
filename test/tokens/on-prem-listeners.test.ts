import { chmod, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { connect } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, type ServerProcess, startServerProcess, tempDir, userEnv } from '../support/processes.ts';

/*
 * The on-prem server as the product listens: HTTPS, and beside it, when enabled, plain HTTP (the
 * product's 6009; an ephemeral port here) for a TLS-terminating proxy on the same host. It trusts the
 * customer's Identities server by its HS256 secret, kept in an owner-only file, for an issuer that sets
 * neither iss nor aud.
 */
const SECRET = 'on-prem-identities-server-secret-0123456789';
const PHOTO = '/api/v1/people/enrollmentPhoto/sample-face';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

function get(url: string, headers: Record<string, string>, ca?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const send = url.startsWith('https:') ? httpsRequest : httpRequest;
    const request = send(url, { headers, ...(ca === undefined ? {} : { ca }) }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

/** Raw bytes to a plain-HTTP port; resolves with what came back before the server closed or 5 s passed. */
function raw(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let answer = '';
    socket.setTimeout(5000, () => socket.destroy());
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
    });
    socket.on('close', () => resolve(answer));
    socket.on('error', reject);
  });
}

let dataDir: string;
let secretFile: string;
let server: ServerProcess;
let httpUrl: string;
let ca: string;
let jwt: string;

beforeAll(async () => {
  dataDir = await tempDir();
  secretFile = join(dataDir, '..', `secret-${process.pid}-${Date.now()}`);
  await writeFile(secretFile, `${SECRET}\n`, { mode: 0o600 });
  server = await startServerProcess(
    ['--tls-self-signed', '--http-port', '0', '--jwt-unchecked-claims', 'iss,aud'],
    userEnv({ DATA_DIR: dataDir, JWT_SECRET_FILE: secretFile }),
  );
  httpUrl = /Plain HTTP \(for a TLS-terminating proxy\): (\S+)/.exec(server.output())?.[1] ?? '';
  ca = await readFile(join(dataDir, 'tls-cert.pem'), 'utf8');
  const minted = await cli(
    ['token', '--identities-server', '--name', 'jdoe', '--role', 'Clerk', '--secret-file', secretFile],
    userEnv(),
  );
  expect(minted.code).toBe(0);
  jwt = minted.stdout.trim();
}, 60_000);

afterAll(async () => {
  await server?.stop();
  await rm(secretFile, { force: true });
});

describe('identities token --identities-server', () => {
  it("mints the Identities server's shape: HS256, ASP.NET claim names, no iss or aud unless given", () => {
    const [header, payload] = jwt
      .split('.')
      .slice(0, 2)
      .map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header).toEqual({ alg: 'HS256', typ: 'JWT' });
    expect(Object.keys(payload)).toEqual(['unique_name', 'role', 'nbf', 'exp', 'iat']);
    expect(payload).toMatchObject({ unique_name: 'jdoe', role: 'Clerk' });
    expect(payload.exp - payload.iat).toBe(12 * 3600);
  });

  it('takes the secret from a file or JWT_SECRET only, and refuses a file others can read', async () => {
    const open = join(dataDir, '..', `open-secret-${process.pid}`);
    await writeFile(open, SECRET);
    await chmod(open, 0o644);
    try {
      const refused = await cli(['token', '--identities-server', '--secret-file', open], userEnv());
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('open to other users');
      const fromEnv = await cli(
        ['token', '--identities-server', '--role', 'A', '--role', 'B', '--iss', 'srv', '--aud', 'api'],
        userEnv({ JWT_SECRET: SECRET }),
      );
      expect(fromEnv.code).toBe(0);
      const payload = JSON.parse(Buffer.from(fromEnv.stdout.split('.')[1] ?? '', 'base64url').toString());
      expect(payload).toMatchObject({ role: ['A', 'B'], iss: 'srv', aud: 'api' });
      const none = await cli(['token', '--identities-server'], userEnv());
      expect(none.code).toBe(2);
      expect(none.stderr).toContain('JWT_SECRET or --secret-file');
      const noSecretOption = await cli(['token', '--identities-server', '--secret', SECRET], userEnv());
      expect(noSecretOption.code).toBe(2);
    } finally {
      await rm(open, { force: true });
    }
  });
});

describe('the on-prem server trusting the Identities server, on HTTPS and plain HTTP', () => {
  it('says once at start that iss and aud go unchecked', () => {
    expect(server.output().match(/accepted without checking these claims/g)).toHaveLength(1);
  });

  it('serves the token on HTTPS, with HSTS', async () => {
    const answer = await get(`${server.url}${PHOTO}`, { Authorization: `Bearer ${jwt}` }, ca);
    expect(answer.status).toBe(200);
    expect(answer.headers['strict-transport-security']).toBeDefined();
  });

  it('serves the same on plain HTTP, with nosniff and without HSTS', async () => {
    expect(httpUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const answer = await get(`${httpUrl}${PHOTO}`, { Authorization: `Bearer ${jwt}` });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toBe('image/jpeg');
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['strict-transport-security']).toBeUndefined();
  });

  it('answers 401 on plain HTTP to no token and to a token signed with another secret', async () => {
    const missing = await get(`${httpUrl}${PHOTO}`, {});
    expect(missing.status).toBe(401);
    expect(missing.headers['www-authenticate']).toMatch(/^Bearer/);
    const [header, payload] = jwt.split('.');
    const forged = await get(`${httpUrl}${PHOTO}`, { Authorization: `Bearer ${header}.${payload}.${'A'.repeat(43)}` });
    expect(forged.status).toBe(401);
  });

  it('checks the token of an upload on plain HTTP before reading its body', async () => {
    const answer = await raw(
      httpUrl,
      'POST /api/v1/people/fileDocuments/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: multipart/form-data; boundary=x\r\nContent-Length: 5000000\r\n\r\n',
    );
    expect(answer).toMatch(/^HTTP\/1\.1 401 /);
  });

  it('holds the header limit on plain HTTP (16 KB)', async () => {
    const answer = await raw(
      httpUrl,
      `GET ${PHOTO} HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`,
    );
    expect(answer).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('answers any other path on plain HTTP as on HTTPS: 403, nothing forwarded', async () => {
    const answer = await get(`${httpUrl}/_storage/identities/faces/sample-face/enrollment.jpg`, {});
    expect(answer.status).toBe(403);
  });
});

describe('serve options for the plain-HTTP listener and the secret', () => {
  it('refuses plain HTTP beside plain HTTP, and a secret file others can read', async () => {
    const env = userEnv({ DATA_DIR: await tempDir() });
    const noTls = await cli(['serve', '--port', '0', '--http-port', '0'], env);
    expect(noTls.code).toBe(2);
    expect(noTls.stderr).toContain('--http-port adds plain HTTP beside HTTPS');
    const open = join(dataDir, '..', `open-serve-secret-${process.pid}`);
    await writeFile(open, SECRET, { mode: 0o644 });
    await chmod(open, 0o644);
    try {
      const refused = await cli(
        ['serve', '--port', '0', '--jwt-unchecked-claims', 'iss,aud', '--jwt-secret-file', open],
        env,
      );
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain('open to other users');
    } finally {
      await rm(open, { force: true });
    }
  });
});
