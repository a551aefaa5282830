import { X509Certificate } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { Agent, request } from 'node:https';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadTls, type TlsMaterial } from '../../packages/local/src/tls.ts';
import { type ServerProcess, startServerProcess, tempDir, userEnv } from '../support/processes.ts';

interface Seen {
  readonly status: number;
  readonly fingerprint256: string;
  readonly socket: TLSSocket;
}

/**
 * A GET of /healthz, telling which certificate the connection it went over was set up with. The two
 * test certificates share a subject, which chain building cannot tell apart: the test compares the
 * certificate's fingerprint itself instead.
 */
function healthz(url: string, options: { agent?: Agent } = {}): Promise<Seen> {
  return new Promise((resolve, reject) => {
    const sent = request(
      `${url}/healthz`,
      { rejectUnauthorized: false, ...(options.agent === undefined ? { agent: false } : { agent: options.agent }) },
      (response) => {
        const socket = response.socket as TLSSocket;
        const fingerprint256 = socket.getPeerX509Certificate()?.fingerprint256 ?? '';
        response.resume();
        response.on('end', () => resolve({ status: response.statusCode ?? 0, fingerprint256, socket }));
      },
    );
    sent.on('error', reject);
    sent.end();
  });
}

/** Replaces a file whole, as a deployment tool does: written beside it, then renamed over it. */
async function replace(file: string, text: string) {
  await writeFile(`${file}.new`, text, { mode: 0o600 });
  await rename(`${file}.new`, file);
}

async function until(check: () => Promise<boolean> | boolean, what: string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('certificate reload', () => {
  let dir: string;
  let dataDir: string;
  let first: TlsMaterial;
  let second: TlsMaterial;
  let certFile: string;
  let keyFile: string;
  let server: ServerProcess;

  beforeAll(async () => {
    dir = await tempDir('identities-reload-');
    dataDir = join(dir, 'data');
    // Two unrelated self-signed pairs, each made in a folder of its own.
    await mkdir(join(dir, 'a'));
    await mkdir(join(dir, 'b'));
    first = await loadTls('self-signed', join(dir, 'a'));
    second = await loadTls('self-signed', join(dir, 'b'));
    expect(first.fingerprint256).not.toBe(second.fingerprint256);
    await mkdir(join(dir, 'tls'));
    certFile = join(dir, 'tls', 'cert.pem');
    keyFile = join(dir, 'tls', 'key.pem');
    await writeFile(certFile, first.cert, { mode: 0o600 });
    await writeFile(keyFile, first.key, { mode: 0o600 });
    server = await startServerProcess(
      ['--tls-cert', certFile, '--tls-key', keyFile, '--no-sample'],
      userEnv({ DATA_DIR: dataDir }),
    );
  }, 60_000);

  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('serves a new pair to new connections when the files change, while open connections keep working', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const before = await healthz(server.url, { agent });
      expect(before.status).toBe(200);
      expect(before.fingerprint256).toBe(first.fingerprint256);

      // The key first, then the certificate: for a moment the pair does not match, and is not taken.
      await replace(keyFile, second.key);
      await replace(certFile, second.cert);
      await until(
        async () => (await healthz(server.url)).fingerprint256 === second.fingerprint256,
        'the new certificate',
      );
      expect(server.output()).toContain('reloaded the TLS certificate');
      expect(server.output()).toContain(second.fingerprint256);

      // The connection opened before the change (on the old certificate) is the same one, and still served.
      const after = await healthz(server.url, { agent });
      expect(after.socket).toBe(before.socket);
      expect(after.status).toBe(200);
      expect(after.socket.destroyed).toBe(false);
    } finally {
      agent.destroy();
    }
  });

  it('keeps the pair it has when the new one is bad, and says why', async () => {
    const logged = () => server.output().match(/kept the TLS certificate/g)?.length ?? 0;
    const before = logged();
    // A certificate with a key that is not its own.
    await replace(certFile, first.cert);
    await until(() => server.output().includes('the key does not match the certificate'), 'the refusal');
    expect(logged()).toBeGreaterThan(before);
    expect((await healthz(server.url)).fingerprint256).toBe(second.fingerprint256);

    // Not a certificate at all.
    await replace(certFile, 'not a certificate\n');
    await until(() => server.output().includes('it cannot be read'), 'the refusal of an unreadable file');
    expect((await healthz(server.url)).fingerprint256).toBe(second.fingerprint256);
    expect(new X509Certificate(second.cert).fingerprint256).toBe(second.fingerprint256);
  });

  it('reloads on SIGHUP', async () => {
    // The files still hold the unreadable certificate: a SIGHUP reads them again and refuses them again.
    const refusals = () => server.output().match(/"trigger":"SIGHUP"/g)?.length ?? 0;
    server.process.kill('SIGHUP');
    await until(() => refusals() === 1, 'the SIGHUP reload');
    await writeFile(certFile, first.cert, { mode: 0o600 });
    await writeFile(keyFile, first.key, { mode: 0o600 });
    server.process.kill('SIGHUP');
    await until(
      async () => (await healthz(server.url)).fingerprint256 === first.fingerprint256,
      'the certificate reloaded on SIGHUP',
    );
    expect(server.process.exitCode).toBeNull();
  });
});
