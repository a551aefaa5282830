import {
  handlerDepsFromEnv,
  makeDocumentStore,
  makeRoleStore,
  objectStoreFromEnv,
  tableFromEnv,
} from '@identities/aws';
import {
  type DocumentStore,
  type HandlerDeps,
  makeGetDocument,
  type ObjectStore,
  routeById,
  streamingHandler,
} from '@identities/core';

// GET /api/v1/people/{personId}/fileDocuments/{documentId}/data: Read Identity Files.
export function makeHandler(deps: HandlerDeps & { objects: ObjectStore; documents: DocumentStore }) {
  const getDocument = makeGetDocument(deps);
  return streamingHandler(routeById('DownloadFileDocument'), deps, (request) => {
    const { personId, documentId } = request.pathParameters;
    return getDocument(request, personId, documentId);
  });
}

const env = process.env;
const table = tableFromEnv(env);

export const handler = makeHandler({
  ...handlerDepsFromEnv(env, makeRoleStore(table.client, table.name)),
  objects: objectStoreFromEnv(env),
  documents: makeDocumentStore(table.client, table.name),
});
