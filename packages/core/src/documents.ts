import { randomUUID } from 'node:crypto';
import contentDisposition from 'content-disposition';
import { serveDownload } from './downloads.ts';
import { NotFoundError } from './errors.ts';
import type { HttpRequest, HttpResponse } from './http-types.ts';
import { isSafeId, parseGuid } from './ids.ts';
import { documentObjectKey } from './keys.ts';
import { describeError, type Logger } from './log.ts';
import type { DocumentRecord, DocumentStore, ObjectStore } from './ports.ts';
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

/**
 * Serves a person's document. 404 when the ids cannot exist, when there is no such document, or when it
 * belongs to another person. The ETag is the stored SHA-256, so a revalidation or a HEAD reads only the
 * metadata item; bytes are read only for what is sent.
 */
export function makeGetDocument(deps: Pick<DocumentDeps, 'objects' | 'documents'>) {
  const { objects, documents } = deps;
  return async (
    request: HttpRequest,
    personIdParam: string | undefined,
    documentIdParam: string | undefined,
  ): Promise<HttpResponse> => {
    const personId = parseGuid(personIdParam);
    if (personId === undefined || !isSafeId(documentIdParam)) throw documentNotFound();
    const record = await documents.get(personId, documentIdParam);
    if (record === undefined) throw documentNotFound();
    return serveDownload(request, {
      etag: `"${record.sha256}"`,
      size: record.size,
      headers: documentHeaders(record),
      async open(range) {
        const object = await objects.get(record.objectKey, range);
        // Metadata without bytes breaks the upload's invariant: a server fault, not a missing document.
        if (object === undefined) throw new Error(`document object ${record.objectKey} is missing`);
        return object.body;
      },
    });
  };
}

/**
 * Always an attachment with nosniff: whatever the uploader claimed the content to be, a browser saves it
 * rather than rendering it. Never cached.
 */
function documentHeaders(record: DocumentRecord): Record<string, string> {
  return {
    'Content-Type': record.contentType,
    // RFC 6266: an ASCII fallback for old clients plus the exact name as filename* in UTF-8.
    'Content-Disposition': contentDisposition(record.fileName, {
      type: 'attachment',
      fallback: asciiFallback(record.fileName),
    }),
    'Cache-Control': 'private, no-store',
  };
}

/** "Carte d'identité 日本.pdf" → "Carte d'identite __.pdf": accents dropped, anything else non-ASCII as "_". */
function asciiFallback(fileName: string): string {
  return fileName
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_');
}

function documentNotFound(): NotFoundError {
  return new NotFoundError('No such document for this person.');
}

/** The path of a document's data, from the API root. */
export function documentDataPath(personId: string, documentId: string): string {
  return `/api/v1/people/${personId}/fileDocuments/${encodeURIComponent(documentId)}/data`;
}

/**
 * A reference to `target` relative to the request path `from` (RFC 3986 §5.2), so a `Location` holds
 * behind any base path (`/identities` in the cloud, none on-prem).
 */
export function relativeReference(from: string, target: string): string {
  const base = from.split('/').slice(0, -1);
  const parts = target.split('/');
  let common = 0;
  while (common < base.length && common < parts.length - 1 && base[common] === parts[common]) common++;
  return `${'../'.repeat(base.length - common)}${parts.slice(common).join('/')}`;
}
