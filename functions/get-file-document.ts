import { getFileDocumentHandler, readSettings } from '@identities/aws';

// GET /api/v1/people/{personId}/fileDocuments/{documentId}: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = getFileDocumentHandler(readSettings(process.env));
