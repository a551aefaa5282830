import { handlerDepsFromEnv, objectStoreFromEnv } from '@identities/aws';
import { type HandlerDeps, makeGetPhotos, type ObjectStore, routeById, streamingHandler } from '@identities/core';

// GET and HEAD /api/v1/people/detectionPhoto/{faceId}/{detectionId}: any authenticated user.
export function makeHandler(deps: HandlerDeps & { objects: ObjectStore }) {
  const photos = makeGetPhotos(deps);
  return streamingHandler(routeById('DetectionPhoto'), deps, (request) => {
    const { faceId, detectionId } = request.pathParameters;
    return photos.detection(request, faceId, detectionId);
  });
}

const env = process.env;

export const handler = makeHandler({ ...handlerDepsFromEnv(env), objects: objectStoreFromEnv(env) });
