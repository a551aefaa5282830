import { deleteFileDocumentHandler, readSettings } from '@identities/aws';

// DELETE /api/v1/people/{personId}/fileDocuments/{documentId}: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = deleteFileDocumentHandler(readSettings(process.env));
