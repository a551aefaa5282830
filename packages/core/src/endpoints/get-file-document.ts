import { ifMatchHolds, makeDescribeDocument } from '../document-management.ts';
import { documentMetadata, metadataEtag } from '../document-metadata.ts';
import { DocumentNotFoundError } from '../documents.ts';
import { isSafeId, parseGuid } from '../ids.ts';
import { bufferedHandler, type HandlerDeps } from '../lambda-adapter.ts';
import type { DocumentStore } from '../ports.ts';
import { routeById } from '../routes.ts';

/**
 * GET /api/v1/people/{personId}/fileDocuments/{documentId}: Read Identity Files. 200 with the document's
 * metadata and its ETag (what a PATCH's If-Match names); 304 for an If-None-Match that still holds; 404
 * when the ids cannot exist (never reaching storage) or the person has no such document.
 */
export function makeGetFileDocumentHandler(deps: HandlerDeps & { readonly documents: DocumentStore }) {
  const describe = makeDescribeDocument(deps);
  return bufferedHandler(routeById('GetFileDocument'), deps, async (request) => {
    const personId = parseGuid(request.pathParameters.personId);
    const { documentId } = request.pathParameters;
    if (personId === undefined || !isSafeId(documentId)) throw new DocumentNotFoundError();
    const record = await describe(personId, documentId);
    const etag = metadataEtag(record);
    const headers = { ETag: etag, 'Cache-Control': 'private, no-store' };
    const ifNoneMatch = request.headers['if-none-match'];
    if (ifNoneMatch !== undefined && ifMatchHolds(ifNoneMatch, etag)) return { statusCode: 304, headers };
    return {
      statusCode: 200,
      headers: { ...headers, 'Content-Type': 'application/json' },
      body: JSON.stringify(documentMetadata(record)),
    };
  });
}
