import { loggerFromEnv, makeDocumentStore, objectStoreFromEnv, tableFromEnv } from '@identities/aws';
import { type DocumentStore, type Logger, makeSweepOrphanDocuments, type ObjectStore } from '@identities/core';

/** Uploads in flight are younger than this: a function runs 30 s at most. */
export const GRACE_SECONDS = 3600;

// Scheduled daily: removes document bytes that no document points to.
export function makeHandler(deps: {
  objects: ObjectStore;
  documents: DocumentStore;
  logger: Logger;
  clock?: () => Date;
}) {
  const sweep = makeSweepOrphanDocuments(deps);
  return async (): Promise<{ removed: number }> => ({ removed: await sweep(GRACE_SECONDS) });
}

const env = process.env;
const table = tableFromEnv(env);

export const handler = makeHandler({
  objects: objectStoreFromEnv(env),
  documents: makeDocumentStore(table.client, table.name),
  logger: loggerFromEnv(env),
});
