import { authenticatorFromEnv, corsFromEnv, loggerFromEnv, objectStoreFromEnv } from '@identities/aws';
import { makeGetPhotos, routeById, streamingHandler } from '@identities/core';

// GET /api/v1/people/detectionPhoto/{faceId}/{detectionId}: any authenticated user.
const env = process.env;
const photos = makeGetPhotos({ objects: objectStoreFromEnv(env) });
const deps = { auth: authenticatorFromEnv(env), logger: loggerFromEnv(env), cors: corsFromEnv(env) };

export const handler = streamingHandler(routeById('DetectionPhoto'), deps, (request) => {
  const { faceId, detectionId } = request.pathParameters;
  return photos.detection(request, faceId, detectionId);
});
