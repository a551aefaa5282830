import { eraseFileDocumentsHandler, readSettings } from '@identities/aws';

// DELETE /api/v1/people/{personId}/fileDocuments: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = eraseFileDocumentsHandler(readSettings(process.env));
