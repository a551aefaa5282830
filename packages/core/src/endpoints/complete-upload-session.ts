import { type AuditRecorder, auditFields } from '../audit.ts';
import { HttpError } from '../errors.ts';
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
 *
 * Recorded in the access trail once the document exists, and so is a refusal (400, 404, 409, 410) of a
 * well-formed request; when the trail cannot be written the answer is a 503 and the document, complete
 * already, stays (logged at error level), as for an upload.
 */
export function makeCompleteUploadSessionHandler(
  deps: HandlerDeps & {
    readonly sessions: UploadSessionStore;
    readonly objects: ObjectStore;
    readonly audit: AuditRecorder;
  },
) {
  const complete = makeCompleteUploadSession(deps);
  return bufferedHandler(routeById('CompleteUploadSession'), deps, async (request, principal) => {
    const { personId } = parseCompleteSession(request.headers['content-type'], request.body());
    const { documentId } = request.pathParameters;
    if (!isSafeId(documentId)) throw new UploadSessionNotFoundError();
    const event = {
      ...auditFields(request, principal),
      action: 'document.uploadSessionComplete',
      personId,
      documentId,
    } as const;
    let record: Awaited<ReturnType<typeof complete>>;
    try {
      record = await complete(personId, documentId);
    } catch (error) {
      if (error instanceof HttpError && error.statusCode < 500) {
        await deps.audit.record({ ...event, status: error.statusCode, bytesSent: 0 });
      }
      throw error;
    }
    const requestPath = pathOf('CompleteUploadSession', { documentId: record.documentId });
    const body = JSON.stringify({
      documentId: record.documentId,
      personId: record.personId,
      name: record.name,
      fileName: record.fileName,
      contentType: record.contentType,
      size: record.size,
      sha256: record.sha256,
      createdAt: record.createdAt,
    });
    try {
      await deps.audit.record({
        ...event,
        status: 200,
        bytesSent: Buffer.byteLength(body),
        bytesReceived: record.size,
      });
    } catch (error) {
      deps.logger.log('error', 'document stored without its access event', {
        requestId: request.requestId,
        personId: record.personId,
        documentId: record.documentId,
      });
      throw error;
    }
    return {
      statusCode: 200,
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        Location: documentLocation(requestPath, record),
      },
      body,
    };
  });
}
