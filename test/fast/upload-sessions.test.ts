import {
  BadRequestError,
  ConflictError,
  GoneError,
  makeCompleteUploadSession,
  makeLogger,
  makeStartUploadSession,
  parseCompleteSession,
  parseStartSession,
  SESSION_TTL_SECONDS,
  type StartSessionCommand,
  UploadSessionNotFoundError,
} from '@identities/core';
import { describe, expect, it } from 'vitest';
import { memoryMetadata, memoryObjectStore, memoryUploadTargets, putBytes } from '../support/memory-ports.ts';

const personId = '6f1c2b9e-5a4d-4c3b-9e8f-1a2b3c4d5e6f';
const bytes = Buffer.from('%PDF-1.7 a small document');
const json = (value: unknown) => Buffer.from(JSON.stringify(value));

const command: StartSessionCommand = {
  personId,
  name: 'Passport',
  description: undefined,
  publicId: 'passport',
  fileName: 'passport.pdf',
  contentType: 'application/pdf',
  size: bytes.length,
};

function world(start = new Date('2026-01-01T00:00:00Z')) {
  let now = start;
  const clock = () => now;
  const objects = memoryObjectStore(clock);
  const { documents, sessions } = memoryMetadata(clock);
  const targets = memoryUploadTargets();
  let ids = 0;
  const newId = () => `id-${++ids}`;
  const logger = makeLogger('silent');
  return {
    objects,
    documents,
    sessions,
    targets,
    later: (seconds: number) => {
      now = new Date(now.getTime() + seconds * 1000);
    },
    start: makeStartUploadSession({ sessions, targets, logger, clock, newId }),
    complete: makeCompleteUploadSession({ sessions, objects, logger, clock, newId }),
  };
}

describe('parseStartSession', () => {
  it('takes the document fields and the file name, type and exact size', () => {
    const parsed = parseStartSession(
      'application/json',
      json({ personId, name: 'Passport', fileName: 'p.pdf', contentType: 'application/pdf', size: 10 }),
    );
    expect(parsed).toMatchObject({ personId, name: 'Passport', fileName: 'p.pdf', size: 10 });
  });

  it.each([
    ['another content type', 'text/plain', json({})],
    ['broken JSON', 'application/json', Buffer.from('{')],
    ['an array', 'application/json', json([])],
    ['no file name', 'application/json', json({ personId, name: 'n', size: 1 })],
    ['a size of 0', 'application/json', json({ personId, name: 'n', fileName: 'f', size: 0 })],
    ['a fractional size', 'application/json', json({ personId, name: 'n', fileName: 'f', size: 1.5 })],
  ])('answers 400 for %s', (_, contentType, body) => {
    expect(() => parseStartSession(contentType, body)).toThrow(BadRequestError);
  });
});

describe('parseCompleteSession', () => {
  it('names the person in canonical form, and 400 for anything but a GUID', () => {
    expect(parseCompleteSession('application/json', json({ personId: personId.toUpperCase() }))).toEqual({
      personId,
    });
    expect(() => parseCompleteSession('application/json', json({ personId: 'x' }))).toThrow(BadRequestError);
  });
});

describe('an upload session', () => {
  it('reserves the id, hands out a form for its staging key, and completes into the document', async () => {
    const { start, complete, objects, documents, targets } = world();
    const { session, upload } = await start(command, 'user-1');
    expect(session.documentId).toBe('passport');
    expect(targets.issued).toEqual([session.stagingKey]);
    expect(upload.fields.key).toBe(session.stagingKey);

    await putBytes(objects, session.stagingKey, bytes);
    const record = await complete(personId, 'passport');
    expect(record).toMatchObject({ personId, documentId: 'passport', size: bytes.length, createdBy: 'user-1' });
    expect(objects.bytesOf(record.objectKey)?.equals(bytes)).toBe(true);
    expect(objects.bytesOf(session.stagingKey)).toBeUndefined();
    expect(await documents.get(personId, 'passport')).toEqual(record);
  });

  it('answers 409 when the id is taken', async () => {
    const { start } = world();
    await start(command, 'user-1');
    await expect(start(command, 'user-2')).rejects.toBeInstanceOf(ConflictError);
  });

  it('answers 404 for a session that does not exist', async () => {
    const { complete } = world();
    await expect(complete(personId, 'nothing')).rejects.toBeInstanceOf(UploadSessionNotFoundError);
  });

  it('answers 409 before the file is uploaded, and 409 once completed', async () => {
    const { start, complete, objects } = world();
    const { session } = await start(command, 'user-1');
    await expect(complete(personId, 'passport')).rejects.toBeInstanceOf(ConflictError);
    await putBytes(objects, session.stagingKey, bytes);
    await complete(personId, 'passport');
    await expect(complete(personId, 'passport')).rejects.toMatchObject({ statusCode: 409 });
  });

  it('answers 410 once its time ran out', async () => {
    const { start, complete, objects, later } = world();
    const { session } = await start(command, 'user-1');
    await putBytes(objects, session.stagingKey, bytes);
    later(SESSION_TTL_SECONDS + 1);
    await expect(complete(personId, 'passport')).rejects.toBeInstanceOf(GoneError);
  });

  it('answers 400 for a file of another size, keeping the session and removing its copy', async () => {
    const { start, complete, objects } = world();
    const { session } = await start(command, 'user-1');
    await putBytes(objects, session.stagingKey, Buffer.concat([bytes, Buffer.from('more')]));
    await expect(complete(personId, 'passport')).rejects.toBeInstanceOf(BadRequestError);
    expect(objects.keys()).toEqual([session.stagingKey]);
    await putBytes(objects, session.stagingKey, bytes);
    await expect(complete(personId, 'passport')).resolves.toMatchObject({ size: bytes.length });
  });

  it('releases the id when no form can be issued', async () => {
    const { sessions } = world();
    const failing = makeStartUploadSession({
      sessions,
      logger: makeLogger('silent'),
      targets: { presignPost: async () => Promise.reject(new Error('signer down')) },
    });
    await expect(failing(command, 'user-1')).rejects.toThrow('signer down');
    expect(await sessions.find(personId, 'passport')).toBeUndefined();
  });
});
