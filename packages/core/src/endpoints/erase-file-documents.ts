import { type AuditRecorder, auditFields, changeEvent } from '../audit.ts';
import { type DocumentErasureDeps, makeErasePersonDocuments } from '../erasure.ts';
import { BadRequestError } from '../errors.ts';
import type { HttpResponse } from '../http-types.ts';
import { parseGuid } from '../ids.ts';
import { bufferedHandler, type HandlerDeps } from '../lambda-adapter.ts';
import type { UploadSessionStore } from '../ports.ts';
import { routeById } from '../routes.ts';

export type EraseFileDocumentsDeps = HandlerDeps &
  DocumentErasureDeps & {
    readonly sessions: Pick<UploadSessionStore, 'remove'>;
    readonly clock?: () => Date;
    /** How long one request erases before it answers 202 (ERASURE_BUDGET_MS). */
    readonly budgetMs?: number;
    readonly audit: AuditRecorder;
  };

/**
 * DELETE /api/v1/people/{personId}/fileDocuments: Delete Identity Files. Erases every document of the
 * person (and their pending upload sessions): 204 when nothing is left, also for a person who had none.
 * A person with more than one request can erase in time gets 202 with `Retry-After`: the same DELETE,
 * repeated, goes on where this one stopped, until it answers 204.
 */
export function makeEraseFileDocumentsHandler(deps: EraseFileDocumentsDeps) {
  const erase = makeErasePersonDocuments(deps);
  return bufferedHandler(routeById('EraseFileDocuments'), deps, async (request, principal): Promise<HttpResponse> => {
    const personId = parseGuid(request.pathParameters.personId);
    if (personId === undefined) throw new BadRequestError('personId must be a GUID.');
    // One event a request, before anything is erased: each repeat of a 202 records its own.
    await changeEvent(
      deps.audit,
      { ...auditFields(request, principal), action: 'person.erase', personId },
      204,
    ).before();
    const outcome = await erase(personId);
    if (outcome.complete) return { statusCode: 204, headers: { 'Cache-Control': 'no-store' } };
    return {
      statusCode: 202,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'Retry-After': '1' },
      body: JSON.stringify({
        personId,
        status: 'inProgress',
        detail: 'Part of the documents are erased; send the same DELETE again to go on, until it answers 204.',
        erasedDocuments: outcome.documents,
        erasedSessions: outcome.sessions,
      }),
    };
  });
}
