import { loggerFromEnv, makeDocumentStore, objectStoreFromEnv, tableFromEnv } from '@identities/aws';
import { makeSweepOrphanDocumentsHandler } from '@identities/core';

// Scheduled daily (the route table's jobs): the job lives in @identities/core.
const env = process.env;
const table = tableFromEnv(env);

export const handler = makeSweepOrphanDocumentsHandler({
  objects: objectStoreFromEnv(env),
  documents: makeDocumentStore(table.client, table.name),
  logger: loggerFromEnv(env),
});
