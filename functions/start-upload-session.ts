import {
  handlerDepsFromEnv,
  makeRoleStore,
  makeUploadSessionStore,
  tableFromEnv,
  uploadTargetsFromEnv,
} from '@identities/aws';
import { makeStartUploadSessionHandler } from '@identities/core';

// POST /api/v1/people/fileDocuments/uploadSessions: the route lives in @identities/core.
const env = process.env;
const table = tableFromEnv(env);

export const handler = makeStartUploadSessionHandler({
  ...handlerDepsFromEnv(env, makeRoleStore(table.client, table.name)),
  sessions: makeUploadSessionStore(table.client, table.name),
  targets: uploadTargetsFromEnv(env),
});
