import { createHash } from 'node:crypto';
import {
  ConflictError,
  MAX_UPLOAD_FILE_BYTES,
  makeLogger,
  makeUploadDocument,
  PayloadTooLargeError,
  parseUploadForm,
  pathOf,
  type UploadCommand,
} from '@identities/core';
import { describe, expect, it } from 'vitest';
import { memoryMetadata, memoryObjectStore } from '../support/memory-ports.ts';

const personId = '6f1c2b9e-5a4d-4c3b-9e8f-1a2b3c4d5e6f';
const bytes = Buffer.from('%PDF-1.7 a small document');
const BOUNDARY = 'fast-boundary';

function form(parts: { name: string; value?: string; filename?: string; data?: Buffer }[]): Buffer {
  const chunks = parts.flatMap((part) => [
    Buffer.from(
      `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${part.name}"` +
        (part.filename === undefined ? '' : `; filename="${part.filename}"\r\nContent-Type: application/pdf`) +
        '\r\n\r\n',
    ),
    part.data ?? Buffer.from(part.value ?? ''),
    Buffer.from('\r\n'),
  ]);
  return Buffer.concat([...chunks, Buffer.from(`--${BOUNDARY}--\r\n`)]);
}
const contentType = `multipart/form-data; boundary=${BOUNDARY}`;
const limits = { maxFileBytes: MAX_UPLOAD_FILE_BYTES };

function uploadCommand(publicId?: string): UploadCommand {
  return {
    personId,
    name: 'Passport',
    description: undefined,
    publicId,
    file: {
      fileName: 'passport.pdf',
      contentType: 'application/pdf',
      bytes,
      sha256: createHash('sha256').update(bytes).digest(),
    },
  };
}

describe('parseUploadForm', () => {
  it('takes the fields and the one file part', async () => {
    const command = await parseUploadForm(
      contentType,
      form([
        { name: 'personId', value: personId },
        { name: 'name', value: 'Passport' },
        { name: 'anything', filename: 'passport.pdf', data: bytes },
      ]),
      limits,
    );
    expect(command).toMatchObject({ personId, name: 'Passport', file: { fileName: 'passport.pdf' } });
    expect(command.file.bytes.equals(bytes)).toBe(true);
  });

  it('answers 400 without personId or name, or when not multipart', async () => {
    await expect(parseUploadForm(contentType, form([{ name: 'name', value: 'n' }]), limits)).rejects.toMatchObject({
      statusCode: 400,
    });
    await expect(parseUploadForm('application/json', Buffer.from('{}'), limits)).rejects.toMatchObject({
      statusCode: 400,
    });
  });

  it('answers 413 above the limit, naming the sessions route', async () => {
    const body = form([
      { name: 'personId', value: personId },
      { name: 'name', value: 'Passport' },
      { name: 'file', filename: 'big.pdf', data: Buffer.alloc(11) },
    ]);
    const parsed = parseUploadForm(contentType, body, { maxFileBytes: 10 });
    await expect(parsed).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(parsed).rejects.toThrow(`POST ${pathOf('StartUploadSession')}`);
  });
});

describe('makeUploadDocument', () => {
  const clock = () => new Date('2026-01-01T00:00:00Z');

  it('stores the bytes under a key of their own, then the record', async () => {
    const objects = memoryObjectStore();
    const { documents } = memoryMetadata();
    const upload = makeUploadDocument({ objects, documents, logger: makeLogger('silent'), clock });
    const record = await upload(uploadCommand('passport'), 'user-1');
    expect(record).toMatchObject({ documentId: 'passport', size: bytes.length, createdAt: clock().toISOString() });
    expect(record.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(objects.bytesOf(record.objectKey)?.equals(bytes)).toBe(true);
    expect(await documents.get(personId, 'passport')).toEqual(record);
  });

  it('answers 409 for a taken id and removes only its own bytes', async () => {
    const objects = memoryObjectStore();
    const { documents } = memoryMetadata();
    const upload = makeUploadDocument({ objects, documents, logger: makeLogger('silent'), clock });
    const winner = await upload(uploadCommand('passport'), 'user-1');
    await expect(upload(uploadCommand('passport'), 'user-2')).rejects.toBeInstanceOf(ConflictError);
    expect(objects.keys()).toEqual([winner.objectKey]);
  });
});
