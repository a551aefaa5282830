import { createPrivateKey, X509Certificate } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generate } from 'selfsigned';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadTls } from '../packages/local/src/tls.ts';
import { run } from './support/processes.ts';

const openssl = async (args: string[], input?: Buffer) => {
  const result = await run('openssl', args, { PATH: process.env.PATH }, input);
  if (result.code !== 0) throw new Error(`openssl ${args.join(' ')}: ${result.stderr}`);
  return result.stdout;
};

describe('the self-signed certificate kept in the data dir', () => {
  let dataDir: string;
  const certFile = () => join(dataDir, 'tls-cert.pem');
  const keyFile = () => join(dataDir, 'tls-key.pem');

  beforeEach(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'identities-tls-'));
  });
  afterEach(async () => {
    await rm(dataDir, { recursive: true, force: true });
  });

  /** Writes a certificate the way the server once made them, or with some other flaw. */
  async function storeOld(options: { algorithm?: string; notAfterDate?: Date; mode?: number } = {}) {
    const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: options.algorithm ?? 'sha1',
      notAfterDate: options.notAfterDate ?? new Date(Date.now() + 825 * 24 * 3600 * 1000),
      extensions: [
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
            { type: 7, ip: '::1' },
          ],
        },
      ],
    });
    await writeFile(keyFile(), pems.private, { mode: 0o600 });
    await writeFile(certFile(), pems.cert, { mode: options.mode ?? 0o644 });
    return new X509Certificate(pems.cert).fingerprint256;
  }

  it('names loopback and the public host, is a SHA-256 signed P-256 server certificate, in 0600 files', async () => {
    const tls = await loadTls('self-signed', dataDir, ['0.0.0.0', 'server.example', '10.1.2.3', '[fd00::5]']);
    const pem = await readFile(certFile(), 'utf8');
    expect(tls.cert).toBe(pem);
    expect(tls.certFile).toBe(certFile());
    const x509 = new X509Certificate(pem);
    for (const host of ['localhost', 'server.example']) expect(x509.checkHost(host, { subject: 'never' })).toBe(host);
    for (const ip of ['127.0.0.1', '::1', '10.1.2.3', 'fd00::5']) expect(x509.checkIP(ip)).toBe(ip);
    expect(x509.checkHost('other.example')).toBeUndefined();
    expect(x509.checkIP('0.0.0.0')).toBeUndefined();
    expect(x509.checkPrivateKey(createPrivateKey(tls.key))).toBe(true);
    expect(x509.publicKey.asymmetricKeyDetails?.namedCurve).toBe('prime256v1');
    expect(x509.ca).toBe(false);

    const text = await openssl(['x509', '-noout', '-text', '-in', certFile()]);
    expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
    expect(text).not.toMatch(/SHA1/i);
    expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
    expect(text).toMatch(/X509v3 Extended Key Usage:\s*\n\s+TLS Web Server Authentication\n/);
    expect(text).toContain('NIST CURVE: P-256');

    expect((await stat(keyFile())).mode & 0o777).toBe(0o600);
    expect((await stat(certFile())).mode & 0o777).toBe(0o600);
  });

  it('gives the fingerprint and the public-key pin as openssl computes them', async () => {
    const tls = await loadTls('self-signed', dataDir, []);
    const fingerprint = await openssl(['x509', '-noout', '-fingerprint', '-sha256', '-in', certFile()]);
    expect(fingerprint.trim().split('=')[1]).toBe(tls.fingerprint256);
    const pin = await run(
      'bash',
      [
        '-c',
        'openssl x509 -noout -pubkey -in "$1" | openssl pkey -pubin -outform DER | openssl dgst -sha256 -binary | openssl enc -base64',
        'pin',
        certFile(),
      ],
      { PATH: process.env.PATH },
    );
    expect(tls.publicKeyPin).toBe(`sha256//${pin.stdout.trim()}`);
  });

  it('keeps a stored certificate that still fits', async () => {
    const first = await loadTls('self-signed', dataDir, ['server.example']);
    const second = await loadTls('self-signed', dataDir, ['server.example']);
    expect(second.fingerprint256).toBe(first.fingerprint256);
    expect(second.replaced).toBeUndefined();
    // Loopback names are always there: starting without a public URL keeps it too.
    expect((await loadTls('self-signed', dataDir, ['127.0.0.1'])).fingerprint256).toBe(first.fingerprint256);
  });

  it('replaces a stored certificate that does not name the public host', async () => {
    const first = await loadTls('self-signed', dataDir, []);
    const moved = await loadTls('self-signed', dataDir, ['api.example']);
    expect(moved.replaced).toContain('api.example');
    expect(moved.fingerprint256).not.toBe(first.fingerprint256);
    expect(new X509Certificate(await readFile(certFile())).checkHost('api.example')).toBe('api.example');
  });

  it('replaces a SHA-1 signed certificate, and makes a world-readable one 0600', async () => {
    const old = await storeOld({ algorithm: 'sha1', mode: 0o644 });
    const tls = await loadTls('self-signed', dataDir, []);
    expect(tls.replaced).toContain('SHA-1');
    expect(tls.fingerprint256).not.toBe(old);
    expect(await openssl(['x509', '-noout', '-text', '-in', certFile()])).toContain('ecdsa-with-SHA256');
    expect((await stat(certFile())).mode & 0o777).toBe(0o600);
  });

  it('replaces a certificate within 30 days of expiry', async () => {
    const old = await storeOld({ algorithm: 'sha256', notAfterDate: new Date(Date.now() + 10 * 24 * 3600 * 1000) });
    const tls = await loadTls('self-signed', dataDir, []);
    expect(tls.replaced).toMatch(/expires/);
    expect(tls.fingerprint256).not.toBe(old);
    const validTo = Date.parse(new X509Certificate(await readFile(certFile())).validTo);
    expect(validTo - Date.now()).toBeGreaterThan(365 * 24 * 3600 * 1000);
  });

  it('replaces a certificate whose key is not its own', async () => {
    await loadTls('self-signed', dataDir, []);
    const cert = await readFile(certFile(), 'utf8');
    await storeOld({ algorithm: 'sha256' });
    await writeFile(certFile(), cert);
    expect((await loadTls('self-signed', dataDir, [])).replaced).toMatch(/key/);
  });

  it('pins a certificate given as files too, without writing to the data dir', async () => {
    await storeOld({ algorithm: 'sha256' });
    const other = join(dataDir, 'given');
    await mkdir(other);
    await rename(certFile(), join(other, 'cert.pem'));
    await rename(keyFile(), join(other, 'key.pem'));
    const tls = await loadTls({ certFile: join(other, 'cert.pem'), keyFile: join(other, 'key.pem') }, dataDir, []);
    expect(tls.fingerprint256).toBe(new X509Certificate(await readFile(join(other, 'cert.pem'))).fingerprint256);
    expect(tls.certFile).toBeUndefined();
    await expect(stat(certFile())).rejects.toThrow();
  });
});
