import { isSafeId } from '../ids.ts';
import { bufferedHandler, type HandlerDeps } from '../lambda-adapter.ts';
import type { ObjectStore, UploadSessionStore } from '../ports.ts';
import { pathOf, routeById } from '../routes.ts';
import { parseCompleteSession } from '../session-requests.ts';
import { makeCompleteUploadSession, UploadSessionNotFoundError } from '../upload-sessions.ts';
import { documentLocation } from './locations.ts';

/**
 * POST /api/v1/people/fileDocuments/uploadSessions/{documentId}/complete: Add Identity Files. 200 with
 * the document; a document id that cannot exist is a 404 that never reaches storage.
 */
export function makeCompleteUploadSessionHandler(
  deps: HandlerDeps & { readonly sessions: UploadSessionStore; readonly objects: ObjectStore },
) {
  const complete = makeCompleteUploadSession(deps);
  return bufferedHandler(routeById('CompleteUploadSession'), deps, async (request) => {
    const { personId } = parseCompleteSession(request.headers['content-type'], request.body());
    const { documentId } = request.pathParameters;
    if (!isSafeId(documentId)) throw new UploadSessionNotFoundError();
    const record = await complete(personId, documentId);
    const requestPath = pathOf('CompleteUploadSession', { documentId: record.documentId });
    return {
      statusCode: 200,
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        Location: documentLocation(requestPath, record),
      },
      body: JSON.stringify({
        documentId: record.documentId,
        personId: record.personId,
        name: record.name,
        fileName: record.fileName,
        contentType: record.contentType,
        size: record.size,
        sha256: record.sha256,
        createdAt: record.createdAt,
      }),
    };
  });
}
