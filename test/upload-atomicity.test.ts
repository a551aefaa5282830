import { translateStorageError } from '@identities/aws';
import {
  type DocumentStore,
  makeAuthenticator,
  makeDownloadFileDocumentHandler as makeDownload,
  makeLogger,
  makeUploadFileDocumentHandler as makeUpload,
  PERMISSIONS,
  sharedSecret,
} from '@identities/core';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { apiEvent, invoke } from './support/lambda.ts';
import { uploadEvent } from './support/multipart.ts';
import { auditRecorder, documentStore, listKeys, newPersonId, objectStore } from './support/storage.ts';
import { AUDIENCE, ISSUER } from './support/tokens.ts';

const SECRET = 'atomicity-test-secret-0123456789abcdef';
const auth = makeAuthenticator({ keys: sharedSecret(SECRET), issuer: ISSUER, audience: AUDIENCE });
const logger = makeLogger('silent');
const jwt = await new SignJWT({ permissions: [PERMISSIONS.addFiles, PERMISSIONS.readFiles] })
  .setProtectedHeader({ alg: 'HS256' })
  .setSubject('tester')
  .setIssuer(ISSUER)
  .setAudience(AUDIENCE)
  .setExpirationTime('10m')
  .sign(new TextEncoder().encode(SECRET));

function documentUpload(personId: string, publicId: string, bytes: Buffer) {
  return uploadEvent(
    [
      { name: 'personId', value: personId },
      { name: 'name', value: 'Doc' },
      { name: 'publicId', value: publicId },
      { name: 'file', filename: 'doc.bin', data: bytes },
    ],
    jwt,
  );
}

/** A metadata store that fails every write the way the DynamoDB adapter does when DynamoDB is down. */
const failingDocuments: DocumentStore = {
  get: (personId, documentId) => documentStore.get(personId, documentId),
  create: async () => {
    const reset = Object.assign(new Error('connection reset'), { code: 'ECONNRESET' });
    throw translateStorageError(reset, 'Document metadata');
  },
};

describe('upload atomicity', () => {
  it('leaves no object behind when the metadata write fails', async () => {
    const upload = makeUpload({
      auth,
      logger,
      objects: objectStore,
      documents: failingDocuments,
      audit: auditRecorder,
    });
    const personId = newPersonId();
    const response = await invoke(upload, documentUpload(personId, 'doc', Buffer.from('bytes')));
    // A connection reset by the store: the store failed (502); nothing of the upload stays.
    expect(response.statusCode).toBe(502);
    expect(await listKeys(`people/${personId}/`)).toEqual([]);
    expect(await documentStore.get(personId, 'doc')).toBeUndefined();
  });

  it('answers a generic 500 without internals when the metadata write fails unexpectedly', async () => {
    const broken: DocumentStore = {
      ...failingDocuments,
      create: async () => Promise.reject(new Error('secret detail')),
    };
    const upload = makeUpload({ auth, logger, objects: objectStore, documents: broken, audit: auditRecorder });
    const personId = newPersonId();
    const response = await invoke(upload, documentUpload(personId, 'doc', Buffer.from('bytes')));
    expect(response.statusCode).toBe(500);
    expect(response.body.toString()).not.toContain('secret detail');
    expect(response.json()).toMatchObject({ status: 500, title: 'Internal Server Error' });
    expect(await listKeys(`people/${personId}/`)).toEqual([]);
  });

  it('keeps the winner of two concurrent uploads with one publicId, every time', async () => {
    const upload = makeUpload({ auth, logger, objects: objectStore, documents: documentStore, audit: auditRecorder });
    const download = makeDownload({
      auth,
      logger,
      objects: objectStore,
      documents: documentStore,
      audit: auditRecorder,
    });
    for (let round = 0; round < 25; round++) {
      const personId = newPersonId();
      const bytes = [Buffer.from(`first-${round}-`.repeat(200)), Buffer.from(`second-${round}-`.repeat(300))];
      const responses = await Promise.all(bytes.map((body) => invoke(upload, documentUpload(personId, 'same', body))));
      const statuses = responses.map((response) => response.statusCode).sort();
      expect(statuses).toEqual([200, 409]);
      const winner = bytes[responses.findIndex((response) => response.statusCode === 200)];
      const stored = await invoke(
        download,
        apiEvent({
          path: `/api/v1/people/${personId}/fileDocuments/same/data`,
          headers: { Authorization: `Bearer ${jwt}` },
        }),
      );
      expect(stored.body.equals(winner as Buffer)).toBe(true);
      expect(await listKeys(`people/${personId}/`)).toHaveLength(1);
    }
  });
});
