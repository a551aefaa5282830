import { handlerDepsFromEnv, objectStoreFromEnv } from '@identities/aws';
import { makeDetectionPhotoHandler } from '@identities/core';

// GET and HEAD /api/v1/people/detectionPhoto/{faceId}/{detectionId}: the route lives in @identities/core.
const env = process.env;

export const handler = makeDetectionPhotoHandler({ ...handlerDepsFromEnv(env), objects: objectStoreFromEnv(env) });
