import { downloadFileDocumentHandler, readSettings } from '@identities/aws';

// GET and HEAD /api/v1/people/{personId}/fileDocuments/{documentId}/data: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = downloadFileDocumentHandler(readSettings(process.env));
