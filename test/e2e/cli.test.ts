import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { PERMISSIONS } from '@identities/core';
import { decodeJwt } from 'jose';
import { generate } from 'selfsigned';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../packages/local/src/cli.ts';
import {
  CLI,
  cli,
  run,
  type ServerProcess,
  startServerProcess,
  storeKeyEnv,
  tempDir,
  userEnv,
} from '../support/processes.ts';
import { jpegBytes } from '../support/storage.ts';

describe('npx identities', () => {
  let env: NodeJS.ProcessEnv;
  let server: ServerProcess;
  let work: string;

  beforeAll(async () => {
    env = userEnv({ DATA_DIR: await tempDir() });
    work = await tempDir('identities-cli-');
    server = await startServerProcess([], env);
  });
  afterAll(async () => {
    await server?.stop();
  });

  const get = (path: string, token: string) =>
    fetch(`${server.url}${path}`, { headers: { Authorization: `Bearer ${token}` } });

  it('prints usage and exits 0 for --help, 2 without a command', async () => {
    const help = await cli(['--help'], env);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: identities <command>');
    expect((await cli([], env)).code).toBe(2);
  });

  it.each([
    ['serve'],
    ['token'],
    ['photo', 'put'],
    ['photo', 'import'],
    ['role', 'put'],
    ['role', 'list'],
    ['document', 'upload'],
    ['document', 'download'],
  ])('has --help for %s %s', async (...command) => {
    const result = await cli([...command.filter(Boolean), '--help'], env);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`Usage: identities ${command.filter(Boolean).join(' ')}`);
  });

  it('exits 2 with a pointer to --help for an unknown command or option', async () => {
    const unknown = await cli(['frobnicate'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"');
    const option = await cli(['token', '--colour', 'blue'], env);
    expect(option.code).toBe(2);
    expect(option.stderr).toContain('--help');
  });

  it('token prints only a JWT, with both file permissions by default', async () => {
    const result = await cli(['token'], env);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/^eyJ[\w-]+\.[\w-]+\.[\w-]+\n$/);
    const claims = decodeJwt(result.stdout.trim());
    expect(claims.permissions).toEqual([PERMISSIONS.addFiles, PERMISSIONS.readFiles]);
    expect(claims.sub).toBe('dev-user');
    expect((await get('/api/v1/people/enrollmentPhoto/sample-face', result.stdout.trim())).status).toBe(200);
  });

  it('token takes a subject, permissions, roles and a lifetime', async () => {
    const result = await cli(
      ['token', '--sub', 'alice', '--permission', PERMISSIONS.readFiles, '--role', 'Clerk', '--expires-in', '30m'],
      env,
    );
    const claims = decodeJwt(result.stdout.trim());
    expect(claims).toMatchObject({ sub: 'alice', permissions: [PERMISSIONS.readFiles], roles: ['Clerk'] });
    expect((claims.exp ?? 0) - (claims.iat ?? 0)).toBe(1800);
  });

  it('token refuses a bad lifetime and deployed stages', async () => {
    expect((await cli(['token', '--expires-in', 'soon'], env)).code).toBe(2);
    const deployed = await cli(['token', '--bucket', 'b', '--table', 't'], env);
    expect(deployed.code).toBe(2);
    expect(deployed.stderr).toContain("customer's issuer");
  });

  it('photo put stores an enrollment and a detection photo, and refuses a non-JPEG', async () => {
    const token = (await cli(['token'], env)).stdout.trim();
    const photo = jpegBytes(4321);
    await writeFile(join(work, 'face.jpg'), photo);
    await writeFile(join(work, 'face.png'), Buffer.from('\x89PNG\r\n\x1a\n....'));
    expect((await cli(['photo', 'put', '--face-id', 'f-9', join(work, 'face.jpg')], env)).code).toBe(0);
    expect(
      (await cli(['photo', 'put', '--face-id', 'f-9', '--detection-id', 'd-1', join(work, 'face.jpg')], env)).code,
    ).toBe(0);
    const enrollment = await get('/api/v1/people/enrollmentPhoto/f-9', token);
    expect(Buffer.from(await enrollment.arrayBuffer()).equals(photo)).toBe(true);
    expect((await get('/api/v1/people/detectionPhoto/f-9/d-1', token)).status).toBe(200);

    const png = await cli(['photo', 'put', '--face-id', 'f-10', join(work, 'face.png')], env);
    expect(png.code).toBe(1);
    expect(png.stderr).toContain('not a JPEG');
    expect((await get('/api/v1/people/enrollmentPhoto/f-10', token)).status).toBe(404);
    expect((await cli(['photo', 'put', '--face-id', '../x', join(work, 'face.jpg')], env)).code).toBe(2);
    expect((await cli(['photo', 'put', join(work, 'face.jpg')], env)).code).toBe(2);
  });

  it('photo import stores a folder of photos and sums up, skipping what is not a JPEG', async () => {
    const token = (await cli(['token'], env)).stdout.trim();
    const dir = join(work, 'import');
    for (const face of ['imp-1', 'imp-2']) {
      await mkdir(join(dir, face, 'detections'), { recursive: true });
      await writeFile(join(dir, face, 'enrollment.jpg'), jpegBytes(1000));
      await writeFile(join(dir, face, 'detections', 'a.jpg'), jpegBytes(1100));
      await writeFile(join(dir, face, 'detections', 'b.jpg'), jpegBytes(1200));
    }
    await writeFile(join(dir, 'imp-2', 'detections', 'bad.jpg'), Buffer.from('not a jpeg'));
    const result = await cli(['photo', 'import', dir], env);
    expect(result.stdout).toBe('Imported 6 photos (2 enrollment, 4 detection); 1 skipped.\n');
    expect(result.stderr).toContain('bad.jpg (not a JPEG)');
    expect(result.code).toBe(1);
    expect((await get('/api/v1/people/detectionPhoto/imp-2/b', token)).status).toBe(200);
  });

  it('role put and role list manage roles that grant permissions through tokens', async () => {
    const put = await cli(['role', 'put', 'Front Desk', '--permission', PERMISSIONS.readFiles], env);
    expect(put.code, put.stderr).toBe(0);
    const list = await cli(['role', 'list'], env);
    expect(list.stdout).toContain(`Front Desk: ${PERMISSIONS.readFiles}`);
    const json = JSON.parse((await cli(['role', 'list', '--json'], env)).stdout) as { name: string }[];
    expect(json.map((role) => role.name)).toContain('Front Desk');

    const viaRole = (await cli(['token', '--role', 'Front Desk'], env)).stdout.trim();
    const missing = await get('/api/v1/people/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d/fileDocuments/none/data', viaRole);
    expect(missing.status).toBe(404);
    const noRole = (await cli(['token', '--role', 'Nobody'], env)).stdout.trim();
    expect(
      (await get('/api/v1/people/0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d/fileDocuments/none/data', noRole)).status,
    ).toBe(403);
    expect((await cli(['role', 'put', 'Empty'], env)).code).toBe(2);
  });

  it('document upload and download round-trip small files (multipart) and large ones (upload session)', async () => {
    const person = '7b6a5f4e-3d2c-4b1a-9f8e-7d6c5b4a3f2e';
    for (const [name, size] of [
      ['small.pdf', 100_000],
      ['large.tiff', 6 * 1024 * 1024],
    ] as const) {
      const bytes = Buffer.alloc(size);
      for (let i = 0; i < size; i++) bytes[i] = (i * 7919) % 251;
      await writeFile(join(work, name), bytes);
      const uploaded = await cli(['document', 'upload', '--person-id', person, '--name', name, join(work, name)], env);
      expect(uploaded.stderr).toBe('');
      expect(uploaded.code, uploaded.stderr).toBe(0);
      const documentId = uploaded.stdout.trim();
      expect(documentId).toMatch(/^[0-9a-f-]{36}$/);
      const out = join(work, `${name}.out`);
      const downloaded = await cli(
        ['document', 'download', '--person-id', person, '--document-id', documentId, '-o', out],
        env,
      );
      expect(downloaded.code, downloaded.stderr).toBe(0);
      expect((await readFile(out)).equals(bytes)).toBe(true);
    }
  });

  it('document commands explain what is wrong', async () => {
    const missing = await cli(['document', 'upload', '--person-id', 'x', '--name', 'n', join(work, 'nope.pdf')], env);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no such file');
    expect((await cli(['document', 'upload', '--name', 'n'], env)).code).toBe(2);
    await writeFile(join(work, 'bad.pdf'), 'x');
    const badPerson = await cli(
      ['document', 'upload', '--person-id', 'not-a-guid', '--name', 'n', join(work, 'bad.pdf')],
      env,
    );
    expect(badPerson.code).toBe(1);
    expect(badPerson.stderr).toContain('personId must be a GUID');
    const absent = await cli(
      [
        'document',
        'download',
        '--person-id',
        '7b6a5f4e-3d2c-4b1a-9f8e-7d6c5b4a3f2e',
        '--document-id',
        'absent',
        '-o',
        join(work, 'absent'),
      ],
      env,
    );
    expect(absent.code).toBe(1);
    expect(absent.stderr).toContain('404');
  });

  it('acts on a deployed stage named by --bucket and --table, with AWS credentials from the environment', async () => {
    const info = JSON.parse(await readFile(join(env.DATA_DIR ?? '', 'server.json'), 'utf8')) as {
      s3Endpoint: string;
      dynamoEndpoint: string;
      bucket: string;
      table: string;
    };
    // The stage's endpoints are this server's stores: the same code path as AWS, addresses overridden.
    const stage = userEnv({
      ...(await storeKeyEnv(env.DATA_DIR ?? '')),
      S3_ENDPOINT: info.s3Endpoint,
      DYNAMODB_ENDPOINT: info.dynamoEndpoint,
      DATA_DIR: await tempDir(),
    });
    const target = ['--bucket', info.bucket, '--table', info.table, '--region', 'us-east-1'];
    const put = await cli(['role', 'put', 'Stage Role', '--permission', PERMISSIONS.addFiles, ...target], stage);
    expect(put.code, put.stderr).toBe(0);
    expect((await cli(['role', 'list'], env)).stdout).toContain(`Stage Role: ${PERMISSIONS.addFiles}`);
    await writeFile(join(work, 'stage.jpg'), jpegBytes(999));
    const photo = await cli(['photo', 'put', '--face-id', 'stage-face', ...target, join(work, 'stage.jpg')], stage);
    expect(photo.code, photo.stderr).toBe(0);
    const token = (await cli(['token'], env)).stdout.trim();
    expect((await get('/api/v1/people/enrollmentPhoto/stage-face', token)).status).toBe(200);
    const half = await cli(['role', 'list', '--bucket', info.bucket], stage);
    expect(half.code).toBe(2);
    expect(half.stderr).toContain('--bucket and --table');
  });

  it('draws progress bars on a terminal, and only there', async () => {
    const dir = join(work, 'tty-import');
    await mkdir(join(dir, 'tty-1'), { recursive: true });
    await writeFile(join(dir, 'tty-1', 'enrollment.jpg'), jpegBytes(900));
    const large = join(work, 'tty-large.bin');
    await writeFile(large, Buffer.alloc(5 * 1024 * 1024, 3));
    const person = '7b6a5f4e-3d2c-4b1a-9f8e-7d6c5b4a3f2e';
    const commands = [
      `"${process.execPath}" "${CLI}" photo import "${dir}"`,
      `"${process.execPath}" "${CLI}" document upload --person-id ${person} --name Large "${large}"`,
    ];
    // script(1) gives the command a pseudo-terminal, as a person at a shell has.
    const onTerminal = await run('script', ['-qec', commands.join(' && '), '/dev/null'], env);
    expect(onTerminal.code, onTerminal.stdout).toBe(0);
    expect(onTerminal.stdout).toMatch(/\[#{30}\] 1\/1/);
    expect(onTerminal.stdout).toMatch(/\[#{30}\] 5\.0\/5\.0 MiB/);
    const piped = await cli(['photo', 'import', dir], env);
    expect(piped.stderr).not.toContain('[#');
  });

  it('works on the data dir without a running server, opening its stores for the command', async () => {
    const offline = userEnv({ DATA_DIR: await tempDir() });
    const put = await cli(['role', 'put', 'Auditor', '--permission', PERMISSIONS.readFiles], offline);
    expect(put.code, put.stderr).toBe(0);
    expect((await cli(['role', 'list'], offline)).stdout).toContain('Auditor');
  });
});

describe('npx identities document, over HTTPS', () => {
  const person = '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
  let dataDir: string;
  let otherDir: string;
  let env: NodeJS.ProcessEnv;
  let server: ServerProcess;
  const file = (name: string) => join(otherDir, name);

  beforeAll(async () => {
    dataDir = await tempDir();
    otherDir = await tempDir('identities-cli-');
    env = userEnv({ DATA_DIR: dataDir });
    server = await startServerProcess(['--tls-self-signed'], env);
    const small = Buffer.alloc(50_000, 7);
    const large = Buffer.alloc(5 * 1024 * 1024);
    for (let i = 0; i < large.length; i++) large[i] = (i * 31) % 253;
    await writeFile(file('small.pdf'), small);
    await writeFile(file('large.tiff'), large);
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dataDir, { recursive: true, force: true });
    await rm(otherDir, { recursive: true, force: true });
  });

  it("verifies the data dir's self-signed certificate without -k, for uploads of either size and downloads", async () => {
    expect(server.url).toMatch(/^https:/);
    for (const name of ['small.pdf', 'large.tiff']) {
      const uploaded = await cli(['document', 'upload', '--person-id', person, '--name', name, file(name)], env);
      expect(uploaded.code, uploaded.stderr).toBe(0);
      const out = file(`${name}.out`);
      const downloaded = await cli(
        ['document', 'download', '--person-id', person, '--document-id', uploaded.stdout.trim(), '-o', out],
        env,
      );
      expect(downloaded.code, downloaded.stderr).toBe(0);
      expect((await readFile(out)).equals(await readFile(file(name)))).toBe(true);
    }
  });

  it('trusts no more than that certificate: another in its place is refused', async () => {
    const certFile = join(dataDir, 'tls-cert.pem');
    const served = await readFile(certFile, 'utf8');
    const other = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      algorithm: 'sha256',
      extensions: [{ name: 'subjectAltName', altNames: [{ type: 7, ip: '127.0.0.1' }] }],
    });
    await writeFile(certFile, other.cert);
    try {
      const refused = await cli(['document', 'upload', '--person-id', person, '--name', 'n', file('small.pdf')], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("the server's certificate could not be verified");
    } finally {
      await writeFile(certFile, served);
    }
  });

  it('verifies a server given its own certificate against the usual CAs, even beside an old self-signed one', async () => {
    const own = await tempDir();
    try {
      const made = await run(
        'bash',
        [
          '-c',
          `set -e; cd "${own}"
          openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.pem -days 2 \
            -subj "/CN=Test CA" -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign
          openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout key.pem -out leaf.csr -subj /CN=localhost
          printf 'subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > leaf.ext
          openssl x509 -req -in leaf.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile leaf.ext -out cert.pem`,
        ],
        userEnv(),
      );
      expect(made.code, made.stderr).toBe(0);
      // The data dir keeps the self-signed certificate of an earlier start.
      await writeFile(join(own, 'tls-cert.pem'), await readFile(join(dataDir, 'tls-cert.pem')));
      const given = await startServerProcess(
        ['--tls-cert', join(own, 'cert.pem'), '--tls-key', join(own, 'key.pem')],
        userEnv({ DATA_DIR: own }),
      );
      try {
        const upload = ['document', 'upload', '--person-id', person, '--name', 'n', file('small.pdf')];
        const trusted = await cli(upload, userEnv({ DATA_DIR: own, NODE_EXTRA_CA_CERTS: join(own, 'ca.pem') }));
        expect(trusted.code, trusted.stderr).toBe(0);
        const untrusted = await cli(upload, userEnv({ DATA_DIR: own }));
        expect(untrusted.code).toBe(1);
        expect(untrusted.stderr).toContain("the server's certificate could not be verified");
      } finally {
        await given.stop();
      }
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });

  it('refuses a certificate it cannot verify with a clear message, and accepts it with -k', async () => {
    // Another data dir: the CLI does not know this server's certificate, as for any remote server.
    const stranger = userEnv({ DATA_DIR: otherDir });
    const args = ['--api-url', server.url, '--token', server.token, '--person-id', person, '--name', 'n'];
    const refused = await cli(['document', 'upload', ...args, file('small.pdf')], stranger);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`${server.url}: the server's certificate could not be verified`);
    expect(refused.stderr).toContain('-k');
    const accepted = await cli(['document', 'upload', '-k', ...args, file('small.pdf')], stranger);
    expect(accepted.code, accepted.stderr).toBe(0);
    expect(accepted.stdout.trim()).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('skips verification with -k for its own connections only, leaving the process verifying', async () => {
    const before = process.env.NODE_TLS_REJECT_UNAUTHORIZED;
    const err: string[] = [];
    const out: string[] = [];
    const code = await runCli(
      [
        'document',
        'upload',
        '-k',
        '--api-url',
        server.url,
        '--token',
        server.token,
        '--person-id',
        person,
        '--name',
        'large',
        file('large.tiff'),
      ],
      { out: (text) => out.push(text), err: (text) => err.push(text), env: { DATA_DIR: otherDir }, isTty: false },
    );
    expect(code, err.join('')).toBe(0);
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).toBe(before);
    expect(process.env.NODE_TLS_REJECT_UNAUTHORIZED).toBeUndefined();
    await expect(fetch(`${server.url}/`)).rejects.toThrow();
  });
});
