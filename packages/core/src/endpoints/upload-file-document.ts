import { type AuditRecorder, auditFields } from '../audit.ts';
import { makeUploadDocument } from '../documents.ts';
import { HttpError } from '../errors.ts';
import { bufferedHandler, type HandlerDeps } from '../lambda-adapter.ts';
import type { DocumentStore, ObjectStore } from '../ports.ts';
import { routeById } from '../routes.ts';
import { MAX_UPLOAD_FILE_BYTES, parseUploadForm } from '../upload-form.ts';
import { documentLocation } from './locations.ts';

/**
 * POST /api/v1/people/fileDocuments/upload: Add Identity Files. 200 with an empty body.
 *
 * The upload is recorded in the access trail once the document exists, and a refusal of a well-formed
 * form (409, the id taken) too. When the trail cannot be written the answer is a 503, and the document,
 * stored already, stays (its own record names who uploaded it and when); that is logged at error level.
 */
export function makeUploadFileDocumentHandler(
  deps: HandlerDeps & {
    readonly objects: ObjectStore;
    readonly documents: DocumentStore;
    readonly audit: AuditRecorder;
  },
) {
  const uploadDocument = makeUploadDocument(deps);
  const route = routeById('UploadFileDocument');
  return bufferedHandler(route, deps, async (request, principal) => {
    const command = await parseUploadForm(request.headers['content-type'], request.body(), {
      maxFileBytes: MAX_UPLOAD_FILE_BYTES,
    });
    const event = {
      ...auditFields(request, principal),
      action: 'document.upload',
      personId: command.personId,
    } as const;
    let record: Awaited<ReturnType<typeof uploadDocument>>;
    try {
      record = await uploadDocument(command, principal.subject);
    } catch (error) {
      if (error instanceof HttpError && error.statusCode < 500) {
        await deps.audit.record({ ...event, documentId: command.publicId, status: error.statusCode, bytesSent: 0 });
      }
      throw error;
    }
    try {
      await deps.audit.record({
        ...event,
        documentId: record.documentId,
        status: 200,
        bytesSent: 0,
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
    return { statusCode: 200, headers: { Location: documentLocation(route.path, record) } };
  });
}
