import type { Endpoint } from '../http-types.ts';
import { isSafeId } from '../ids.ts';
import { type HandlerDeps, streamingHandler } from '../lambda-adapter.ts';
import { makeGetPhotos, PhotoNotFoundError } from '../photos.ts';
import type { ObjectStore } from '../ports.ts';
import { routeById } from '../routes.ts';
import { photoDownload } from './photo-download.ts';

export interface EnrollmentPhotoDeps {
  readonly objects: ObjectStore;
}

/** The request's part of the route: an id that could not name a photo is a 404 and never reaches storage. */
export function enrollmentPhotoEndpoint(deps: EnrollmentPhotoDeps): Endpoint {
  const photos = makeGetPhotos(deps);
  return async (request) => {
    const { faceId } = request.pathParameters;
    if (!isSafeId(faceId)) throw new PhotoNotFoundError();
    return photoDownload(request, (lookup) => photos.enrollment(faceId, lookup));
  };
}

/** GET and HEAD /api/v1/people/enrollmentPhoto/{faceId}: any authenticated user. */
export function makeEnrollmentPhotoHandler(deps: HandlerDeps & EnrollmentPhotoDeps) {
  return streamingHandler(routeById('EnrollmentPhoto'), deps, enrollmentPhotoEndpoint(deps));
}
