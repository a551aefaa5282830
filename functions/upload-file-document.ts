import { readSettings, uploadFileDocumentHandler } from '@identities/aws';

// POST /api/v1/people/fileDocuments/upload: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = uploadFileDocumentHandler(readSettings(process.env));
