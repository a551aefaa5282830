/**
 * A bounded load run against the local server, on loopback only: concurrent photo and document
 * downloads and uploads for a fixed time, every body checked by hash. Prints requests served, errors
 * (there must be none), p50/p99 latency per kind, and the server's resident memory before and after.
 *
 *   npm run load                      60 s at 32 connections
 *   npm run load -- --seconds 10 --connections 8
 */
import { createHash, randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { startServerProcess, tempDir, userEnv } from '../test/support/processes.ts';

const { values } = parseArgs({
  options: {
    seconds: { type: 'string', default: '60' },
    connections: { type: 'string', default: '32' },
    'rss-bound-mb': { type: 'string', default: '96' },
  },
});
const seconds = Number(values.seconds);
const connections = Number(values.connections);
const rssBoundMb = Number(values['rss-bound-mb']);
if (!(seconds > 0 && seconds <= 600 && connections > 0 && connections <= 256)) {
  throw new Error('--seconds must be 1 to 600 and --connections 1 to 256');
}

const PERSON = '3c2b1a09-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
const sha = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

function rssMb(pid: number): Promise<number> {
  return readFile(`/proc/${pid}/status`, 'utf8').then(
    (status) => Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024,
  );
}

function percentile(sorted: number[], p: number): number {
  return sorted.length === 0 ? 0 : (sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0);
}

const dataDir = await tempDir('identities-load-');
const server = await startServerProcess(['--log-level', 'warn'], userEnv({ DATA_DIR: dataDir }));
const pid = server.process.pid ?? 0;
const auth = { Authorization: `Bearer ${server.token}` };
try {
  // Fixtures: the sample photo, and documents of a few sizes.
  const photoUrl = `${server.url}/api/v1/people/enrollmentPhoto/sample-face`;
  const photo = new Uint8Array(await (await fetch(photoUrl, { headers: auth })).arrayBuffer());
  const documents: { id: string; hash: string }[] = [];
  for (const [index, size] of [20_000, 200_000, 1_000_000, 3_000_000].entries()) {
    const bytes = randomBytes(size);
    const form = new FormData();
    form.set('personId', PERSON);
    form.set('name', `Fixture ${index}`);
    form.set('publicId', `fixture-${index}`);
    form.set('file', new Blob([bytes]), `fixture-${index}.bin`);
    const response = await fetch(`${server.url}/api/v1/people/fileDocuments/upload`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    if (response.status !== 200) throw new Error(`fixture upload answered ${response.status}`);
    documents.push({ id: `fixture-${index}`, hash: sha(bytes) });
  }
  const photoHash = sha(photo);

  type Kind = 'photo' | 'document' | 'upload';
  const latencies: Record<Kind, number[]> = { photo: [], document: [], upload: [] };
  const errors: string[] = [];
  let uploads = 0;

  async function once(kind: Kind): Promise<void> {
    const started = performance.now();
    if (kind === 'photo') {
      const response = await fetch(photoUrl, { headers: auth });
      const body = new Uint8Array(await response.arrayBuffer());
      if (response.status !== 200 || sha(body) !== photoHash) errors.push(`photo ${response.status}`);
    } else if (kind === 'document') {
      const document = documents[Math.floor(Math.random() * documents.length)] ?? documents[0];
      if (document === undefined) return;
      const response = await fetch(`${server.url}/api/v1/people/${PERSON}/fileDocuments/${document.id}/data`, {
        headers: auth,
      });
      const body = new Uint8Array(await response.arrayBuffer());
      if (response.status !== 200 || sha(body) !== document.hash) errors.push(`document ${response.status}`);
    } else {
      const bytes = randomBytes(64 * 1024);
      const id = `load-${process.pid}-${uploads++}`;
      const form = new FormData();
      form.set('personId', PERSON);
      form.set('name', 'Load');
      form.set('publicId', id);
      form.set('file', new Blob([bytes]), 'load.bin');
      const response = await fetch(`${server.url}/api/v1/people/fileDocuments/upload`, {
        method: 'POST',
        headers: auth,
        body: form,
      });
      await response.arrayBuffer();
      if (response.status !== 200) errors.push(`upload ${response.status}`);
      else documents.push({ id, hash: sha(bytes) });
    }
    latencies[kind].push(performance.now() - started);
  }

  const pick = (): Kind => {
    const roll = Math.random();
    return roll < 0.6 ? 'photo' : roll < 0.9 ? 'document' : 'upload';
  };
  // A short warm-up, then the resident memory the run starts from.
  const warmUntil = Date.now() + Math.min(5000, seconds * 200);
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < warmUntil) await once(pick()).catch((error: unknown) => errors.push(String(error)));
    }),
  );
  for (const kind of Object.keys(latencies) as Kind[]) latencies[kind].length = 0;
  const rssBefore = await rssMb(pid);
  const started = Date.now();
  const until = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async () => {
      while (Date.now() < until) await once(pick()).catch((error: unknown) => errors.push(String(error)));
    }),
  );
  const elapsed = (Date.now() - started) / 1000;
  const rssAfter = await rssMb(pid);

  const rows = (Object.keys(latencies) as Kind[]).map((kind) => {
    const sorted = [...latencies[kind]].sort((a, b) => a - b);
    return { kind, requests: sorted.length, p50: percentile(sorted, 0.5), p99: percentile(sorted, 0.99) };
  });
  const total = rows.reduce((sum, row) => sum + row.requests, 0);
  console.log(`\n${connections} connections for ${elapsed.toFixed(1)} s against ${server.url}`);
  console.log('kind       requests     p50 ms     p99 ms');
  for (const row of rows) {
    console.log(
      `${row.kind.padEnd(10)} ${String(row.requests).padStart(8)} ${row.p50.toFixed(1).padStart(10)} ${row.p99.toFixed(1).padStart(10)}`,
    );
  }
  console.log(
    `served ${total} (${(total / elapsed).toFixed(0)}/s), errors ${errors.length}${errors.length > 0 ? ` (first: ${errors[0]})` : ''}`,
  );
  console.log(
    `server RSS ${rssBefore.toFixed(0)} MB before, ${rssAfter.toFixed(0)} MB after (bound: growth under ${rssBoundMb} MB)`,
  );
  const grew = rssAfter - rssBefore;
  process.exitCode = errors.length === 0 && grew < rssBoundMb && total > 0 ? 0 : 1;
} finally {
  await server.stop();
  await rm(dataDir, { recursive: true, force: true });
}
