import { createHash, createPrivateKey, X509Certificate } from 'node:crypto';
import { type FSWatcher, watch } from 'node:fs';
import { readFile, rename, rm, writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import { basename, dirname, join } from 'node:path';
import { connect } from 'node:tls';
import { generate } from 'selfsigned';

/** Certificate and key files, or a self-signed certificate made once and kept in the data dir. */
export type TlsOption = { readonly certFile: string; readonly keyFile: string } | 'self-signed';

/** What the server serves, and what clients pin it by. */
export interface TlsMaterial {
  readonly cert: string;
  readonly key: string;
  /** The certificate's SHA-256 fingerprint, colon-separated hex as openssl prints it. */
  readonly fingerprint256: string;
  /** curl's --pinnedpubkey form: sha256// and the base64 SHA-256 of the DER SubjectPublicKeyInfo. */
  readonly publicKeyPin: string;
  /** The self-signed certificate's file, for clients to trust as their CA (curl --cacert). */
  readonly certFile?: string;
  /** Why a stored self-signed certificate was replaced, when it was. */
  readonly replaced?: string;
}

/** Names every self-signed certificate carries: the loopback ones the banner and the CLI use. */
const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const LIFETIME_MS = 825 * 24 * 3600 * 1000;
/** A certificate this close to its end is renewed at start, so a running server does not expire soon after. */
export const RENEW_BEFORE_MS = 30 * 24 * 3600 * 1000;
const SHA1_SIGNATURES = new Set(['1.2.840.10045.4.1', '1.2.840.113549.1.1.5', '1.3.14.3.2.29']);

export const selfSignedFiles = (dataDir: string) => ({
  certFile: join(dataDir, 'tls-cert.pem'),
  keyFile: join(dataDir, 'tls-key.pem'),
});

/** The host names a certificate must cover: loopback, and the hosts of the listening address and public URL. */
export function certificateNames(hosts: readonly (string | undefined)[]): string[] {
  const names = [...LOOPBACK_NAMES];
  for (const host of hosts) {
    const name = host?.replace(/^\[(.*)\]$/, '$1').toLowerCase();
    if (name === undefined || name === '' || ['0.0.0.0', '::'].includes(name) || names.includes(name)) continue;
    names.push(name);
  }
  return names;
}

/** The host of a URL such as https://server.example:5009, as a certificate names it. */
export const hostOf = (url: string | undefined) =>
  url === undefined ? undefined : new URL(url).hostname.replace(/^\[(.*)\]$/, '$1');

export function pinsOf(cert: string): { fingerprint256: string; publicKeyPin: string } {
  const x509 = new X509Certificate(cert);
  const spki = x509.publicKey.export({ type: 'spki', format: 'der' });
  return {
    fingerprint256: x509.fingerprint256,
    publicKeyPin: `sha256//${createHash('sha256').update(spki).digest('base64')}`,
  };
}

/** The dotted OID of a DER certificate's signatureAlgorithm: Node 20's X509Certificate does not tell it. */
export function signatureAlgorithmOid(der: Uint8Array): string {
  const header = (at: number) => {
    let length = der[at + 1] ?? 0;
    let start = at + 2;
    if (length & 0x80) {
      const bytes = length & 0x7f;
      length = 0;
      for (let i = 0; i < bytes; i++) length = length * 256 + (der[start + i] ?? 0);
      start += bytes;
    }
    return { start, end: start + length };
  };
  const certificate = header(0);
  const tbs = header(certificate.start);
  const algorithm = header(tbs.end);
  const oid = header(algorithm.start);
  const bytes = der.subarray(oid.start, oid.end);
  const arcs = [Math.floor((bytes[0] ?? 0) / 40), (bytes[0] ?? 0) % 40];
  let value = 0;
  for (const byte of bytes.subarray(1)) {
    value = value * 128 + (byte & 0x7f);
    if ((byte & 0x80) === 0) {
      arcs.push(value);
      value = 0;
    }
  }
  return arcs.join('.');
}

/** Why a stored certificate and key will not do, or undefined when they will. */
export function unfitness(cert: string, key: string, names: readonly string[], now = Date.now()): string | undefined {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return 'its key does not match it';
  } catch (error) {
    return `it cannot be read (${(error as Error).message})`;
  }
  if (SHA1_SIGNATURES.has(signatureAlgorithmOid(x509.raw))) return 'it is signed with SHA-1';
  if (Date.parse(x509.validTo) - now < RENEW_BEFORE_MS) return `it expires on ${x509.validTo}`;
  const missing = names.filter((name) =>
    isIP(name) === 0 ? x509.checkHost(name, { subject: 'never' }) === undefined : x509.checkIP(name) === undefined,
  );
  if (missing.length > 0) return `it does not name ${missing.join(', ')}`;
  return undefined;
}

