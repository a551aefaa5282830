import { createHash, randomUUID } from 'node:crypto';
import { BadGatewayError, BadRequestError, ConflictError, GoneError, NotFoundError } from './errors.ts';
import { documentObjectKey, stagingKey } from './keys.ts';
import { describeError, type Logger } from './log.ts';
import type {
  DocumentRecord,
  ObjectStore,
  PresignedPost,
  UploadSession,
  UploadSessionStore,
  UploadTargets,
} from './ports.ts';
import type { StartSessionCommand } from './session-requests.ts';
import { PRESIGNED_POST_TTL_SECONDS, SESSION_TTL_SECONDS } from './upload-session-timing.ts';

export class UploadSessionNotFoundError extends NotFoundError {
  constructor() {
    super('No upload session for this document.');
  }
}

export interface SessionDeps {
  readonly sessions: UploadSessionStore;
  readonly objects: ObjectStore;
  readonly logger: Logger;
  readonly clock?: () => Date;
  readonly newId?: () => string;
}

export interface StartedSession {
  readonly session: UploadSession;
  readonly upload: PresignedPost & { readonly expiresAt: Date };
}

/**
 * Starts an upload session: reserves the document id (409 when taken) and hands out a presigned POST
 * that accepts exactly this file's size and type under a staging key of its own.
 */
export function makeStartUploadSession(
  deps: Pick<SessionDeps, 'sessions' | 'logger' | 'clock' | 'newId'> & { targets: UploadTargets },
) {
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  return async (command: StartSessionCommand, createdBy: string): Promise<StartedSession> => {
    const now = clock();
    const uploadId = newId();
    const session: UploadSession = {
      personId: command.personId,
      documentId: command.publicId ?? newId(),
      uploadId,
      name: command.name,
      description: command.description,
      fileName: command.fileName,
      contentType: command.contentType,
      size: command.size,
      ...(command.sha256 === undefined ? {} : { sha256: command.sha256 }),
      stagingKey: stagingKey(uploadId),
      createdAt: now.toISOString(),
      createdBy,
      expiresAt: new Date(now.getTime() + SESSION_TTL_SECONDS * 1000),
    };
    await deps.sessions.reserve(session);
    let post: PresignedPost;
    try {
      post = await deps.targets.presignPost(session.stagingKey, {
        size: session.size,
        contentType: session.contentType,
        expiresInSeconds: PRESIGNED_POST_TTL_SECONDS,
        sha256: session.sha256,
      });
    } catch (error) {
      // No form, no session: release the id rather than hold it for an hour. A release that fails
      // leaves the id taken until the session expires: said, but the signing failure is the answer.
      await deps.sessions.remove(session).catch((releaseError: unknown) => {
        deps.logger.log('error', 'upload session id not released', {
          personId: session.personId,
          documentId: session.documentId,
          expiresAt: session.expiresAt.toISOString(),
          error: describeError(releaseError),
        });
      });
      throw error;
    }
    return { session, upload: { ...post, expiresAt: new Date(now.getTime() + PRESIGNED_POST_TTL_SECONDS * 1000) } };
  };
}

/**
 * Completes a session (the document id must have passed `isSafeId`). The staged object is copied first to a document key of its own, which only this
 * attempt knows and nobody else can write; the size and SHA-256 are then taken from that copy, so the
 * hash recorded is the hash of the bytes kept, even if a replayed upload form replaces the staged object
 * meanwhile. Storage computes the copy's SHA-256 as it copies (S3 does, asked by the adapter), so
 * completion reads no bytes and fits the buffered integration's 29 s at any accepted size; a store that
 * reports no checksum (the embedded one) has the copy read and hashed here. A session that declared a
 * SHA-256 (which storage also checked on upload) completes only with exactly those bytes: another hash
 * is a 400. The session item becomes the document in one conditional write. On any failure the session
 * stays as it was and only this attempt's copy is removed.
 */
export function makeCompleteUploadSession(deps: SessionDeps) {
  const { sessions, objects, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  const removeCopy = (objectKey: string) =>
    objects.delete(objectKey).catch((cleanupError: unknown) => {
      logger.log('error', 'orphaned document object', { objectKey, error: describeError(cleanupError) });
    });
  return async (personId: string, documentId: string): Promise<DocumentRecord> => {
    const found = await sessions.find(personId, documentId);
    if (found === undefined) throw new UploadSessionNotFoundError();
    if (found === 'completed') throw new ConflictError('This upload session has already been completed.');
    const session = found;
    if (session.expiresAt <= clock()) throw new GoneError('This upload session has expired; start a new one.');

    // A quick answer before copying up to 190 MiB: nothing staged yet, or the wrong size. What is
    // recorded is checked again on the copy below, never on this.
    const staged = await objects.head(session.stagingKey);
    if (staged === undefined) throw new ConflictError('The file has not been uploaded for this session yet.');
    checkSize(staged.size, session.size);

    const objectKey = documentObjectKey(session.personId, session.documentId, newId());
    let record: DocumentRecord;
    try {
      // Storage computes the copy's SHA-256 as it copies (S3 does): no byte passes through here.
      await objects.copy(session.stagingKey, objectKey, { contentType: session.contentType });
      const copied = await objects.head(objectKey);
      if (copied === undefined) throw new ConflictError('The file has not been uploaded for this session yet.');
      checkSize(copied.size, session.size);
      // The hash recorded is always one computed from the bytes kept: storage's, or ours when it has none.
      const sha256 = copied.sha256 ?? (await hashObject(objects, objectKey, session.size));
      if (session.sha256 !== undefined && sha256 !== session.sha256) {
        throw new BadRequestError('The uploaded file does not have the SHA-256 the session declared.');
      }
      record = {
        personId: session.personId,
        documentId: session.documentId,
        name: session.name,
        description: session.description,
        fileName: session.fileName,
        contentType: session.contentType,
        size: session.size,
        sha256,
        objectKey,
        createdAt: clock().toISOString(),
        createdBy: session.createdBy,
      };
      await sessions.complete(session, record);
    } catch (error) {
      await removeCopy(objectKey);
      throw error;
    }
    await objects.delete(session.stagingKey).catch((error: unknown) => {
      // Harmless: the lifecycle rule or the sweep removes staging objects anyway.
      logger.log('warn', 'staging object left behind', { key: session.stagingKey, error: describeError(error) });
    });
    return record;
  };
}

function checkSize(actual: number, declared: number): void {
  if (actual !== declared) {
    throw new BadRequestError(`The uploaded file has ${actual} bytes; the session declared ${declared}.`);
  }
}

/** The hex SHA-256 of an object that nobody but this attempt writes (a completion's own copy). */
async function hashObject(objects: ObjectStore, key: string, size: number): Promise<string> {
  const object = await objects.get(key);
  if (object === undefined) throw new ConflictError('The file has not been uploaded for this session yet.');
  const hash = createHash('sha256');
  let read = 0;
  try {
    for await (const chunk of object.body as AsyncIterable<Buffer>) {
      hash.update(chunk);
      read += chunk.length;
    }
  } catch (error) {
    throw new BadGatewayError('Object storage failed while the file was read.', { cause: error });
  }
  if (read !== size) {
    throw new BadGatewayError(`Object storage returned ${read} bytes of an object of ${size}; complete again.`);
  }
  return hash.digest('hex');
}
