import { authenticatorFromEnv, corsFromEnv, loggerFromEnv, objectStoreFromEnv } from '@identities/aws';
import { type HandlerDeps, makeGetPhotos, type ObjectStore, routeById, streamingHandler } from '@identities/core';

// GET and HEAD /api/v1/people/enrollmentPhoto/{faceId}: any authenticated user.
export function makeHandler(deps: HandlerDeps & { objects: ObjectStore }) {
  const photos = makeGetPhotos(deps);
  return streamingHandler(routeById('EnrollmentPhoto'), deps, (request) =>
    photos.enrollment(request, request.pathParameters.faceId),
  );
}

const env = process.env;

export const handler = makeHandler({
  objects: objectStoreFromEnv(env),
  auth: authenticatorFromEnv(env),
  logger: loggerFromEnv(env),
  cors: corsFromEnv(env),
});
