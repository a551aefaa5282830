import { detectionPhotoLinkHandler, readSettings } from '@identities/aws';

// POST /api/v1/people/detectionPhoto/{faceId}/{detectionId}/links: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = detectionPhotoLinkHandler(readSettings(process.env));
