import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { PERMISSIONS } from '@identities/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, type ServerProcess, startServerProcess, tempDir, userEnv } from '../support/processes.ts';

const ORIGIN = 'https://app.customer.example';

/** A person's documents managed through the server as clients use it: routing, CORS, concurrent reads. */
describe('managing documents over real HTTP', () => {
  let server: ServerProcess;
  let auth: Record<string, string>;
  let env: NodeJS.ProcessEnv;

  beforeAll(async () => {
    env = userEnv({ DATA_DIR: await tempDir() });
    server = await startServerProcess(['--cors-origin', ORIGIN], env);
    const permissions = Object.values(PERMISSIONS).flatMap((permission) => ['--permission', permission]);
    const issued = await cli(['token', ...permissions], env);
    expect(issued.code, issued.stderr).toBe(0);
    auth = { Authorization: `Bearer ${issued.stdout.trim()}` };
  });
  afterAll(async () => {
    await server?.stop();
  });

  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${server.url}${path}`, { ...init, headers: { ...auth, ...(init.headers as Record<string, string>) } });

  async function upload(personId: string, publicId: string, bytes: Buffer, name = 'ID card') {
    const form = new FormData();
    form.set('personId', personId);
    form.set('name', name);
    form.set('publicId', publicId);
    form.set('file', new Blob([bytes], { type: 'application/pdf' }), `${publicId}.pdf`);
    const response = await api('/api/v1/people/fileDocuments/upload', { method: 'POST', body: form });
    expect(response.status).toBe(200);
  }

  it('lists, describes, changes and deletes a document, each at its own method on one path', async () => {
    const personId = randomUUID();
    await upload(personId, 'card', Buffer.from('%PDF card'));
    const list = await api(`/api/v1/people/${personId}/fileDocuments?limit=10`);
    expect(list.status).toBe(200);
    expect(((await list.json()) as { items: { id: string }[] }).items.map((item) => item.id)).toEqual(['card']);
    const path = `/api/v1/people/${personId}/fileDocuments/card`;
    const described = await api(path);
    expect(described.status).toBe(200);
    const etag = described.headers.get('etag') ?? '';
    const patched = await api(path, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/merge-patch+json', 'If-Match': etag },
      body: JSON.stringify({ name: 'Passport' }),
    });
    expect(patched.status).toBe(200);
    expect(((await patched.json()) as { name: string }).name).toBe('Passport');
    expect((await api(path, { method: 'DELETE' })).status).toBe(204);
    expect((await api(path)).status).toBe(404);
    expect((await api(`${path}/data`)).status).toBe(404);
    // A method no route has on the path: API Gateway's 403.
    expect((await api(path, { method: 'PUT', body: '{}' })).status).toBe(403);
  });

  it('routes a photo deletion by its literal segment, never to a person with that id', async () => {
    const response = await api('/api/v1/people/detectionPhoto/fileDocuments/x', { method: 'DELETE' });
    expect(response.status).toBe(404);
    expect(((await response.json()) as { detail: string }).detail).toBe('No such photo.');
    const face = await api('/api/v1/people/enrollmentPhoto/fileDocuments', { method: 'DELETE' });
    expect(((await face.json()) as { detail: string }).detail).toBe('No such photo.');
  });

  it('deletes the sample face’s photo for good: 204, then 404 to a download and to a second delete', async () => {
    expect((await api('/api/v1/people/enrollmentPhoto/sample-face')).status).toBe(200);
    expect((await api('/api/v1/people/enrollmentPhoto/sample-face', { method: 'DELETE' })).status).toBe(204);
    expect((await api('/api/v1/people/enrollmentPhoto/sample-face')).status).toBe(404);
    expect((await api('/api/v1/people/enrollmentPhoto/sample-face', { method: 'DELETE' })).status).toBe(404);
  });

  it('allows the web app to PATCH and DELETE with If-Match, by preflight', async () => {
    const response = await fetch(`${server.url}/api/v1/people/${randomUUID()}/fileDocuments/card`, {
      method: 'OPTIONS',
      headers: {
        Origin: ORIGIN,
        'Access-Control-Request-Method': 'PATCH',
        'Access-Control-Request-Headers': 'authorization, content-type, if-match',
      },
    });
    expect(response.status).toBe(204);
    const methods = (response.headers.get('access-control-allow-methods') ?? '').split(/,\s*/);
    expect(methods).toEqual(expect.arrayContaining(['PATCH', 'DELETE']));
    expect(response.headers.get('access-control-allow-headers')).toContain('If-Match');
  });

  it('lets a download that started before a delete finish whole; the next one is a 404', async () => {
    const personId = randomUUID();
    const bytes = randomBytes(3 * 1024 * 1024);
    await upload(personId, 'scan', bytes);
    const data = `/api/v1/people/${personId}/fileDocuments/scan/data`;
    const download = await api(data);
    expect(download.status).toBe(200);
    const reader = download.body?.getReader();
    const first = await reader?.read();
    expect(first?.done).toBe(false);
    expect((await api(`/api/v1/people/${personId}/fileDocuments/scan`, { method: 'DELETE' })).status).toBe(204);
    const chunks = [Buffer.from(first?.value ?? new Uint8Array())];
    for (let next = await reader?.read(); next !== undefined && !next.done; next = await reader?.read()) {
      chunks.push(Buffer.from(next.value));
    }
    const received = Buffer.concat(chunks);
    expect(createHash('sha256').update(received).digest('hex')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect((await api(data)).status).toBe(404);
  });

  it('erases every document of a person (204), then frees their ids for new uploads, by form or session', async () => {
    const personId = randomUUID();
    for (const id of ['a', 'b', 'c']) await upload(personId, id, Buffer.from(`%PDF ${id}`));
    const erase = () => api(`/api/v1/people/${personId}/fileDocuments`, { method: 'DELETE' });
    expect((await erase()).status).toBe(204);
    expect((await erase()).status).toBe(204);
    const list = await api(`/api/v1/people/${personId}/fileDocuments`);
    expect(await list.json()).toEqual({ items: [], nextCursor: null });
    await upload(personId, 'a', Buffer.from('%PDF new a'), 'New');
    expect(((await (await api(`/api/v1/people/${personId}/fileDocuments/a`)).json()) as { name: string }).name).toBe(
      'New',
    );
    const session = await api('/api/v1/people/fileDocuments/uploadSessions', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ personId, name: 'B', fileName: 'b.pdf', size: 4, publicId: 'b' }),
    });
    expect(session.status).toBe(201);
  });

  it('lists, shows and deletes documents and erases a person from the CLI, against the server on the data dir', async () => {
    const personId = randomUUID();
    await upload(personId, 'first', Buffer.from('%PDF first'), 'First\u001b[31m');
    await upload(personId, 'second', Buffer.from('%PDF second'), 'Second');
    const listed = await cli(['document', 'list', '--person-id', personId, '--limit', '1', '--all'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const lines = listed.stdout.trim().split('\n');
    expect(lines.map((line) => line.split('\t')[0])).toEqual(['second', 'first']);
    // An uploader's control characters never reach the terminal.
    expect(listed.stdout).not.toContain('\u001b');
    const json = await cli(['document', 'list', '--person-id', personId, '--json'], env);
    expect(JSON.parse(json.stdout.trim().split('\n')[0] ?? '')).toMatchObject({ id: 'second', personId });
    const shown = await cli(['document', 'show', '--person-id', personId, '--document-id', 'first'], env);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: 'first', fileName: 'first.pdf' });
    const deleted = await cli(['document', 'delete', '--person-id', personId, '--document-id', 'first'], env);
    expect(deleted.code, deleted.stderr).toBe(0);
    const again = await cli(['document', 'delete', '--person-id', personId, '--document-id', 'first'], env);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('404');
    const erased = await cli(['person', 'erase', '--person-id', personId], env);
    expect(erased.code, erased.stderr).toBe(0);
    expect(erased.stderr).toContain(`Erased every document of ${personId}.`);
    const none = await cli(['document', 'list', '--person-id', personId], env);
    expect(none.stdout).toBe('');
  }, 120_000);
});
