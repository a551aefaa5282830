import { listFileDocumentsHandler, readSettings } from '@identities/aws';

// GET /api/v1/people/{personId}/fileDocuments: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = listFileDocumentsHandler(readSettings(process.env));
