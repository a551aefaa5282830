import { type AuditRecorder, auditFields } from '../audit.ts';
import type { Endpoint } from '../http-types.ts';
import { isSafeId } from '../ids.ts';
import { type HandlerDeps, streamingHandler } from '../lambda-adapter.ts';
import { makeGetPhotos, PhotoNotFoundError } from '../photos.ts';
import type { ObjectStore } from '../ports.ts';
import { routeById } from '../routes.ts';
import { photoDownload } from './photo-download.ts';

export interface EnrollmentPhotoDeps {
  readonly objects: ObjectStore;
  /** Given when the stage audits photo downloads (off by default): each is recorded under its face. */
  readonly audit?: AuditRecorder | undefined;
}

/** The request's part of the route: an id that could not name a photo is a 404 and never reaches storage. */
export function enrollmentPhotoEndpoint(deps: EnrollmentPhotoDeps): Endpoint {
  const photos = makeGetPhotos(deps);
  const { audit } = deps;
  return async (request, principal) => {
    const { faceId } = request.pathParameters;
    if (!isSafeId(faceId)) throw new PhotoNotFoundError();
    const record =
      audit === undefined
        ? undefined
        : (status: number, bytesSent: number) =>
            audit.record({ ...auditFields(request, principal), action: 'photo.download', faceId, status, bytesSent });
    return photoDownload(request, (lookup) => photos.enrollment(faceId, lookup), record);
  };
}

/** GET and HEAD /api/v1/people/enrollmentPhoto/{faceId}: any authenticated user. */
export function makeEnrollmentPhotoHandler(deps: HandlerDeps & EnrollmentPhotoDeps) {
  return streamingHandler(routeById('EnrollmentPhoto'), deps, enrollmentPhotoEndpoint(deps));
}
