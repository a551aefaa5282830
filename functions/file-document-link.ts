import { fileDocumentLinkHandler, readSettings } from '@identities/aws';

// POST /api/v1/people/{personId}/fileDocuments/{documentId}/links: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = fileDocumentLinkHandler(readSettings(process.env));
