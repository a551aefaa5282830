import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, ListObjectsCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { makeS3Client } from '@identities/aws';
import { extract, pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STAND_IN_REGION, startStandIns } from '../../packages/local/src/stand-ins.ts';
import { cli, type ServerProcess, startServerProcess, storeKeyEnv, tempDir, userEnv } from '../support/processes.ts';

const OBJECTS = 2_000;
const PERSON = '0a1b2c3d-4e5f-4a7b-8c9d-0e1f2a3b4c5d';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function get(url: string, token: string) {
  return new Promise<{ status: number; body: Buffer }>((resolve, reject) => {
    const request = httpRequest(url, { headers: { Authorization: `Bearer ${token}` } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    request.on('error', reject);
    request.end();
  });
}

/** Every object of a data dir's embedded stores, by key, with its SHA-256 (the stores opened for the read). */
async function objectsOf(dataDir: string): Promise<Map<string, string>> {
  const standIns = await startStandIns({ dataDir, bucket: 'identities', table: 'identities' });
  const s3 = makeS3Client({
    region: STAND_IN_REGION,
    endpoint: standIns.s3Endpoint,
    credentials: standIns.credentials,
  });
  try {
    const hashes = new Map<string, string>();
    // Version 1 listings, by marker: the embedded store cannot page a version 2 listing.
    let marker: string | undefined;
    for (;;) {
      const page = await s3.send(
        new ListObjectsCommand({ Bucket: standIns.bucket, ...(marker === undefined ? {} : { Marker: marker }) }),
      );
      for (const object of page.Contents ?? []) {
        const body = await s3.send(new GetObjectCommand({ Bucket: standIns.bucket, Key: object.Key }));
        hashes.set(object.Key ?? '', sha256((await body.Body?.transformToByteArray()) ?? new Uint8Array()));
        marker = object.Key;
      }
      if (page.IsTruncated !== true) break;
    }
    return hashes;
  } finally {
    s3.destroy();
    await standIns.close();
  }
}

async function entryNames(file: string): Promise<string[]> {
  const names: string[] = [];
  const entries = extract();
  const reading = pipeline(createReadStream(file), entries);
  for await (const entry of entries) {
    names.push(entry.header.name);
    entry.resume();
  }
  await reading;
  return names;
}

describe('identities backup and restore', () => {
  let root: string;
  let source: string;
  let server: ServerProcess;
  let archive: string;
  const written = new Map<string, string>();
  let documentId: string;
  let documentHash: string;

  beforeAll(async () => {
    root = await tempDir('identities-backup-');
    source = join(root, 'source');
    server = await startServerProcess(['--data-dir', source], userEnv());
    // Thousands of photos, straight into the running server's stores with the install's key.
    const info = JSON.parse(await readFile(join(source, 'server.json'), 'utf8')) as {
      s3Endpoint: string;
      bucket: string;
    };
    const key = await storeKeyEnv(source);
    const s3 = makeS3Client({
      region: STAND_IN_REGION,
      endpoint: info.s3Endpoint,
      credentials: { accessKeyId: key.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: key.AWS_SECRET_ACCESS_KEY ?? '' },
    });
    try {
      const keys = Array.from({ length: OBJECTS }, (_, n) => `faces/face-${n}/enrollment.jpg`);
      for (let start = 0; start < keys.length; start += 16) {
        await Promise.all(
          keys.slice(start, start + 16).map(async (objectKey) => {
            const body = randomBytes(64 + Math.floor(Math.random() * 2048));
            await s3.send(
              new PutObjectCommand({ Bucket: info.bucket, Key: objectKey, Body: body, ContentType: 'image/jpeg' }),
            );
            written.set(objectKey, sha256(body));
          }),
        );
      }
    } finally {
      s3.destroy();
    }
    // A document through the API, and a role through the CLI.
    const file = join(root, 'id-card.pdf');
    const bytes = randomBytes(50_000);
    documentHash = sha256(bytes);
    await writeFile(file, bytes);
    documentId = randomUUID();
    const uploaded = await cli(
      [
        'document',
        'upload',
        '--data-dir',
        source,
        '--person-id',
        PERSON,
        '--name',
        'ID Card',
        '--public-id',
        documentId,
        file,
      ],
      userEnv(),
    );
    expect(uploaded.code, uploaded.stderr).toBe(0);
    const role = await cli(
      ['role', 'put', 'Clerk', '--permission', 'Read Identity Files', '--data-dir', source],
      userEnv(),
    );
    expect(role.code, role.stderr).toBe(0);
  }, 180_000);

  afterAll(async () => {
    await server?.stop();
    await rm(root, { recursive: true, force: true });
  });

  it('backs up a running server into an owner-only archive, the issuer key only when asked', async () => {
    archive = join(root, 'backup.tar');
    const backedUp = await cli(['backup', '--data-dir', source, '--out', archive, '--include-issuer-key'], userEnv());
    expect(backedUp.code, backedUp.stderr).toBe(0);
    expect(backedUp.stderr).toMatch(/Backed up \d+ objects and \d+ table items and the dev issuer's key/);
    expect((await stat(archive)).mode & 0o777).toBe(0o600);
    expect(await entryNames(archive)).toContain('dev-issuer.json');
    // The server served throughout.
    expect((await get(`${server.url}/healthz`, '')).status).toBe(200);

    const without = join(root, 'without-key.tar');
    expect((await cli(['backup', '--data-dir', source, '--out', without], userEnv())).code).toBe(0);
    expect(await entryNames(without)).not.toContain('dev-issuer.json');
    // An archive is never overwritten.
    expect((await cli(['backup', '--data-dir', source, '--out', without], userEnv())).code).toBe(2);
  }, 120_000);

  it('restores into an empty data dir with every object whole, and the documents, roles and key working', async () => {
    const target = join(root, 'target');
    const restored = await cli(['restore', archive, '--data-dir', target], userEnv());
    expect(restored.code, restored.stderr).toBe(0);
    expect(await readdir(target)).not.toContain('restore-staging');

    const hashes = await objectsOf(target);
    for (const [key, hash] of written) expect(hashes.get(key), key).toBe(hash);
    expect(hashes.size).toBeGreaterThanOrEqual(OBJECTS + 1);

    const roles = await cli(['role', 'list', '--json', '--data-dir', target], userEnv());
    expect(JSON.parse(roles.stdout)).toContainEqual({ name: 'Clerk', permissions: ['Read Identity Files'] });

    // The source's token: the dev issuer's key came along.
    const restoredServer = await startServerProcess(['--data-dir', target], userEnv());
    try {
      const document = await get(
        `${restoredServer.url}/api/v1/people/${PERSON}/fileDocuments/${documentId}/data`,
        server.token,
      );
      expect(document.status).toBe(200);
      expect(sha256(document.body)).toBe(documentHash);
    } finally {
      await restoredServer.stop();
    }
  }, 180_000);

  it('refuses to restore into a data dir that is not empty', async () => {
    const refused = await cli(['restore', archive, '--data-dir', source], userEnv());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('is not empty');
  });

  it('refuses an archive whose object does not match its hash, and leaves the data dir empty', async () => {
    // The same archive with one byte of one object changed, its size kept.
    const tampered = join(root, 'tampered.tar');
    const entries = extract();
    const out = pack();
    const writing = pipeline(out, createWriteStream(tampered));
    const reading = pipeline(createReadStream(archive), entries);
    let changed = false;
    for await (const entry of entries) {
      const chunks: Buffer[] = [];
      for await (const chunk of entry) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks);
      if (!changed && /^objects\/\d{8}$/.test(entry.header.name)) {
        body[0] = (body[0] ?? 0) ^ 0xff;
        changed = true;
      }
      await new Promise<void>((resolve, reject) =>
        out.entry({ ...entry.header }, body, (error) => (error ? reject(error) : resolve())),
      );
    }
    await reading;
    out.finalize();
    await writing;
    expect(changed).toBe(true);

    const target = join(root, 'tampered-target');
    const refused = await cli(['restore', tampered, '--data-dir', target], userEnv());
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('does not match its hash');
    expect(await readdir(target)).toEqual([]);
  }, 120_000);
});
