import { handlerDepsFromEnv, objectStoreFromEnv } from '@identities/aws';
import { makeEnrollmentPhotoHandler } from '@identities/core';

// GET and HEAD /api/v1/people/enrollmentPhoto/{faceId}: the route lives in @identities/core.
const env = process.env;

export const handler = makeEnrollmentPhotoHandler({ ...handlerDepsFromEnv(env), objects: objectStoreFromEnv(env) });
