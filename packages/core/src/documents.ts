import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { NotFoundError } from './errors.ts';
import { documentObjectKey } from './keys.ts';
import { describeError, type Logger } from './log.ts';
import type { ByteRange, DocumentRecord, DocumentStore, ObjectStore } from './ports.ts';
import type { UploadCommand } from './upload-form.ts';

export interface DocumentDeps {
  readonly objects: ObjectStore;
  readonly documents: DocumentStore;
  readonly logger: Logger;
  readonly clock?: () => Date;
  readonly newId?: () => string;
}

/**
 * Stores an uploaded document: bytes first, under a key of their own, then the metadata item with a
 * conditional write. The item is what makes a document exist, so a losing concurrent upload (409)
 * or a failed metadata write only ever removes its own object; the winner's bytes stay untouched.
 */
export function makeUploadDocument(deps: DocumentDeps) {
  const { objects, documents, logger } = deps;
  const clock = deps.clock ?? (() => new Date());
  const newId = deps.newId ?? randomUUID;
  return async (command: UploadCommand, createdBy: string): Promise<DocumentRecord> => {
    const documentId = command.publicId ?? newId();
    const objectKey = documentObjectKey(command.personId, documentId, newId());
    const { file } = command;
    await objects.put(objectKey, file.bytes, { contentType: file.contentType, sha256: file.sha256 });
    const record: DocumentRecord = {
      personId: command.personId,
      documentId,
      name: command.name,
      description: command.description,
      fileName: file.fileName,
      contentType: file.contentType,
      size: file.bytes.length,
      sha256: Buffer.from(file.sha256).toString('hex'),
      objectKey,
      createdAt: clock().toISOString(),
      createdBy,
    };
    try {
      await documents.create(record);
    } catch (error) {
      await objects.delete(objectKey).catch((cleanupError: unknown) => {
        logger.log('error', 'orphaned document object', { objectKey, error: describeError(cleanupError) });
      });
      throw error;
    }
    return record;
  };
}

export class DocumentNotFoundError extends NotFoundError {
  constructor() {
    super('No such document for this person.');
  }
}

/** A person's document: its record, and a way to read its bytes (or a range of them). */
export interface StoredDocument {
  readonly record: DocumentRecord;
  read(range?: ByteRange): Promise<Readable>;
}

/**
 * Finds a person's document by its metadata item; `DocumentNotFoundError` when there is none (or it
 * belongs to another person). The ids must have passed `parseGuid` and `isSafeId`. Bytes are read only
 * when `read` is called, so a revalidation or a HEAD reads only the metadata item.
 */
export function makeGetDocument(deps: Pick<DocumentDeps, 'objects' | 'documents'>) {
  const { objects, documents } = deps;
  return async (personId: string, documentId: string): Promise<StoredDocument> => {
    const record = await documents.get(personId, documentId);
    if (record === undefined) throw new DocumentNotFoundError();
    return {
      record,
      async read(range) {
        const object = await objects.get(record.objectKey, range);
        // Metadata without bytes: a deletion has erased the bytes and not yet the item (it removes them in
        // that order). The document is going: a 404, as it will be once the item goes too.
        if (object === undefined) throw new DocumentNotFoundError();
        return object.body;
      },
    };
  };
}