/** Writes a file whole, readable by its owner only, even where an older one was readable by more. */
async function writePrivate(file: string, text: string): Promise<void> {
  const partial = `${file}.partial-${process.pid}`;
  try {
    await writeFile(partial, text, { mode: 0o600 });
    await rename(partial, file);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

async function generateSelfSigned(names: readonly string[], now: number): Promise<{ cert: string; key: string }> {
  const dnsNames = names.filter((name) => isIP(name) === 0);
  const publicName = dnsNames.find((name) => name !== 'localhost') ?? 'localhost';
  const pems = await generate([{ name: 'commonName', value: publicName }], {
    keyType: 'ec',
    curve: 'P-256',
    algorithm: 'sha256',
    // A little slack for clients whose clocks run behind the server's.
    notBeforeDate: new Date(now - 3600 * 1000),
    notAfterDate: new Date(now + LIFETIME_MS),
    extensions: [
      { name: 'basicConstraints', cA: false, critical: true },
      { name: 'keyUsage', digitalSignature: true, critical: true },
      { name: 'extKeyUsage', serverAuth: true },
      {
        name: 'subjectAltName',
        altNames: names.map((name) => (isIP(name) === 0 ? { type: 2, value: name } : { type: 7, ip: name })),
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/**
 * The certificate and key to serve. A self-signed one is kept in the data dir and replaced when it no
 * longer fits: it must name every host in `hosts` (and loopback), be signed with SHA-256, and not expire
 * within 30 days.
 */
export async function loadTls(
  option: TlsOption,
  dataDir: string,
  hosts: readonly (string | undefined)[] = [],
): Promise<TlsMaterial> {
  if (option !== 'self-signed') {
    const cert = await readFile(option.certFile, 'utf8');
    return { cert, key: await readFile(option.keyFile, 'utf8'), ...pinsOf(cert) };
  }
  const { certFile, keyFile } = selfSignedFiles(dataDir);
  const names = certificateNames(hosts);
  const now = Date.now();
  let replaced: string | undefined;
  try {
    const stored = { cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
    replaced = unfitness(stored.cert, stored.key, names, now);
    if (replaced === undefined) return { ...stored, ...pinsOf(stored.cert), certFile };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const made = await generateSelfSigned(names, now);
  // The key first: a crash between the two leaves a pair that does not match, replaced at the next start.
  await writePrivate(keyFile, made.key);
  await writePrivate(certFile, made.cert);
  return { ...made, ...pinsOf(made.cert), certFile, ...(replaced === undefined ? {} : { replaced }) };
}

/**
 * Whether the server at an https URL presents this very certificate. Checked without verification, only to
 * choose what the real connection verifies against: that certificate alone, or the usual CAs.
 */
export function presents(url: string, cert: string): Promise<boolean> {
  let expected: string;
  try {
    expected = new X509Certificate(cert).fingerprint256;
  } catch {
    return Promise.resolve(false);
  }
  const { hostname, port } = new URL(url);
  const host = hostname.replace(/^\[(.*)\]$/, '$1');
  return new Promise((resolve) => {
    const socket = connect(
      {
        host,
        port: Number(port || 443),
        rejectUnauthorized: false,
        ...(isIP(host) === 0 ? { servername: host } : {}),
      },
      () => {
        resolve(socket.getPeerX509Certificate()?.fingerprint256 === expected);
        socket.destroy();
      },
    );
    socket.setTimeout(10_000, () => socket.destroy());
    socket.on('error', () => resolve(false));
    socket.on('close', () => resolve(false));
  });
}

/** Why a certificate and key offered as a replacement will not do, or undefined when they will. */
export function replacementUnfitness(cert: string, key: string, now = Date.now()): string | undefined {
  let x509: X509Certificate;
  try {
    x509 = new X509Certificate(cert);
    if (!x509.checkPrivateKey(createPrivateKey(key))) return 'the key does not match the certificate';
  } catch (error) {
    return `it cannot be read (${(error as Error).message})`;
  }
  if (Date.parse(x509.validFrom) > now) return `it is not valid before ${x509.validFrom}`;
  if (Date.parse(x509.validTo) <= now) return `it expired on ${x509.validTo}`;
  return undefined;
}

/** How long the files must be quiet before a change is read: a cert and a key are rarely written at once. */
export const TLS_RELOAD_SETTLE_MS = 500;

export interface TlsReload {
  /** Reads the files now and applies a fitting pair; resolves with why not, or undefined when applied. */
  reload(trigger: string): Promise<string | undefined>;
  stop(): void;
}

/**
 * Watches a certificate and key file pair (their folders, so a file replaced by rename is seen too) and
 * hands a fitting new pair to `apply`, which swaps what new handshakes get; connections already open
 * keep theirs. A pair that does not fit (unreadable, mismatched, expired, half-written) is not applied,
 * and `rejected` is told why: the server keeps serving what it had.
 */
export function watchTls(
  files: { readonly certFile: string; readonly keyFile: string },
  initial: { readonly cert: string; readonly key: string },
  handlers: {
    readonly apply: (material: TlsMaterial, trigger: string) => void;
    readonly rejected: (reason: string, trigger: string) => void;
  },
): TlsReload {
  let current = initial.cert + initial.key;
  let timer: NodeJS.Timeout | undefined;
  const reload = async (trigger: string): Promise<string | undefined> => {
    let cert: string;
    let key: string;
    try {
      [cert, key] = await Promise.all([readFile(files.certFile, 'utf8'), readFile(files.keyFile, 'utf8')]);
    } catch (error) {
      const reason = `the files cannot be read (${(error as Error).message})`;
      handlers.rejected(reason, trigger);
      return reason;
    }
    const reason = replacementUnfitness(cert, key);
    if (reason !== undefined) {
      handlers.rejected(reason, trigger);
      return reason;
    }
    if (cert + key === current) return undefined;
    try {
      handlers.apply({ cert, key, ...pinsOf(cert) }, trigger);
    } catch (error) {
      const refused = `TLS refused it (${(error as Error).message})`;
      handlers.rejected(refused, trigger);
      return refused;
    }
    current = cert + key;
    return undefined;
  };
  const names = new Set([basename(files.certFile), basename(files.keyFile)]);
  const watchers: FSWatcher[] = [];
  for (const folder of new Set([dirname(files.certFile), dirname(files.keyFile)])) {
    const watcher = watch(folder, { persistent: false }, (_, name) => {
      if (name !== null && !names.has(name.toString())) return;
      clearTimeout(timer);
      timer = setTimeout(() => void reload('file change'), TLS_RELOAD_SETTLE_MS);
      timer.unref();
    });
    // A folder that goes away ends its watch; SIGHUP still reloads.
    watcher.on('error', () => watcher.close());
    watchers.push(watcher);
  }
  return {
    reload,
    stop() {
      clearTimeout(timer);
      for (const watcher of watchers) watcher.close();
    },
  };
}
