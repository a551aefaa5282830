import { readSettings, updateFileDocumentHandler } from '@identities/aws';

// PATCH /api/v1/people/{personId}/fileDocuments/{documentId}: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = updateFileDocumentHandler(readSettings(process.env));
