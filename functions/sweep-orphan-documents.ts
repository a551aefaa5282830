import { readLogLevel, readStorageSettings, sweepOrphanDocumentsHandler } from '@identities/aws';

// Scheduled daily (the route table's jobs): the job lives in @identities/core, its wiring in @identities/aws.
export const handler = sweepOrphanDocumentsHandler(readStorageSettings(process.env), readLogLevel(process.env));
