import {
  handlerDepsFromEnv,
  makeDocumentStore,
  makeRoleStore,
  objectStoreFromEnv,
  tableFromEnv,
} from '@identities/aws';
import { makeUploadFileDocumentHandler } from '@identities/core';

// POST /api/v1/people/fileDocuments/upload: the route lives in @identities/core.
const env = process.env;
const table = tableFromEnv(env);

export const handler = makeUploadFileDocumentHandler({
  ...handlerDepsFromEnv(env, makeRoleStore(table.client, table.name)),
  objects: objectStoreFromEnv(env),
  documents: makeDocumentStore(table.client, table.name),
});
