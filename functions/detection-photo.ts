import { detectionPhotoHandler, readSettings } from '@identities/aws';

// GET and HEAD /api/v1/people/detectionPhoto/{faceId}/{detectionId}: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = detectionPhotoHandler(readSettings(process.env));
