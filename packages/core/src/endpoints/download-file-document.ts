import contentDisposition from 'content-disposition';
import { type AuditRecorder, auditFields } from '../audit.ts';
import { DocumentNotFoundError, makeGetDocument, type StoredDocument } from '../documents.ts';
import { serveDownload } from '../downloads.ts';
import { isSafeId, parseGuid } from '../ids.ts';
import { type HandlerDeps, streamingHandler } from '../lambda-adapter.ts';
import type { DocumentRecord, DocumentStore, ObjectStore } from '../ports.ts';
import { routeById } from '../routes.ts';

/**
 * GET and HEAD /api/v1/people/{personId}/fileDocuments/{documentId}/data: Read Identity Files. 404 when
 * the ids cannot exist (never reaching storage), when there is no such document, or when it belongs to
 * another person. The ETag is the stored SHA-256, so a revalidation or a HEAD reads only the metadata.
 *
 * Every answer about a document that could exist (200, 206, HEAD, 304, 416, and 404 for a person's id and
 * a document id that pass their checks) is recorded in the access trail before it is sent: when the
 * trail cannot be written the answer is a 503 and nothing of the document goes out.
 */
export function makeDownloadFileDocumentHandler(
  deps: HandlerDeps & {
    readonly objects: ObjectStore;
    readonly documents: DocumentStore;
    readonly audit: AuditRecorder;
  },
) {
  const getDocument = makeGetDocument(deps);
  return streamingHandler(routeById('DownloadFileDocument'), deps, async (request, principal) => {
    const personId = parseGuid(request.pathParameters.personId);
    const { documentId } = request.pathParameters;
    if (personId === undefined || !isSafeId(documentId)) throw new DocumentNotFoundError();
    const record = (status: number, bytesSent: number) =>
      deps.audit.record({
        ...auditFields(request, principal),
        action: 'document.download',
        personId,
        documentId,
        status,
        bytesSent,
      });
    let document: StoredDocument;
    try {
      document = await getDocument(personId, documentId);
    } catch (error) {
      // An attempt at a document that is not there is an access attempt too.
      if (error instanceof DocumentNotFoundError) await record(404, 0);
      throw error;
    }
    return serveDownload(request, {
      etag: `"${document.record.sha256}"`,
      size: document.record.size,
      headers: documentHeaders(document.record),
      open: (range) => document.read(range),
      beforeSend: (answer) => record(answer.status, answer.bytes),
    });
  });
}

/**
 * Always an attachment with nosniff: whatever the uploader claimed the content to be, a browser saves it
 * rather than rendering it. Never cached. A download link makes storage send the same.
 */
export function documentHeaders(record: DocumentRecord): Record<string, string> {
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
