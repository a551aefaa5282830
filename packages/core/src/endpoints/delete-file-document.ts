import { type AuditRecorder, auditFields, changeEvent } from '../audit.ts';
import { DocumentNotFoundError } from '../documents.ts';
import { type DocumentErasureDeps, makeDeleteDocument } from '../erasure.ts';
import { isSafeId, parseGuid } from '../ids.ts';
import { bufferedHandler, type HandlerDeps } from '../lambda-adapter.ts';
import { routeById } from '../routes.ts';

/**
 * DELETE /api/v1/people/{personId}/fileDocuments/{documentId}: Delete Identity Files. 204 once every
 * version of the bytes and the metadata are gone; 404 when the person has no such document (also for a
 * repeated delete).
 */
export function makeDeleteFileDocumentHandler(
  deps: HandlerDeps & DocumentErasureDeps & { readonly audit: AuditRecorder },
) {
  const remove = makeDeleteDocument(deps);
  return bufferedHandler(routeById('DeleteFileDocument'), deps, async (request, principal) => {
    const personId = parseGuid(request.pathParameters.personId);
    const { documentId } = request.pathParameters;
    if (personId === undefined || !isSafeId(documentId)) throw new DocumentNotFoundError();
    const event = changeEvent(
      deps.audit,
      { ...auditFields(request, principal), action: 'document.delete', personId, documentId },
      204,
    );
    await event.run((before) => remove(personId, documentId, before));
    return { statusCode: 204, headers: { 'Cache-Control': 'no-store' } };
  });
}
