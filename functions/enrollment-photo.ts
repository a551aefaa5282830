import { authenticatorFromEnv, corsFromEnv, loggerFromEnv, objectStoreFromEnv } from '@identities/aws';
import { makeGetPhotos, routeById, streamingHandler } from '@identities/core';

// GET /api/v1/people/enrollmentPhoto/{faceId}: any authenticated user.
const env = process.env;
const photos = makeGetPhotos({ objects: objectStoreFromEnv(env) });
const deps = { auth: authenticatorFromEnv(env), logger: loggerFromEnv(env), cors: corsFromEnv(env) };

export const handler = streamingHandler(routeById('EnrollmentPhoto'), deps, (request) =>
  photos.enrollment(request, request.pathParameters.faceId),
);
