import {
  authenticatorFromEnv,
  corsFromEnv,
  dynamoSettings,
  loggerFromEnv,
  makeDocumentStore,
  makeDynamoClient,
  makeRoleStore,
  objectStoreFromEnv,
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
const table = dynamoSettings(env);
const dynamo = makeDynamoClient(table);

export const handler = makeHandler({
  objects: objectStoreFromEnv(env),
  documents: makeDocumentStore(dynamo, table.table),
  auth: authenticatorFromEnv(env, makeRoleStore(dynamo, table.table)),
  logger: loggerFromEnv(env),
  cors: corsFromEnv(env),
});
