import type { Endpoint } from '../http-types.ts';
import { isSafeId } from '../ids.ts';
import { type HandlerDeps, streamingHandler } from '../lambda-adapter.ts';
import { makeGetPhotos, PhotoNotFoundError } from '../photos.ts';
import type { ObjectStore } from '../ports.ts';
import { routeById } from '../routes.ts';
import { photoDownload } from './photo-download.ts';

export interface DetectionPhotoDeps {
  readonly objects: ObjectStore;
}

/** The request's part of the route: ids that could not name a photo are a 404 and never reach storage. */
export function detectionPhotoEndpoint(deps: DetectionPhotoDeps): Endpoint {
  const photos = makeGetPhotos(deps);
  return async (request) => {
    const { faceId, detectionId } = request.pathParameters;
    if (!isSafeId(faceId) || !isSafeId(detectionId)) throw new PhotoNotFoundError();
    return photoDownload(request, (lookup) => photos.detection(faceId, detectionId, lookup));
  };
}

/** GET and HEAD /api/v1/people/detectionPhoto/{faceId}/{detectionId}: any authenticated user. */
export function makeDetectionPhotoHandler(deps: HandlerDeps & DetectionPhotoDeps) {
  return streamingHandler(routeById('DetectionPhoto'), deps, detectionPhotoEndpoint(deps));
}
