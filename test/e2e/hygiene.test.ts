import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run, type ServerProcess, startServerProcess, tempDir, userEnv } from '../support/processes.ts';

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What a client sees, through curl over HTTPS (the server's certificate is self-signed). */
async function curl(args: readonly string[]): Promise<Answer> {
  const result = await run('curl', ['-sk', '-D', '-', ...args], userEnv());
  const blocks = result.stdout.split('\r\n\r\n');
  // Skip interim and redirect heads: the last head before the body is the answer.
  let index = 0;
  while (index + 1 < blocks.length && /^HTTP\/\S+ 1\d\d/.test(blocks[index] ?? '')) index++;
  const head = blocks[index] ?? '';
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers, body: blocks.slice(index + 1).join('\r\n\r\n') };
}

describe('every response', () => {
  let server: ServerProcess;
  let work: string;
  const answers: [string, Answer][] = [];

  beforeAll(async () => {
    server = await startServerProcess(['--tls-self-signed'], userEnv({ DATA_DIR: await tempDir() }));
    work = await tempDir('identities-hygiene-');
    const auth = ['-H', `Authorization: Bearer ${server.token}`];
    const photo = `${server.url}/api/v1/people/enrollmentPhoto/sample-face`;
    await writeFile(join(work, 'big.bin'), Buffer.alloc(10 * 1024 * 1024 + 10));
    const etag = (await curl([photo, ...auth, '-o', '/dev/null'])).headers.etag ?? '';
    const cases: [string, string[]][] = [
      ['a photo', [photo, ...auth]],
      ['a photo without a token', [photo]],
      ['a missing photo', [`${server.url}/api/v1/people/enrollmentPhoto/none`, ...auth]],
      ['HEAD of a photo', ['-I', photo, ...auth]],
      ['a revalidated photo', [photo, ...auth, '-H', `If-None-Match: ${etag}`]],
      ['a range of a photo', [photo, ...auth, '-H', 'Range: bytes=0-9']],
      ['a range past the end', [photo, ...auth, '-H', 'Range: bytes=99999999-']],
      ['an unknown route', [`${server.url}/api/v2/anything`]],
      [
        'a preflight',
        ['-X', 'OPTIONS', photo, '-H', 'Origin: http://localhost:3000', '-H', 'Access-Control-Request-Method: GET'],
      ],
      ['the dev issuer keys', [`${server.url}/.well-known/jwks.json`]],
      [
        'an upload that is not multipart',
        ['-X', 'POST', `${server.url}/api/v1/people/fileDocuments/upload`, ...auth, '--data', 'x'],
      ],
      [
        'an upload without permission',
        ['-X', 'POST', `${server.url}/api/v1/people/fileDocuments/upload`, '-H', 'Authorization: Bearer x.y.z'],
      ],
      [
        'a request over 10 MB',
        [
          '-X',
          'POST',
          `${server.url}/api/v1/people/fileDocuments/upload`,
          ...auth,
          '--data-binary',
          `@${join(work, 'big.bin')}`,
          '-H',
          'Content-Type: application/octet-stream',
        ],
      ],
      [
        'a refused upload to storage',
        ['-X', 'POST', `${server.url}/_storage/identities`, '-F', 'key=uploads/x', '-F', 'file=@/dev/null'],
      ],
      [
        'a session with a bad body',
        [
          '-X',
          'POST',
          `${server.url}/api/v1/people/fileDocuments/uploadSessions`,
          ...auth,
          '-H',
          'Content-Type: application/json',
          '--data',
          '{',
        ],
      ],
    ];
    for (const [name, args] of cases) answers.push([name, await curl(args)]);
  }, 120_000);
  afterAll(async () => {
    await server?.stop();
  });

  it('covers successes and failures of every layer', () => {
    const statuses = new Set(answers.map(([, answer]) => answer.status));
    for (const status of [200, 204, 206, 304, 400, 401, 403, 404, 413, 416]) expect(statuses).toContain(status);
  });

  it('carries X-Content-Type-Options: nosniff', () => {
    for (const [name, answer] of answers) expect(answer.headers['x-content-type-options'], name).toBe('nosniff');
  });

  it('carries Strict-Transport-Security over HTTPS', () => {
    for (const [name, answer] of answers) {
      expect(answer.headers['strict-transport-security'], name).toMatch(/^max-age=\d{7,}/);
    }
  });

  it('names no server software', () => {
    for (const [name, answer] of answers) {
      expect(answer.headers.server, name).toBeUndefined();
      expect(answer.headers['x-powered-by'], name).toBeUndefined();
    }
  });

  it('shows no stack traces, paths or internal names in any body', () => {
    for (const [name, answer] of answers) {
      expect(answer.body, name).not.toMatch(
        /\bat \S+ \(|\.ts:\d+|node_modules|\/work\/|\/tmp\/|TypeError|ReferenceError|busboy|dynalite|s3rver/i,
      );
    }
  });
});
