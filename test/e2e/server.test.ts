import { createHash, X509Certificate } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { connect } from 'node:net';
import { join } from 'node:path';
import { generateKeyPair, SignJWT } from 'jose';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cli,
  run,
  type ServerProcess,
  startServerProcess,
  storeKeyEnv,
  tempDir,
  userEnv,
} from '../support/processes.ts';
import { everyByte, jpegBytes } from '../support/storage.ts';

const PERSON = '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';

describe('identities serve (npm run dev), over real HTTP', () => {
  let dataDir: string;
  let work: string;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    dataDir = await tempDir();
    work = await tempDir('identities-work-');
    env = userEnv({ DATA_DIR: dataDir });
    server = await startServerProcess([], env);
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('runs the seed documentation curl examples as written', async () => {
    const token = (await cli(['token'], env)).stdout.trim();
    await writeFile(join(work, 'id-card.pdf'), everyByte(16));
    const script = `
      set -e
      cd "${work}"
      API_URL="${server.url}"
      TOKEN="${token}"
      curl -sk "$API_URL/api/v1/people/enrollmentPhoto/sample-face" \\
      -H "Authorization: Bearer $TOKEN" -o enrollment.jpg
      curl -sk "$API_URL/api/v1/people/detectionPhoto/sample-face/det-1" \\
      -H "Authorization: Bearer $TOKEN" -o detection.jpg
      curl -sk -X POST "$API_URL/api/v1/people/fileDocuments/upload" \\
      -H "Authorization: Bearer $TOKEN" \\
      -F "personId=${PERSON}" \\
      -F "name=ID Card" \\
      -F "description=Front of ID" \\
      -F "publicId=card-1" \\
      -F "file=@id-card.pdf" -w "%{http_code}" -o upload.out > upload.status
      curl -sk "$API_URL/api/v1/people/${PERSON}/fileDocuments/card-1/data" \\
      -H "Authorization: Bearer $TOKEN" -o id-card-downloaded.pdf
    `;
    const photo = jpegBytes(3000);
    await mkdir(join(work, 'photos'), { recursive: true });
    await writeFile(join(work, 'photos', 'det.jpg'), photo);
    expect(
      (
        await cli(
          ['photo', 'put', '--face-id', 'sample-face', '--detection-id', 'det-1', join(work, 'photos', 'det.jpg')],
          env,
        )
      ).code,
    ).toBe(0);

    const result = await run('bash', ['-c', script], env);
    expect(result.code).toBe(0);
    const sample = await readFile(new URL('../../packages/local/assets/sample-face.jpg', import.meta.url));
    expect((await readFile(join(work, 'enrollment.jpg'))).equals(sample)).toBe(true);
    expect((await readFile(join(work, 'detection.jpg'))).equals(photo)).toBe(true);
    expect(await readFile(join(work, 'upload.status'), 'utf8')).toBe('200');
    expect(await readFile(join(work, 'upload.out'), 'utf8')).toBe('');
    expect((await readFile(join(work, 'id-card-downloaded.pdf'))).equals(everyByte(16))).toBe(true);
  });

  it('prints the base URL, a working token and a curl line that works as pasted', async () => {
    const output = server.output();
    const line = output.split('\n').find((text) => text.startsWith('curl '));
    expect(line).toBeDefined();
    const result = await run('bash', ['-c', `cd "${work}" && ${line} && sha256sum enrollment.jpg`], env);
    expect(result.code).toBe(0);
    const sample = await readFile(new URL('../../packages/local/assets/sample-face.jpg', import.meta.url));
    expect(result.stdout).toContain(createHash('sha256').update(sample).digest('hex'));
  });

  it('serves the dev issuer keys at /.well-known/jwks.json', async () => {
    const response = await fetch(`${server.url}/.well-known/jwks.json`);
    expect(response.status).toBe(200);
    const jwks = (await response.json()) as { keys: { kty: string; kid: string; d?: string }[] };
    expect(jwks.keys).toHaveLength(1);
    expect(jwks.keys[0]?.kty).toBe('EC');
    expect(jwks.keys[0]?.d).toBeUndefined();
    const header = JSON.parse(Buffer.from(server.token.split('.')[0] ?? '', 'base64url').toString()) as { kid: string };
    expect(header.kid).toBe(jwks.keys[0]?.kid);
  });

  it('answers unknown paths and methods as API Gateway does: 403 Missing Authentication Token', async () => {
    for (const [method, path] of [
      ['GET', '/api/v1/people/unknown'],
      ['PUT', '/api/v1/people/enrollmentPhoto/x'],
      ['GET', '/'],
    ] as const) {
      const response = await fetch(`${server.url}${path}`, { method });
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    }
  });

  it('answers 413 as API Gateway does for a request over 10 MB', async () => {
    const response = await fetch(`${server.url}/api/v1/people/fileDocuments/upload`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'multipart/form-data; boundary=x' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1, 65),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Too Long' });
  });

  it('answers 413 as Lambda does for a request whose event exceeds 6 MB', async () => {
    const response = await fetch(`${server.url}/api/v1/people/fileDocuments/upload`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${server.token}`, 'Content-Type': 'multipart/form-data; boundary=x' },
      body: Buffer.alloc(5 * 1024 * 1024, 65),
    });
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ message: 'Request Entity Too Large' });
  });

  it('passes mixed-case and repeated headers through as API Gateway delivers them', async () => {
    const result = await run(
      'curl',
      [
        '-s',
        `${server.url}/api/v1/people/enrollmentPhoto/sample-face`,
        '-H',
        `authorization: Bearer ${server.token}`,
        '-H',
        `AUTHORIZATION: Bearer ${server.token}`,
      ],
      env,
    );
    expect(JSON.parse(result.stdout)).toMatchObject({ status: 401, detail: expect.stringMatching(/exactly one/) });
    const mixedCase = await run(
      'curl',
      [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        `${server.url}/api/v1/people/enrollmentPhoto/sample-face`,
        '-H',
        `aUtHoRiZaTiOn: Bearer ${server.token}`,
      ],
      env,
    );
    expect(mixedCase.stdout).toBe('200');
  });

  it('adds the request id header API Gateway adds', async () => {
    const response = await fetch(`${server.url}/api/v1/people/enrollmentPhoto/sample-face`, {
      headers: { Authorization: `Bearer ${server.token}` },
    });
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('logs one JSON line per request without the token', async () => {
    await fetch(`${server.url}/api/v1/people/enrollmentPhoto/sample-face`, {
      headers: { Authorization: `Bearer ${server.token}` },
    });
    const lines = server
      .output()
      .split('\n')
      .filter((line) => line.startsWith('{'));
    const entry = lines
      .map((line) => JSON.parse(line) as Record<string, unknown>)
      .find((e) => e.route === 'EnrollmentPhoto');
    expect(entry).toMatchObject({ level: 'info', message: 'request', status: 200, subject: 'dev-user' });
    expect(server.output().split('Try it:')[1]?.split('\n').slice(3).join('\n')).not.toContain(server.token);
  });
});

describe('the server process', () => {
  it('keeps data across a restart, and shuts down cleanly on SIGTERM and SIGINT', async () => {
    const dataDir = await tempDir();
    const env = userEnv({ DATA_DIR: dataDir });
    const first = await startServerProcess([], env);
    const form = new FormData();
    form.set('personId', PERSON);
    form.set('name', 'Kept');
    form.set('publicId', 'kept');
    form.set('file', new Blob([everyByte()], { type: 'application/pdf' }), 'kept.pdf');
    const upload = await fetch(`${first.url}/api/v1/people/fileDocuments/upload`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${first.token}` },
      body: form,
    });
    expect(upload.status).toBe(200);
    expect(await first.stop('SIGTERM')).toBe(0);

    const second = await startServerProcess([], env);
    const download = await fetch(`${second.url}/api/v1/people/${PERSON}/fileDocuments/kept/data`, {
      headers: { Authorization: `Bearer ${second.token}` },
    });
    expect(download.status).toBe(200);
    expect(Buffer.from(await download.arrayBuffer()).equals(everyByte())).toBe(true);
    expect(first.token.split('.')[0]).toBe(second.token.split('.')[0]);
    expect(await second.stop('SIGINT')).toBe(0);
  });

  it('lets a request in flight finish on SIGTERM, then exits 0', async () => {
    const env = userEnv({ DATA_DIR: await tempDir() });
    const server = await startServerProcess([], env);
    const boundary = 'inflight';
    const head = Buffer.from(
      [
        `--${boundary}\r\nContent-Disposition: form-data; name="personId"\r\n\r\n${PERSON}\r\n`,
        `--${boundary}\r\nContent-Disposition: form-data; name="name"\r\n\r\nIn flight\r\n`,
        `--${boundary}\r\nContent-Disposition: form-data; name="publicId"\r\n\r\ninflight\r\n`,
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="f.bin"\r\n\r\n`,
      ].join(''),
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const file = Buffer.alloc(1_000_000, 7);
    let exited: Promise<number | null> | undefined;
    const answered = new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${server.url}/api/v1/people/fileDocuments/upload`, {
        method: 'POST',
        headers: {
          Authorization: `Bearer ${server.token}`,
          'Content-Type': `multipart/form-data; boundary=${boundary}`,
          'Content-Length': head.length + file.length + tail.length,
        },
      });
      req.on('response', (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write(Buffer.concat([head, file.subarray(0, 500_000)]));
      // The server is told to stop while this request's body is still arriving.
      setTimeout(() => {
        exited = server.stop('SIGTERM');
        setTimeout(() => req.end(Buffer.concat([file.subarray(500_000), tail])), 300);
      }, 300);
    });
    expect(await answered).toBe(200);
    expect(await exited).toBe(0);
    expect(server.output()).toContain('finishing requests in flight');
  });

  it('exits non-zero with a clear message when the port is taken', async () => {
    const first = await startServerProcess([], userEnv({ DATA_DIR: await tempDir() }));
    const port = new URL(first.url).port;
    const second = await cli(['serve', '--port', port], userEnv({ DATA_DIR: await tempDir() }));
    await first.stop();
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`port ${port}`);
    expect(second.stderr).toContain('already in use');
  });

  it('exits non-zero with a clear message when another server holds the data dir', async () => {
    const env = userEnv({ DATA_DIR: await tempDir() });
    const first = await startServerProcess([], env);
    const second = await cli(['serve', '--port', '0'], env);
    await first.stop();
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/in use by another server \(pid \d+\)/);
  });

  it('serves from external S3- and DynamoDB-compatible stores, trusting a customer issuer by its JWKS URL', async () => {
    // The first server plays the customer's infrastructure: its stores are the external stores, its
    // dev issuer the customer's identity provider.
    const customerDir = await tempDir();
    const customer = await startServerProcess([], userEnv({ DATA_DIR: customerDir }));
    const info = JSON.parse(await readFile(join(customerDir, 'server.json'), 'utf8')) as {
      s3Endpoint: string;
      dynamoEndpoint: string;
    };
    const onPrem = await startServerProcess(
      [
        '--s3-endpoint',
        info.s3Endpoint,
        '--dynamodb-endpoint',
        info.dynamoEndpoint,
        '--bucket',
        'identities',
        '--table',
        'identities',
        '--region',
        'us-east-1',
        '--jwt-issuer',
        'identities-dev',
        '--jwt-audience',
        'identities',
        '--jwt-jwks-url',
        `${customer.url}/.well-known/jwks.json`,
      ],
      // The external stores' key, as an operator would export it: the customer's own, never a fixed one.
      userEnv({ DATA_DIR: await tempDir(), ...(await storeKeyEnv(customerDir)) }),
    );
    try {
      expect(onPrem.output()).toContain('bucket identities, table identities');
      // No dev issuer of its own: no token in the banner, no key set served.
      expect(onPrem.token).toBe('');
      expect((await fetch(`${onPrem.url}/.well-known/jwks.json`)).status).toBe(403);
      const photo = await fetch(`${onPrem.url}/api/v1/people/enrollmentPhoto/sample-face`, {
        headers: { Authorization: `Bearer ${customer.token}` },
      });
      expect(photo.status).toBe(200);
      const sample = await readFile(new URL('../../packages/local/assets/sample-face.jpg', import.meta.url));
      expect(Buffer.from(await photo.arrayBuffer()).equals(sample)).toBe(true);
      // The customer's issuer and audience, another key: refused.
      const { privateKey } = await generateKeyPair('ES256');
      const forged = await new SignJWT({ permissions: ['Read Identity Files'] })
        .setProtectedHeader({ alg: 'ES256', kid: 'not-the-customers' })
        .setSubject('mallory')
        .setIssuer('identities-dev')
        .setAudience('identities')
        .setExpirationTime('5m')
        .sign(privateKey);
      const foreign = await fetch(`${onPrem.url}/api/v1/people/enrollmentPhoto/sample-face`, {
        headers: { Authorization: `Bearer ${forged}` },
      });
      expect(foreign.status).toBe(401);
    } finally {
      await onPrem.stop();
      await customer.stop();
    }
  });

  it('refuses incomplete external settings with a clear message', async () => {
    const env = userEnv({ DATA_DIR: await tempDir() });
    const noTable = await cli(['serve', '--port', '0', '--s3-endpoint', 'http://127.0.0.1:9', '--bucket', 'b'], env);
    expect(noTable.code).toBe(2);
    expect(noTable.stderr).toContain('--bucket, --table and --region');
    const noKeys = await cli(
      ['serve', '--port', '0', '--jwt-issuer', 'https://login.example', '--jwt-audience', 'api'],
      env,
    );
    expect(noKeys.code).toBe(2);
    expect(noKeys.stderr).toContain('exactly one of --jwt-jwks-url, --jwt-public-key or JWT_SECRET');
  });

  it('serves HTTPS with a self-signed certificate, with HSTS', async () => {
    const env = userEnv({ DATA_DIR: await tempDir() });
    const server = await startServerProcess(['--tls-self-signed'], env);
    try {
      expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const result = await run(
        'curl',
        [
          '-sk',
          '-D',
          '-',
          '-o',
          '/dev/null',
          `${server.url}/api/v1/people/enrollmentPhoto/sample-face`,
          '-H',
          `Authorization: Bearer ${server.token}`,
        ],
        env,
      );
      expect(result.stdout).toMatch(/^HTTP\/1\.1 200/);
      expect(result.stdout.toLowerCase()).toContain('strict-transport-security: max-age=31536000');
      const strict = await run('curl', ['-s', '-o', '/dev/null', `${server.url}/`], env);
      expect(strict.code).not.toBe(0);
    } finally {
      await server.stop();
    }
  });
});

