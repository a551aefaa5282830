import { readSettings, startUploadSessionHandler } from '@identities/aws';

// POST /api/v1/people/fileDocuments/uploadSessions: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = startUploadSessionHandler(readSettings(process.env));
