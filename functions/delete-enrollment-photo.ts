import { deleteEnrollmentPhotoHandler, readSettings } from '@identities/aws';

// DELETE /api/v1/people/enrollmentPhoto/{faceId}: the route lives in @identities/core, its wiring in @identities/aws.
export const handler = deleteEnrollmentPhotoHandler(readSettings(process.env));
