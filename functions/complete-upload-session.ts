import {
  handlerDepsFromEnv,
  makeRoleStore,
  makeUploadSessionStore,
  objectStoreFromEnv,
  tableFromEnv,
} from '@identities/aws';
import { makeCompleteUploadSessionHandler } from '@identities/core';

// POST /api/v1/people/fileDocuments/uploadSessions/{documentId}/complete: the route lives in @identities/core.
const env = process.env;
const table = tableFromEnv(env);

export const handler = makeCompleteUploadSessionHandler({
  ...handlerDepsFromEnv(env, makeRoleStore(table.client, table.name)),
  sessions: makeUploadSessionStore(table.client, table.name),
  objects: objectStoreFromEnv(env),
});
