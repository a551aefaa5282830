import { createHash } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_UPLOAD_FILE_BYTES } from '@identities/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadDocument } from '../../packages/local/src/cli/document.ts';

/** The CLI declares a large file's SHA-256 when it starts an upload session. */

let dir: string;
let url: string;
const received: unknown[] = [];
const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on('data', (chunk: Buffer) => chunks.push(chunk));
  request.on('end', () => {
    received.push(JSON.parse(Buffer.concat(chunks).toString()));
    // Refused, so the CLI stops after the one request this test is about.
    response.writeHead(400, { 'Content-Type': 'application/problem+json' });
    response.end(JSON.stringify({ title: 'Bad Request', status: 400, detail: 'recorded' }));
  });
});

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'cli-session-hash-'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

describe('identities document upload, above the multipart limit', () => {
  it("starts the session with the file's SHA-256", async () => {
    const bytes = Buffer.alloc(MAX_UPLOAD_FILE_BYTES + 1, 0x5a);
    bytes.write('a large scan', 0);
    const file = join(dir, 'scan.tiff');
    await writeFile(file, bytes);
    const upload = { personId: '7b6a5f4e-3d2c-4b1a-9f8e-7d6c5b4a3f2e', name: 'Scan', file };
    await expect(uploadDocument({ url, token: 't', insecure: false }, upload, undefined)).rejects.toThrow(/recorded/);
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
  });
});
