import { handlerDepsFromEnv, objectStoreFromEnv } from '@identities/aws';
import { type HandlerDeps, makeGetPhotos, type ObjectStore, routeById, streamingHandler } from '@identities/core';

// GET and HEAD /api/v1/people/enrollmentPhoto/{faceId}: any authenticated user.
export function makeHandler(deps: HandlerDeps & { objects: ObjectStore }) {
  const photos = makeGetPhotos(deps);
  return streamingHandler(routeById('EnrollmentPhoto'), deps, (request) =>
    photos.enrollment(request, request.pathParameters.faceId),
  );
}

const env = process.env;

export const handler = makeHandler({ ...handlerDepsFromEnv(env), objects: objectStoreFromEnv(env) });
