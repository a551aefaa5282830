import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { CopyObjectCommand, DeleteObjectCommand, GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import {
  makeDynamoClient,
  makeObjectStore,
  makeS3Client,
  makeUploadSessionStore,
  makeUploadTargets,
} from '@identities/aws';
import { makeCompleteUploadSession, makeLogger, makeStartUploadSession } from '@identities/core';
import { BUCKET, type Fixture, TABLE } from '../fixture.ts';
import { mb, ms, x } from '../lib/format.ts';
import { median, pairedRatio } from '../lib/stats.ts';
import type { Row } from '../lib/table.ts';
import { TARGETS } from '../settings.ts';

/**
 * Figure 8: completing an upload session of the largest size a session takes, on the embedded store
 * (the use case with the project's adapters: the staged object copied to the document's key, the copy
 * read back and hashed, since this store reports no checksum, the item written, the staged object
 * removed), against the same storage work done with the SDK directly (CopyObject, then GetObject of
 * the copy hashed with SHA-256). Each round stages the file anew, as a client's form would; the two
 * sides alternate which goes first. On S3 the completion reads no bytes (the copy carries
 * ChecksumAlgorithm SHA256), so this bounds the embedded store's path only.
 */
export interface CompletionSummary {
  readonly bytes: number;
  readonly rounds: number;
  readonly completionMs: number;
  readonly baselineMs: number;
  readonly timeRatio: number;
  readonly samples: { readonly completionMs: readonly number[]; readonly baselineMs: readonly number[] };
}

export async function completionFigure(options: { fixture: Fixture; bytes: number; rounds: number }) {
  const { fixture, bytes } = options;
  const env = fixture.storageEnv;
  const region = env.AWS_REGION ?? '';
  const s3 = fixture.s3;
  const objects = makeObjectStore(makeS3Client({ region, endpoint: env.S3_ENDPOINT }), BUCKET);
  const sessions = makeUploadSessionStore(makeDynamoClient({ region, endpoint: env.DYNAMODB_ENDPOINT }), TABLE);
  const logger = makeLogger('silent');
  const start = makeStartUploadSession({ sessions, logger, targets: makeUploadTargets(s3, BUCKET) });
  const complete = makeCompleteUploadSession({ sessions, objects, logger });
  const file = randomBytes(bytes);
  const expected = createHash('sha256').update(file).digest('hex');
  const personId = randomUUID();

  /** A started session whose bytes are staged; its document id. */
  const staged = async (): Promise<{ documentId: string; stagingKey: string }> => {
    const { session } = await start(
      {
        personId,
        name: 'Large scan',
        description: undefined,
        fileName: 'scan.pdf',
        contentType: 'application/pdf',
        size: bytes,
      },
      'bench-user',
    );
    await s3.send(
      new PutObjectCommand({
        Bucket: BUCKET,
        Key: session.stagingKey,
        Body: file,
        ContentType: 'application/pdf',
        ContentLength: bytes,
      }),
    );
    return { documentId: session.documentId, stagingKey: session.stagingKey };
  };

  /** CopyObject, then the copy read back and hashed: the storage work alone. */
  const baseline = async (source: string): Promise<number> => {
    const copyKey = `bench/completion-baseline-${randomUUID()}`;
    const started = performance.now();
    await s3.send(
      new CopyObjectCommand({
        Bucket: BUCKET,
        Key: copyKey,
        CopySource: `${BUCKET}/${source}`,
        ContentType: 'application/pdf',
        MetadataDirective: 'REPLACE',
      }),
    );
    const object = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: copyKey }));
    const hash = createHash('sha256');
    for await (const chunk of object.Body as Readable) hash.update(chunk as Buffer);
    const elapsed = performance.now() - started;
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: copyKey }));
    if (hash.digest('hex') !== expected) throw new Error('the baseline copy has other bytes');
    return elapsed;
  };

  const samples = { completionMs: [] as number[], baselineMs: [] as number[] };
  for (let pass = 0; pass < options.rounds; pass++) {
    const { documentId, stagingKey } = await staged();
    // The baseline copies the staged object when it goes first, the completed document's otherwise
    // (completion removes the staged one): the same bytes on the same store either way.
    let baselineMs: number | undefined;
    if (pass % 2 === 1) baselineMs = await baseline(stagingKey);
    const started = performance.now();
    const record = await complete(personId, documentId);
    samples.completionMs.push(performance.now() - started);
    if (record.sha256 !== expected || record.size !== bytes) throw new Error('the completion recorded other bytes');
    samples.baselineMs.push(baselineMs ?? (await baseline(record.objectKey)));
    await s3.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: record.objectKey }));
  }
  const result: CompletionSummary = {
    bytes,
    rounds: options.rounds,
    completionMs: median(samples.completionMs),
    baselineMs: median(samples.baselineMs),
    timeRatio: pairedRatio(samples.completionMs, samples.baselineMs),
    samples,
  };
  const rows: Row[] = [
    {
      figure: '8',
      name: `session completion ${mb(bytes)}, time`,
      measured: ms(result.completionMs),
      baseline: `${ms(result.baselineMs)} (CopyObject + GetObject + SHA-256)`,
      ratio: x(result.timeRatio),
      target: `<= ${TARGETS.completionTime}x`,
      met: result.timeRatio <= TARGETS.completionTime,
    },
  ];
  return { rows, result };
}