describe('identities serve --tls-self-signed, as clients see it', () => {
  let dataDir: string;
  let server: ServerProcess;
  let env: NodeJS.ProcessEnv;
  const certFile = () => join(dataDir, 'tls-cert.pem');
  const photo = (url: string) => [
    `${url}/api/v1/people/enrollmentPhoto/sample-face`,
    '-H',
    `Authorization: Bearer ${server.token}`,
  ];

  beforeAll(async () => {
    dataDir = await tempDir();
    env = userEnv({ DATA_DIR: dataDir });
    server = await startServerProcess(['--tls-self-signed', '--public-url', 'https://server.example:5009'], env);
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('closes a connection that never starts its TLS handshake, so such connections cannot hold the server', async () => {
    const { hostname, port } = new URL(server.url);
    const started = Date.now();
    await new Promise<void>((resolve, reject) => {
      const socket = connect(Number(port), hostname);
      socket.on('error', () => undefined);
      socket.on('close', () => resolve());
      setTimeout(() => {
        socket.destroy();
        reject(new Error('the silent connection was kept open'));
      }, 20_000).unref();
    });
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 25_000);

  it('replaces a stored SHA-1 certificate at start, and says so', async () => {
    const oldDir = await tempDir();
    try {
      const old = await generate([{ name: 'commonName', value: 'localhost' }], { keyType: 'ec', algorithm: 'sha1' });
      await writeFile(join(oldDir, 'tls-key.pem'), old.private, { mode: 0o600 });
      await writeFile(join(oldDir, 'tls-cert.pem'), old.cert);
      const renewed = await startServerProcess(['--tls-self-signed'], userEnv({ DATA_DIR: oldDir }));
      try {
        expect(renewed.output()).toContain('replaced the self-signed certificate');
        expect(renewed.output()).toContain('SHA-1');
        const x509 = new X509Certificate(await readFile(join(oldDir, 'tls-cert.pem')));
        expect(x509.fingerprint256).not.toBe(new X509Certificate(old.cert).fingerprint256);
        expect(renewed.output()).toContain(`SHA-256 fingerprint: ${x509.fingerprint256}`);
      } finally {
        await renewed.stop();
      }
    } finally {
      await rm(oldDir, { recursive: true, force: true });
    }
  });

  it("names the public URL's host in the certificate, besides loopback", async () => {
    const x509 = new X509Certificate(await readFile(certFile()));
    expect(x509.checkHost('server.example', { subject: 'never' })).toBe('server.example');
    expect(x509.checkHost('localhost', { subject: 'never' })).toBe('localhost');
    expect(x509.checkIP('127.0.0.1')).toBe('127.0.0.1');
    expect(x509.checkIP('::1')).toBe('::1');
  });

  it('prints the fingerprint and the public-key pin of the certificate it serves', async () => {
    const x509 = new X509Certificate(await readFile(certFile()));
    const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
    const pin = `sha256//${createHash('sha256').update(spki).digest('base64')}`;
    expect(server.output()).toContain(`SHA-256 fingerprint: ${x509.fingerprint256}`);
    expect(server.output()).toContain(`Public-key pin:      ${pin}`);
    expect(server.output()).toContain(`curl --cacert "${certFile()}"`);
  });

  it('is verified by curl with the printed pin, and refused with another', async () => {
    const printed = /Public-key pin:\s+(sha256\/\/\S+)/.exec(server.output())?.[1] ?? '';
    expect(printed).toMatch(/^sha256\/\/[A-Za-z0-9+/]{43}=$/);
    const args = ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-k'];
    const pinned = await run('curl', [...args, '--pinnedpubkey', printed, ...photo(server.url)], env);
    expect(pinned.code, pinned.stderr).toBe(0);
    expect(pinned.stdout).toBe('200');
    const wrong = `sha256//${createHash('sha256').update('another key').digest('base64')}`;
    const refused = await run('curl', [...args, '--pinnedpubkey', wrong, ...photo(server.url)], env);
    expect(refused.code).toBe(90); // CURLE_SSL_PINNEDPUBKEYNOTMATCH
  });

  it('is verified by curl against the data dir certificate as CA, without -k', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const verified = await run(
      'curl',
      ['-s', '-o', '/dev/null', '-w', '%{http_code}', '--cacert', certFile(), ...photo(server.url)],
      env,
    );
    expect(verified.code, verified.stderr).toBe(0);
    expect(verified.stdout).toBe('200');
  });

  it('speaks TLS 1.3, and TLS 1.2 with ECDHE and AEAD suites only', async () => {
    const port = new URL(server.url).port;
    const handshake = (...args: string[]) =>
      run(
        'openssl',
        ['s_client', '-connect', `127.0.0.1:${port}`, '-servername', 'localhost', ...args],
        env,
        Buffer.from('Q\n'),
      );
    const gcm = await handshake('-tls1_2', '-cipher', 'ECDHE-ECDSA-AES128-GCM-SHA256');
    expect(gcm.stdout).toMatch(/Cipher\s+:\s+ECDHE-ECDSA-AES128-GCM-SHA256/);
    const tls13 = await handshake('-tls1_3');
    expect(tls13.stdout).toMatch(/New, TLSv1\.3, Cipher is TLS_AES_/);
    const chacha = await handshake('-tls1_2', '-cipher', 'ECDHE-ECDSA-CHACHA20-POLY1305');
    expect(chacha.stdout).toMatch(/Cipher\s+:\s+ECDHE-ECDSA-CHACHA20-POLY1305/);
    for (const cipher of [
      'AES128-SHA',
      'ECDHE-ECDSA-AES128-SHA',
      'ECDHE-ECDSA-AES128-SHA256',
      'ECDHE-ECDSA-AES128-CCM8',
      'ECDHE-ECDSA-ARIA128-GCM-SHA256',
      'AES128-GCM-SHA256',
    ]) {
      const refused = await handshake('-tls1_2', '-cipher', cipher);
      expect(refused.code, cipher).not.toBe(0);
      expect(refused.stdout, cipher).not.toMatch(/Cipher\s+:\s+[A-Z]/);
    }
    for (const version of ['-tls1', '-tls1_1']) {
      const old = await handshake(version, '-cipher', 'DEFAULT@SECLEVEL=0');
      expect(old.code, version).not.toBe(0);
    }
  });
});
