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
  bufferedHandler,
  type DocumentStore,
  documentLocation,
  type HandlerDeps,
  MAX_UPLOAD_FILE_BYTES,
  makeUploadDocument,
  type ObjectStore,
  parseUploadForm,
  routeById,
} from '@identities/core';

// POST /api/v1/people/fileDocuments/upload: Add Identity Files. 200 with an empty body.
export function makeHandler(deps: HandlerDeps & { objects: ObjectStore; documents: DocumentStore }) {
  const uploadDocument = makeUploadDocument(deps);
  return bufferedHandler(routeById('UploadFileDocument'), deps, async (request, principal) => {
    const command = await parseUploadForm(request.headers['content-type'], request.body(), {
      maxFileBytes: MAX_UPLOAD_FILE_BYTES,
    });
    const record = await uploadDocument(command, principal.subject);
    return { statusCode: 200, headers: { Location: documentLocation(record.personId, record.documentId) } };
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
