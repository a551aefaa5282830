import { deleteDetectionPhotoHandler, readSettings } from '@identities/aws';

// DELETE /api/v1/people/detectionPhoto/{faceId}/{detectionId}: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = deleteDetectionPhotoHandler(readSettings(process.env));
