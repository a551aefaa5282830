import { type AuditRecorder, auditFields } from '../audit.ts';
import { DocumentNotFoundError } from '../documents.ts';
import { isSafeId, parseGuid } from '../ids.ts';
import { bufferedHandler, type HandlerDeps } from '../lambda-adapter.ts';
import { parseLinkRequest } from '../link-requests.ts';
import { makeDocumentLink } from '../links.ts';
import type { DocumentRecord, DocumentStore, DownloadLink, DownloadLinks, LinkResponseHeaders } from '../ports.ts';
import { routeById } from '../routes.ts';
import { documentHeaders } from './download-file-document.ts';
import { linkResponse } from './link-response.ts';

/** What the streamed download sends, made into the headers storage sends for a link. */
function linkHeadersOf(record: DocumentRecord): LinkResponseHeaders {
  const headers = documentHeaders(record);
  return {
    contentType: headers['Content-Type'] ?? record.contentType,
    cacheControl: headers['Cache-Control'] ?? 'private, no-store',
    contentDisposition: headers['Content-Disposition'],
  };
}

/**
 * POST /api/v1/people/{personId}/fileDocuments/{documentId}/links: Read Identity Files. 201 with a
 * presigned GET straight to storage for the document's bytes, as an attachment; 404 when there is no
 * such document for this person (ids that cannot exist never reach storage).
 */
export function makeFileDocumentLinkHandler(
  deps: HandlerDeps & {
    readonly documents: DocumentStore;
    readonly links: DownloadLinks;
    readonly audit: AuditRecorder;
  },
) {
  const documentLink = makeDocumentLink({ ...deps, headersOf: linkHeadersOf });
  return bufferedHandler(routeById('FileDocumentLink'), deps, async (request, principal) => {
    const personId = parseGuid(request.pathParameters.personId);
    const { documentId } = request.pathParameters;
    if (personId === undefined || !isSafeId(documentId)) throw new DocumentNotFoundError();
    const command = parseLinkRequest(request.headers['content-type'], request.body());
    const event = { ...auditFields(request, principal), action: 'document.link', personId, documentId } as const;
    let link: DownloadLink;
    try {
      link = await documentLink(personId, documentId, command, principal.subject);
    } catch (error) {
      // A link asked for a document that is not there is an access attempt like a download's 404.
      if (error instanceof DocumentNotFoundError) await deps.audit.record({ ...event, status: 404, bytesSent: 0 });
      throw error;
    }
    // Recorded before the link is handed out: when the trail cannot be written, no link leaves (503).
    await deps.audit.record({ ...event, status: 201, bytesSent: 0, linkExpiresAt: link.expiresAt.toISOString() });
    return linkResponse(link);
  });
}
