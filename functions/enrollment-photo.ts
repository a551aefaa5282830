import { enrollmentPhotoHandler, readSettings } from '@identities/aws';

// GET and HEAD /api/v1/people/enrollmentPhoto/{faceId}: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = enrollmentPhotoHandler(readSettings(process.env));
