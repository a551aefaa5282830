import { type AuditRecorder, auditFields, changeEvent } from '../audit.ts';
import { checkDocumentPatch, makeUpdateDocument } from '../document-management.ts';
import { documentMetadata, metadataEtag } from '../document-metadata.ts';
import { DocumentNotFoundError } from '../documents.ts';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../errors.ts';
import { isSafeId, parseGuid } from '../ids.ts';
import { bufferedHandler, type HandlerDeps } from '../lambda-adapter.ts';
import type { DocumentCatalog, DocumentStore } from '../ports.ts';
import { routeById } from '../routes.ts';

const MERGE_PATCH = 'application/merge-patch+json';
/** A name and a description fit in a few kilobytes; anything much larger is not a patch of them. */
export const MAX_PATCH_BYTES = 16 * 1024;

function parsePatchBody(contentType: string | undefined, body: Buffer): unknown {
  const type = contentType?.split(';')[0]?.trim().toLowerCase();
  if (type !== MERGE_PATCH) {
    throw new UnsupportedMediaTypeError(`A change is a JSON merge patch (RFC 7396), sent as ${MERGE_PATCH}.`, {
      'Accept-Patch': MERGE_PATCH,
    });
  }
  if (body.length > MAX_PATCH_BYTES) throw new PayloadTooLargeError(`The patch is over ${MAX_PATCH_BYTES} bytes.`);
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new BadRequestError('The patch is not valid JSON.', { cause: error });
  }
}

/**
 * PATCH /api/v1/people/{personId}/fileDocuments/{documentId}: Add Identity Files. A JSON merge patch of
 * the name and description, conditional on `If-Match` (428 without it, 412 when stale); 200 with the
 * metadata as it is now and its new ETag. The bytes never change: a new file is a new upload.
 */
export function makeUpdateFileDocumentHandler(
  deps: HandlerDeps & {
    readonly documents: DocumentStore;
    readonly catalog: DocumentCatalog;
    readonly audit: AuditRecorder;
  },
) {
  const update = makeUpdateDocument(deps);
  return bufferedHandler(routeById('UpdateFileDocument'), deps, async (request, principal) => {
    const personId = parseGuid(request.pathParameters.personId);
    const { documentId } = request.pathParameters;
    if (personId === undefined || !isSafeId(documentId)) throw new DocumentNotFoundError();
    const patch = checkDocumentPatch(parsePatchBody(request.headers['content-type'], request.body()));
    if (request.repeatedHeaders.has('if-match')) throw new BadRequestError('If-Match is sent more than once.');
    const event = changeEvent(
      deps.audit,
      { ...auditFields(request, principal), action: 'document.update', personId, documentId },
      200,
    );
    const { record } = await event.run((before) =>
      update({ personId, documentId }, request.headers['if-match'], patch, principal.subject, before),
    );
    return {
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ETag: metadataEtag(record) },
      body: JSON.stringify(documentMetadata(record)),
    };
  });
}
