import {
  handlerDepsFromEnv,
  makeDocumentStore,
  makeRoleStore,
  objectStoreFromEnv,
  tableFromEnv,
} from '@identities/aws';
import {
  bufferedHandler,
  type DocumentStore,
  documentDataPath,
  type HandlerDeps,
  MAX_UPLOAD_FILE_BYTES,
  makeUploadDocument,
  type ObjectStore,
  parseUploadForm,
  relativeReference,
  routeById,
} from '@identities/core';

// POST /api/v1/people/fileDocuments/upload: Add Identity Files. 200 with an empty body.
export function makeHandler(deps: HandlerDeps & { objects: ObjectStore; documents: DocumentStore }) {
  const uploadDocument = makeUploadDocument(deps);
  const route = routeById('UploadFileDocument');
  return bufferedHandler(route, deps, async (request, principal) => {
    const command = await parseUploadForm(request.headers['content-type'], request.body(), {
      maxFileBytes: MAX_UPLOAD_FILE_BYTES,
    });
    const record = await uploadDocument(command, principal.subject);
    const location = relativeReference(route.path, documentDataPath(record.personId, record.documentId));
    return { statusCode: 200, headers: { Location: location } };
  });
}

const env = process.env;
const table = tableFromEnv(env);

export const handler = makeHandler({
  ...handlerDepsFromEnv(env, makeRoleStore(table.client, table.name)),
  objects: objectStoreFromEnv(env),
  documents: makeDocumentStore(table.client, table.name),
});
