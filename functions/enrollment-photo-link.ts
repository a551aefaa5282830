import { enrollmentPhotoLinkHandler, readSettings } from '@identities/aws';

// POST /api/v1/people/enrollmentPhoto/{faceId}/links: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = enrollmentPhotoLinkHandler(readSettings(process.env));
