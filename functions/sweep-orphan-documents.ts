import { loggerFromEnv, makeDocumentStore, objectStoreFromEnv, tableFromEnv } from '@identities/aws';
import {
  type DocumentStore,
  type Logger,
  makeSweepOrphanDocuments,
  type ObjectStore,
  ORPHAN_GRACE_SECONDS,
} from '@identities/core';

// Scheduled daily: removes document bytes that no document points to.
export function makeHandler(deps: {
  objects: ObjectStore;
  documents: DocumentStore;
  logger: Logger;
  clock?: () => Date;
}) {
  const sweep = makeSweepOrphanDocuments(deps);
  return async (): Promise<{ removed: number }> => ({ removed: await sweep(ORPHAN_GRACE_SECONDS) });
}

const env = process.env;
const table = tableFromEnv(env);

export const handler = makeHandler({
  objects: objectStoreFromEnv(env),
  documents: makeDocumentStore(table.client, table.name),
  logger: loggerFromEnv(env),
});
