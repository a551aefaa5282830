import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { HeadObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { makeS3Client } from '@identities/aws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, externalStores, type ServerProcess, startServerProcess, tempDir, userEnv } from '../support/processes.ts';

/*
 * Two `identities serve` processes, each with a data dir of its own, on one set of external stores (the
 * run's stand-ins, started once, in a process of their own), trusting one Identities server secret: one
 * service behind a load balancer.
 */
const SECRET = 'several-servers-identities-secret-0123456789';
const UPLOAD = '/api/v1/people/fileDocuments/upload';
const SESSIONS = '/api/v1/people/fileDocuments/uploadSessions';
const ROLE_CACHE_SECONDS = 2;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const download = (personId: string, documentId: string) =>
  `/api/v1/people/${personId}/fileDocuments/${documentId}/data`;

let root: string;
let secretFile: string;
let servers: ServerProcess[] = [];
let token: string;
let clerkToken: string;
const env = process.env;
const stores = externalStores();

async function mint(args: string[]): Promise<string> {
  const minted = await cli(['token', '--identities-server', '--secret-file', secretFile, ...args], userEnv());
  expect(minted.code, minted.stderr).toBe(0);
  return minted.stdout.trim();
}

/** Creates or replaces a role in the shared table, as an operator does with the CLI. */
const putRole = (name: string, ...permissions: string[]) =>
  cli(
    [
      'role',
      'put',
      name,
      ...permissions.flatMap((permission) => ['--permission', permission]),
      ...stores.args.slice(4),
    ],
    userEnv({ ...stores.env, S3_ENDPOINT: env.S3_ENDPOINT ?? '', DYNAMODB_ENDPOINT: env.DYNAMODB_ENDPOINT ?? '' }),
  );

function startOne(name: string): Promise<ServerProcess> {
  return startServerProcess(
    [...stores.args, '--data-dir', join(root, name), '--jwt-unchecked-claims', 'iss,aud', '--log-level', 'warn'],
    userEnv({ ...stores.env, JWT_SECRET_FILE: secretFile, ROLE_CACHE_SECONDS: String(ROLE_CACHE_SECONDS) }),
  );
}

function form(personId: string, publicId: string, bytes: Uint8Array): FormData {
  const body = new FormData();
  body.set('personId', personId);
  body.set('name', 'ID Card');
  body.set('publicId', publicId);
  body.set('file', new Blob([bytes], { type: 'application/pdf' }), 'id-card.pdf');
  return body;
}

beforeAll(async () => {
  root = await tempDir('identities-several-');
  secretFile = join(root, 'secret');
  await writeFile(secretFile, SECRET, { mode: 0o600 });
  const uploader = await putRole(`Uploader-${process.pid}`, 'Add Identity Files', 'Read Identity Files');
  expect(uploader.code, uploader.stderr).toBe(0);
  token = await mint(['--name', 'uploader', '--role', `Uploader-${process.pid}`]);
  clerkToken = await mint(['--name', 'clerk', '--role', `Clerk-${process.pid}`]);
  servers = [await startOne('a'), await startOne('b')];
}, 90_000);

afterAll(async () => {
  await Promise.all(servers.map((server) => server.stop()));
  await rm(root, { recursive: true, force: true });
});

describe('two servers on one set of stores', () => {
  it('keep exactly one winner of concurrent uploads with one publicId across servers', async () => {
    const personId = randomUUID();
    const publicId = randomUUID();
    const bodies = Array.from({ length: 8 }, () => randomBytes(20_000));
    const answers = await Promise.all(
      bodies.map((bytes, n) =>
        fetch(`${servers[n % 2]?.url}${UPLOAD}`, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}` },
          body: form(personId, publicId, bytes),
        }),
      ),
    );
    const statuses = answers.map((answer) => answer.status);
    expect(statuses.filter((status) => status === 200)).toHaveLength(1);
    expect(statuses.filter((status) => status === 409)).toHaveLength(7);
    const winner = bodies[statuses.indexOf(200)] as Buffer;
    for (const server of servers) {
      const got = await fetch(`${server.url}${download(personId, publicId)}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(got.status).toBe(200);
      expect(sha256(new Uint8Array(await got.arrayBuffer()))).toBe(sha256(winner));
    }
  });

  it('complete on one server an upload session started on the other', async () => {
    const personId = randomUUID();
    const bytes = randomBytes(100_000);
    const [first, second] = servers as [ServerProcess, ServerProcess];
    const started = await fetch(`${first.url}${SESSIONS}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({
        personId,
        name: 'Scan',
        fileName: 'scan.pdf',
        contentType: 'application/pdf',
        size: bytes.length,
      }),
    });
    expect(started.status).toBe(201);
    const session = (await started.json()) as {
      documentId: string;
      upload: { url: string; fields: Record<string, string> };
      complete: { url: string; body: unknown };
    };
    const upload = new FormData();
    for (const [name, value] of Object.entries(session.upload.fields)) upload.set(name, value);
    upload.set('file', new Blob([bytes], { type: 'application/pdf' }), 'scan.pdf');
    const uploaded = await fetch(session.upload.url, { method: 'POST', body: upload });
    expect(uploaded.status).toBeLessThan(300);
    const completed = await fetch(new URL(session.complete.url, `${second.url}${SESSIONS}`), {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: JSON.stringify(session.complete.body),
    });
    expect(completed.status, await completed.clone().text()).toBe(200);
    const got = await fetch(`${first.url}${download(personId, session.documentId)}`, {
      headers: { Authorization: `Bearer ${token}` },
    });
    expect(sha256(new Uint8Array(await got.arrayBuffer()))).toBe(sha256(bytes));
  });

  it('never sweep at start what another server is writing: bytes not yet recorded get the grace time', async () => {
    // What an upload in flight on one server looks like to the other: bytes stored, no record yet.
    const key = `people/${randomUUID()}/documents/${randomUUID()}/${randomUUID()}`;
    const s3 = makeS3Client({
      region: env.AWS_REGION ?? '',
      endpoint: env.S3_ENDPOINT,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID ?? '', secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? '' },
    });
    try {
      await s3.send(new PutObjectCommand({ Bucket: env.BUCKET_NAME, Key: key, Body: randomBytes(1000) }));
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      // A third server starts, and sweeps, while that upload is in flight.
      const third = await startOne('c');
      try {
        expect((await fetch(`${third.url}/readyz`)).status).toBe(200);
        await s3.send(new HeadObjectCommand({ Bucket: env.BUCKET_NAME, Key: key }));
      } finally {
        await third.stop();
      }
    } finally {
      s3.destroy();
    }
  }, 60_000);

  it('see a role change within the role cache time, on both', async () => {
    const personId = randomUUID();
    const documentId = randomUUID();
    const stored = await fetch(`${servers[0]?.url}${UPLOAD}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: form(personId, documentId, randomBytes(1000)),
    });
    expect(stored.status).toBe(200);
    const read = (server: ServerProcess) =>
      fetch(`${server.url}${download(personId, documentId)}`, { headers: { Authorization: `Bearer ${clerkToken}` } });
    const role = (permission: string) => putRole(`Clerk-${process.pid}`, permission);
    expect((await role('Add Identity Files')).code).toBe(0);
    // Both servers have looked the role up, and cached it without the permission.
    for (const server of servers) expect((await read(server)).status).toBe(403);
    const changed = await role('Read Identity Files');
    expect(changed.code, changed.stderr).toBe(0);
    const changedAt = Date.now();
    for (const server of servers) {
      let status = 0;
      for (let attempt = 0; attempt < 50 && status !== 200; attempt++) {
        status = (await read(server)).status;
        if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 200));
      }
      expect(status).toBe(200);
    }
    expect(Date.now() - changedAt).toBeLessThan((ROLE_CACHE_SECONDS + 3) * 1000);
  }, 60_000);
});
