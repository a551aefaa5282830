import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { makeUploadSessionStore } from '@identities/aws';
import { makeCompleteUploadSession, makeLogger, type ObjectStore } from '@identities/core';
import { describe, expect, it } from 'vitest';
import { startUploadSession as start } from '../support/functions.ts';
import { apiEvent, invoke } from '../support/lambda.ts';
import {
  documentStore,
  dynamoClient,
  everyByte,
  listKeys,
  newPersonId,
  objectBytes,
  objectStore,
  putObject,
} from '../support/storage.ts';
import { bearer, bothPermissions } from '../support/tokens.ts';

const sessions = makeUploadSessionStore(dynamoClient, process.env.TABLE_NAME ?? '');
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/**
 * The real S3 adapter, except that right after the first read or copy of the staged object, the staged
 * bytes are replaced by others of the same size: what a replayed presigned form does while completion runs.
 */
function replayingStore(stagingKey: string, replacement: Buffer): { store: ObjectStore; replaced: () => boolean } {
  let replaced = false;
  const replace = async () => {
    if (replaced) return;
    replaced = true;
    await putObject(stagingKey, replacement, 'application/pdf');
  };
  const store: ObjectStore = {
    async get(key, range) {
      const object = await objectStore.get(key, range);
      if (key !== stagingKey || object === undefined) return object;
      // Read the whole of the first object, so it is exactly what was served, then replace it.
      const bytes = Buffer.concat(await object.body.toArray());
      await replace();
      return { ...object, body: Readable.from([bytes]) };
    },
    head: (key) => objectStore.head(key),
    put: (key, body, options) => objectStore.put(key, body, options),
    async copy(from, to, options) {
      await objectStore.copy(from, to, options);
      if (from === stagingKey) await replace();
    },
    delete: (key) => objectStore.delete(key),
    listOlderThan: (prefix, before) => objectStore.listOlderThan(prefix, before),
  };
  return { store, replaced: () => replaced };
}

/** A started session for the person with the bytes staged; its staging key. */
async function staged(personId: string, bytes: Buffer): Promise<string> {
  const response = await invoke(
    start,
    apiEvent({
      method: 'POST',
      path: '/api/v1/people/fileDocuments/uploadSessions',
      headers: { ...bearer(await bothPermissions()), 'Content-Type': 'application/json' },
      body: Buffer.from(
        JSON.stringify({
          personId,
          name: 'Scan',
          publicId: 'replayed',
          fileName: 'scan.pdf',
          contentType: 'application/pdf',
          size: bytes.length,
        }),
      ),
    }),
  );
  expect(response.statusCode).toBe(201);
  const stagingKey = (response.json().upload as { fields: { key: string } }).fields.key;
  await putObject(stagingKey, bytes, 'application/pdf');
  return stagingKey;
}

describe('completing an upload session while its form is replayed', () => {
  it('records the SHA-256 of the bytes it stores, whatever replaces the staged bytes meanwhile', async () => {
    const personId = newPersonId();
    const original = everyByte(20);
    const replacement = Buffer.from(original.map((byte) => byte ^ 0xff));
    const stagingKey = await staged(personId, original);

    const { store, replaced } = replayingStore(stagingKey, replacement);
    const complete = makeCompleteUploadSession({ sessions, objects: store, logger: makeLogger('silent') });
    const record = await complete(personId, 'replayed');

    expect(replaced()).toBe(true);
    const stored = await objectBytes(record.objectKey);
    expect(record.sha256).toBe(sha256(stored));
    expect(record.size).toBe(stored.length);
  });

  it('answers 400 and removes its copy when the bytes copied are not the declared size, keeping the session', async () => {
    const personId = newPersonId();
    const original = everyByte(20);
    const stagingKey = await staged(personId, original);
    // The size is checked on the staged object first; a longer file replaces it right after.
    let headed = false;
    const store: ObjectStore = {
      ...objectStore,
      async head(key) {
        const info = await objectStore.head(key);
        if (key === stagingKey && !headed) {
          headed = true;
          await putObject(stagingKey, Buffer.concat([original, Buffer.from('more')]), 'application/pdf');
        }
        return info;
      },
    };
    const complete = makeCompleteUploadSession({ sessions, objects: store, logger: makeLogger('silent') });
    await expect(complete(personId, 'replayed')).rejects.toMatchObject({ statusCode: 400 });
    expect(await listKeys(`people/${personId}/`)).toEqual([]);
    expect(await documentStore.get(personId, 'replayed')).toBeUndefined();

    // The session is as it was: with the declared bytes staged again, it completes.
    await putObject(stagingKey, original, 'application/pdf');
    const record = await makeCompleteUploadSession({ sessions, objects: objectStore, logger: makeLogger('silent') })(
      personId,
      'replayed',
    );
    expect(record.sha256).toBe(sha256(original));
  });
});
