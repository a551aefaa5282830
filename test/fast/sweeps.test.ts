import {
  documentObjectKey,
  makeLogger,
  makeStartUploadSession,
  makeSweepOrphanDocuments,
  makeSweepUploadSessions,
  SESSION_TTL_SECONDS,
} from '@identities/core';
import { describe, expect, it } from 'vitest';
import { memoryMetadata, memoryObjectStore, memoryUploadTargets, putBytes } from '../support/memory-ports.ts';

const personId = '6f1c2b9e-5a4d-4c3b-9e8f-1a2b3c4d5e6f';
const logger = makeLogger('silent');

function clockAt(start: Date) {
  let now = start;
  return { clock: () => now, advance: (seconds: number) => (now = new Date(now.getTime() + seconds * 1000)) };
}

describe('makeSweepUploadSessions', () => {
  it('removes expired sessions with their staged bytes, and leaves live ones', async () => {
    const { clock, advance } = clockAt(new Date('2026-01-01T00:00:00Z'));
    const objects = memoryObjectStore(clock);
    const { sessions } = memoryMetadata(clock);
    const start = makeStartUploadSession({ sessions, targets: memoryUploadTargets(), logger, clock });
    const command = { personId, name: 'n', description: undefined, fileName: 'f.pdf', contentType: 'application/pdf' };
    const old = await start({ ...command, publicId: 'old', size: 1 }, 'user-1');
    await putBytes(objects, old.session.stagingKey, Buffer.from('x'));
    advance(SESSION_TTL_SECONDS + 1);
    const live = await start({ ...command, publicId: 'live', size: 1 }, 'user-1');

    const sweep = makeSweepUploadSessions({ sessions, objects, logger, clock });
    expect(await sweep()).toEqual({ sessions: 1, objects: 0 });
    expect(await sessions.find(personId, 'old')).toBeUndefined();
    expect(await sessions.find(personId, 'live')).toEqual(live.session);
    expect(objects.keys()).toEqual([]);
  });

  it('removes staged objects older than any live session could be', async () => {
    const { clock, advance } = clockAt(new Date('2026-01-01T00:00:00Z'));
    const objects = memoryObjectStore(clock);
    const { sessions } = memoryMetadata(clock);
    await putBytes(objects, 'uploads/stray', Buffer.from('x'));
    const sweep = makeSweepUploadSessions({ sessions, objects, logger, clock });
    expect(await sweep()).toEqual({ sessions: 0, objects: 0 });
    advance(SESSION_TTL_SECONDS + 301);
    expect(await sweep()).toEqual({ sessions: 0, objects: 1 });
  });
});

describe('makeSweepOrphanDocuments', () => {
  it('removes document objects nothing points to, once older than the grace time', async () => {
    const { clock, advance } = clockAt(new Date('2026-01-01T00:00:00Z'));
    const objects = memoryObjectStore(clock);
    const { documents } = memoryMetadata(clock);
    const kept = documentObjectKey(personId, 'kept', 'upload-1');
    const orphan = documentObjectKey(personId, 'gone', 'upload-2');
    await putBytes(objects, kept, Buffer.from('kept'));
    await putBytes(objects, orphan, Buffer.from('orphan'));
    await documents.create({
      personId,
      documentId: 'kept',
      name: 'Kept',
      description: undefined,
      fileName: 'kept.pdf',
      contentType: 'application/pdf',
      size: 4,
      sha256: '',
      objectKey: kept,
      createdAt: clock().toISOString(),
      createdBy: 'user-1',
    });
    const sweep = makeSweepOrphanDocuments({ objects, documents, logger, clock });
    expect(await sweep(3600)).toBe(0);
    advance(3601);
    expect(await sweep(3600)).toBe(1);
    expect(objects.keys()).toEqual([kept]);
  });
});
