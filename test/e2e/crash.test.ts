import { randomBytes, randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { makeObjectStore, makeS3Client } from '@identities/aws';
import { documentObjectKey } from '@identities/core';
import { STAND_IN_REGION, startStandIns } from '@identities/local';
import { describe, expect, it } from 'vitest';
import { startServerProcess, tempDir, userEnv } from '../support/processes.ts';

const PERSON = '9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b';

/** Opens a stopped server's embedded stores, to plant or inspect what a crash leaves. */
async function withStores<T>(dataDir: string, work: (objects: ReturnType<typeof makeObjectStore>) => Promise<T>) {
  const standIns = await startStandIns({ dataDir, bucket: 'identities', table: 'identities' });
  const client = makeS3Client({
    region: STAND_IN_REGION,
    endpoint: standIns.s3Endpoint,
    credentials: standIns.credentials,
  });
  try {
    return await work(makeObjectStore(client, standIns.bucket));
  } finally {
    client.destroy();
    await standIns.close();
  }
}

/** Starts a POST whose body trickles in, and never finishes it: the server dies first. */
function trickle(url: string, headers: Record<string, string>, head: Buffer, declared: number): void {
  const req = request(url, { method: 'POST', headers: { ...headers, 'Content-Length': declared } });
  req.on('error', () => undefined);
  req.write(head);
  req.write(randomBytes(256 * 1024));
}

describe('a server killed mid-upload', () => {
  it('shows nothing half-written after a restart, and sweeps what the crash left', async () => {
    const dataDir = await tempDir();
    const env = userEnv({ DATA_DIR: dataDir });
    const first = await startServerProcess([], env);
    const auth = { Authorization: `Bearer ${first.token}` };

    // A document stored before the crash: it must survive everything below.
    const kept = new FormData();
    kept.set('personId', PERSON);
    kept.set('name', 'Kept');
    kept.set('publicId', 'kept');
    kept.set('file', new Blob([Buffer.from('kept bytes')]), 'kept.pdf');
    const upload = `${first.url}/api/v1/people/fileDocuments/upload`;
    expect((await fetch(upload, { method: 'POST', headers: auth, body: kept })).status).toBe(200);

    // An upload session whose bytes are on their way to storage when the server dies.
    const size = 8 * 1024 * 1024;
    const started = await fetch(`${first.url}/api/v1/people/fileDocuments/uploadSessions`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ personId: PERSON, name: 'Lost', publicId: 'lost', fileName: 'lost.bin', size }),
    });
    const session = (await started.json()) as { upload: { url: string; fields: Record<string, string> } };
    const boundary = 'crashboundary';
    const fields = Object.entries(session.upload.fields)
      .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
      .join('');
    const fileHead = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="lost.bin"\r\n\r\n`;
    trickle(
      session.upload.url,
      { 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      Buffer.from(fields + fileHead),
      size + 4096,
    );
    // And a multipart upload still arriving.
    trickle(
      upload,
      { ...auth, 'Content-Type': `multipart/form-data; boundary=${boundary}` },
      Buffer.from(fileHead),
      3_000_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await first.stop('SIGKILL')).toBeNull();

    // What a crash between storing an upload's bytes and recording it leaves: bytes nothing points to.
    const orphanKey = documentObjectKey(PERSON, 'orphan', randomUUID());
    await withStores(dataDir, (objects) =>
      objects.put(orphanKey, Buffer.from('orphan'), { contentType: 'application/pdf', sha256: new Uint8Array(32) }),
    );

    const second = await startServerProcess([], env);
    const headers = { Authorization: `Bearer ${second.token}` };
    const data = (id: string) => fetch(`${second.url}/api/v1/people/${PERSON}/fileDocuments/${id}/data`, { headers });
    expect((await data('kept')).status).toBe(200);
    expect((await data('lost')).status).toBe(404);
    expect((await data('orphan')).status).toBe(404);
    const complete = await fetch(`${second.url}/api/v1/people/fileDocuments/uploadSessions/lost/complete`, {
      method: 'POST',
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify({ personId: PERSON }),
    });
    expect([400, 409]).toContain(complete.status);
    expect((await data('lost')).status).toBe(404);
    expect(await second.stop()).toBe(0);

    const left = await withStores(dataDir, (objects) =>
      objects.listOlderThan(`people/${PERSON}/`, new Date(Date.now() + 60_000)),
    );
    expect(left).toHaveLength(1);
    expect(left[0]).toMatch(new RegExp(`^people/${PERSON}/documents/kept/`));
  });
});
