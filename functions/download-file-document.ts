import {
  handlerDepsFromEnv,
  makeDocumentStore,
  makeRoleStore,
  objectStoreFromEnv,
  tableFromEnv,
} from '@identities/aws';
import { makeDownloadFileDocumentHandler } from '@identities/core';

// GET and HEAD /api/v1/people/{personId}/fileDocuments/{documentId}/data: the route lives in @identities/core.
const env = process.env;
const table = tableFromEnv(env);

export const handler = makeDownloadFileDocumentHandler({
  ...handlerDepsFromEnv(env, makeRoleStore(table.client, table.name)),
  objects: objectStoreFromEnv(env),
  documents: makeDocumentStore(table.client, table.name),
});
