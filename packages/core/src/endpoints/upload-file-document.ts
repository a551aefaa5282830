import { makeUploadDocument } from '../documents.ts';
import { bufferedHandler, type HandlerDeps } from '../lambda-adapter.ts';
import type { DocumentStore, ObjectStore } from '../ports.ts';
import { routeById } from '../routes.ts';
import { MAX_UPLOAD_FILE_BYTES, parseUploadForm } from '../upload-form.ts';
import { documentLocation } from './locations.ts';

/** POST /api/v1/people/fileDocuments/upload: Add Identity Files. 200 with an empty body. */
export function makeUploadFileDocumentHandler(
  deps: HandlerDeps & { readonly objects: ObjectStore; readonly documents: DocumentStore },
) {
  const uploadDocument = makeUploadDocument(deps);
  const route = routeById('UploadFileDocument');
  return bufferedHandler(route, deps, async (request, principal) => {
    const command = await parseUploadForm(request.headers['content-type'], request.body(), {
      maxFileBytes: MAX_UPLOAD_FILE_BYTES,
    });
    const record = await uploadDocument(command, principal.subject);
    return { statusCode: 200, headers: { Location: documentLocation(route.path, record) } };
  });
}
