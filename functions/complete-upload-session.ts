import { completeUploadSessionHandler, readSettings } from '@identities/aws';

// POST /api/v1/people/fileDocuments/uploadSessions/{documentId}/complete: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = completeUploadSessionHandler(readSettings(process.env));
