import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, run, type ServerProcess, startServerProcess, tempDir, userEnv } from '../support/processes.ts';

const README = new URL('../../README.md', import.meta.url);

/** The first `sh` code block after a heading of the README, as a newcomer would paste it. */
async function block(heading: string): Promise<string> {
  const text = await readFile(README, 'utf8');
  const section = text.slice(text.indexOf(heading));
  const match = /```sh\n([\s\S]*?)```/.exec(section);
  if (match?.[1] === undefined) throw new Error(`no sh block after ${heading}`);
  return match[1];
}

describe('the README', () => {
  let server: ServerProcess;
  let dataDir: string;

  beforeAll(async () => {
    dataDir = await tempDir();
    server = await startServerProcess([], userEnv({ DATA_DIR: dataDir }));
  });
  afterAll(async () => {
    await server?.stop();
  });

  /** Runs a README block against the test server: its address instead of :5009, the CLI by path. */
  async function paste(script: string, work: string) {
    const adapted = script
      .replace('API_URL="http://127.0.0.1:5009"', `API_URL="${server.url}"`)
      .replaceAll('npx identities', `node ${CLI}`);
    expect(adapted).not.toContain('5009');
    return run('bash', ['-c', `set -e\ncd "${work}"\n${adapted}`], userEnv({ DATA_DIR: dataDir }));
  }

  it('has examples that work as pasted', async () => {
    const work = await tempDir('identities-readme-');
    const result = await paste(await block('## Try the documented examples locally'), work);
    expect(result.code, result.stderr).toBe(0);
    const sample = await readFile(new URL('../../packages/local/assets/sample-face.jpg', import.meta.url));
    expect((await readFile(join(work, 'enrollment.jpg'))).equals(sample)).toBe(true);
    expect((await readFile(join(work, 'detection.jpg'))).equals(sample)).toBe(true);
    expect(await readFile(join(work, 'id-card.pdf'), 'utf8')).toBe('A sample document\n');
  });

  it('has a download link example that fetches the document uploaded above without a token', async () => {
    const work = await tempDir('identities-readme-');
    const script = `API_URL="http://127.0.0.1:5009"\nTOKEN="$(npx identities token)"\n${await block('### Download links')}`;
    const result = await paste(script, work);
    expect(result.code, result.stderr).toBe(0);
    expect(await readFile(join(work, 'id-card-via-link.pdf'), 'utf8')).toBe('A sample document\n');
  });

  it('has an upload session example that starts a session', async () => {
    const work = await tempDir('identities-readme-');
    const script = `API_URL="http://127.0.0.1:5009"\nTOKEN="$(npx identities token)"\n${await block('### Uploading a larger document')}`;
    const result = await paste(script, work);
    expect(result.code, result.stderr).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ documentId: 'scan-1', upload: { method: 'POST' } });
  });
});
