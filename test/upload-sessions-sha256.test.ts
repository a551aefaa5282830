import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { handler as complete } from '../functions/complete-upload-session.ts';
import { handler as download } from '../functions/download-file-document.ts';
import { handler as start } from '../functions/start-upload-session.ts';
import { apiEvent, invoke } from './support/lambda.ts';
import { everyByte, listKeys, newPersonId, putObject } from './support/storage.ts';
import { bearer, bothPermissions } from './support/tokens.ts';

/** Upload sessions whose client declares the file's SHA-256: storage verifies it on upload. */

const SESSIONS = '/api/v1/people/fileDocuments/uploadSessions';

interface Started {
  documentId: string;
  upload: { url: string; fields: Record<string, string>; fileField: string };
}

const sha256Of = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function startSession(personId: string, bytes: Buffer, sha256: unknown) {
  const body = {
    personId,
    name: 'Scan',
    fileName: 'scan.pdf',
    contentType: 'application/pdf',
    size: bytes.length,
    sha256,
  };
  return invoke(
    start,
    apiEvent({
      method: 'POST',
      path: SESSIONS,
      headers: { ...bearer(await bothPermissions()), 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify(body)),
    }),
  );
}

async function postForm(started: Started, bytes: Buffer) {
  const form = new FormData();
  for (const [name, value] of Object.entries(started.upload.fields)) form.set(name, value);
  form.set(started.upload.fileField, new Blob([bytes], { type: 'application/pdf' }), 'file');
  return fetch(started.upload.url, { method: 'POST', body: form });
}

async function completeSession(documentId: string, personId: string) {
  return invoke(
    complete,
    apiEvent({
      method: 'POST',
      path: `${SESSIONS}/${documentId}/complete`,
      headers: { ...bearer(await bothPermissions()), 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify({ personId })),
    }),
  );
}

describe('upload sessions with a declared SHA-256', () => {
  it('put the hash in the form and pin it in the policy', async () => {
    const bytes = everyByte(8);
    const response = await startSession(newPersonId(), bytes, sha256Of(bytes));
    expect(response.statusCode).toBe(201);
    const { upload } = response.json() as unknown as Started;
    const base64 = Buffer.from(sha256Of(bytes), 'hex').toString('base64');
    expect(upload.fields['x-amz-checksum-sha256']).toBe(base64);
    expect(upload.fields['x-amz-checksum-algorithm']).toBe('SHA256');
    const policy = JSON.parse(Buffer.from(upload.fields.Policy ?? '', 'base64').toString()) as {
      conditions: unknown[];
    };
    expect(policy.conditions).toContainEqual(['eq', '$x-amz-checksum-sha256', base64]);
    expect(policy.conditions).toContainEqual(['eq', '$x-amz-checksum-algorithm', 'SHA256']);
  });

  it('complete with the declared hash and serve exactly those bytes', async () => {
    const personId = newPersonId();
    const bytes = everyByte(40);
    const started = (await startSession(personId, bytes, sha256Of(bytes).toUpperCase())).json() as unknown as Started;
    expect((await postForm(started, bytes)).ok).toBe(true);
    const done = await completeSession(started.documentId, personId);
    expect(done.statusCode).toBe(200);
    expect(done.json()).toMatchObject({ size: bytes.length, sha256: sha256Of(bytes) });
    const fetched = await invoke(
      download,
      apiEvent({
        path: `/api/v1/people/${personId}/fileDocuments/${started.documentId}/data`,
        headers: bearer(await bothPermissions()),
      }),
    );
    expect(fetched.body.equals(bytes)).toBe(true);
  });

  it('have storage refuse other bytes of the declared size, so there is nothing to complete', async () => {
    const personId = newPersonId();
    const bytes = everyByte(40);
    const started = (await startSession(personId, bytes, sha256Of(bytes))).json() as unknown as Started;
    const other = Buffer.alloc(bytes.length, 0x42);
    const refused = await postForm(started, other);
    expect(refused.status).toBe(400);
    expect(await refused.text()).toContain('BadDigest');
    expect((await completeSession(started.documentId, personId)).statusCode).toBe(409);
  });

  it('refuse to complete when the staged bytes have another hash, whoever stored them', async () => {
    const personId = newPersonId();
    const bytes = everyByte(40);
    const started = (await startSession(personId, bytes, sha256Of(bytes))).json() as unknown as Started;
    const key = started.upload.fields.key ?? '';
    await putObject(key, Buffer.alloc(bytes.length, 0x43), 'application/pdf');
    const response = await completeSession(started.documentId, personId);
    expect(response.statusCode).toBe(400);
    expect(String(response.json().detail)).toMatch(/SHA-256/);
    // Only the staged object is left; the attempt's copy is gone.
    expect(await listKeys(`people/${personId}/`)).toEqual([]);
  });

  it('refuse a malformed sha256 with a 400', async () => {
    const bytes = everyByte(2);
    expect((await startSession(newPersonId(), bytes, 'not-a-hash')).statusCode).toBe(400);
  });
});
