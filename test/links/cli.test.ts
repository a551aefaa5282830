import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, type ServerProcess, startServerProcess, tempDir, userEnv } from '../support/processes.ts';

const PERSON = '1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b';

/** The CLI's document downloads through links, against a running server. */
describe('identities document download, through links', () => {
  let env: NodeJS.ProcessEnv;
  let server: ServerProcess;
  let work: string;
  let documentId: string;
  const large = Buffer.alloc(7 * 1024 * 1024);
  for (let i = 0; i < large.length; i++) large[i] = (i * 7919) % 251;

  const storageReads = () =>
    server
      .output()
      .split('\n')
      .filter((line) => line.includes('"message":"storage request"') && line.includes('"method":"GET"'));

  beforeAll(async () => {
    env = userEnv({ DATA_DIR: await tempDir() });
    work = await tempDir('identities-cli-');
    server = await startServerProcess([], env);
    await writeFile(join(work, 'scan.tiff'), large);
    const uploaded = await cli(
      ['document', 'upload', '--person-id', PERSON, '--name', 'Scan', join(work, 'scan.tiff')],
      env,
    );
    expect(uploaded.code, uploaded.stderr).toBe(0);
    documentId = uploaded.stdout.trim();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('downloads a document above 6 MiB straight from storage, whole', async () => {
    const before = storageReads().length;
    const out = join(work, 'scan.out');
    const downloaded = await cli(
      ['document', 'download', '--person-id', PERSON, '--document-id', documentId, '-o', out],
      env,
    );
    expect(downloaded.code, downloaded.stderr).toBe(0);
    expect((await readFile(out)).equals(large)).toBe(true);
    const reads = storageReads().slice(before);
    expect(reads).toHaveLength(1);
    expect(reads[0]).toContain(`"bytes":${large.length}`);
  });

  it('downloads a small document through the API, as before', async () => {
    const small = Buffer.from('%PDF-1.7 small');
    await writeFile(join(work, 'small.pdf'), small);
    const uploaded = await cli(
      ['document', 'upload', '--person-id', PERSON, '--name', 'Small', join(work, 'small.pdf')],
      env,
    );
    const before = storageReads().length;
    const out = join(work, 'small.out');
    const downloaded = await cli(
      ['document', 'download', '--person-id', PERSON, '--document-id', uploaded.stdout.trim(), '-o', out],
      env,
    );
    expect(downloaded.code, downloaded.stderr).toBe(0);
    expect((await readFile(out)).equals(small)).toBe(true);
    expect(storageReads().length).toBe(before);
  });

  it('prints a link with --link, for --expires-in seconds', async () => {
    const printed = await cli(
      ['document', 'download', '--person-id', PERSON, '--document-id', documentId, '--link'],
      env,
    );
    expect(printed.code, printed.stderr).toBe(0);
    const url = new URL(printed.stdout.trim());
    expect(url.searchParams.get('X-Amz-Expires')).toBe('60');
    expect(printed.stderr).toContain('Valid until');
    const fetched = await fetch(url);
    expect(Buffer.from(await fetched.arrayBuffer()).equals(large)).toBe(true);
    const longer = await cli(
      ['document', 'download', '--person-id', PERSON, '--document-id', documentId, '--link', '--expires-in', '900'],
      env,
    );
    expect(new URL(longer.stdout.trim()).searchParams.get('X-Amz-Expires')).toBe('900');
  });

  it('explains what is wrong: a lifetime out of range, -o with --link, a missing document', async () => {
    const base = ['document', 'download', '--person-id', PERSON, '--document-id', documentId];
    for (const args of [
      [...base, '--link', '--expires-in', '0'],
      [...base, '--link', '--expires-in', 'soon'],
      [...base, '--link', '-o', join(work, 'x')],
      [...base, '--expires-in', '60', '-o', join(work, 'x')],
    ]) {
      expect((await cli(args, env)).code, args.join(' ')).toBe(2);
    }
    const missing = await cli(
      ['document', 'download', '--person-id', PERSON, '--document-id', 'absent', '--link'],
      env,
    );
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('No such document');
  }, 120_000);
});
