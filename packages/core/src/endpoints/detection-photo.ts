import { type AuditRecorder, auditFields } from '../audit.ts';
import type { Endpoint } from '../http-types.ts';
import { isSafeId } from '../ids.ts';
import { type HandlerDeps, streamingHandler } from '../lambda-adapter.ts';
import { makeGetPhotos, PhotoNotFoundError } from '../photos.ts';
import type { ObjectStore } from '../ports.ts';
import { routeById } from '../routes.ts';
import { photoDownload } from './photo-download.ts';

export interface DetectionPhotoDeps {
  readonly objects: ObjectStore;
  /** Given when the stage audits photo downloads (off by default): each is recorded under its face. */
  readonly audit?: AuditRecorder | undefined;
}

/** The request's part of the route: ids that could not name a photo are a 404 and never reach storage. */
export function detectionPhotoEndpoint(deps: DetectionPhotoDeps): Endpoint {
  const photos = makeGetPhotos(deps);
  const { audit } = deps;
  return async (request, principal) => {
    const { faceId, detectionId } = request.pathParameters;
    if (!isSafeId(faceId) || !isSafeId(detectionId)) throw new PhotoNotFoundError();
    const record =
      audit === undefined
        ? undefined
        : (status: number, bytesSent: number) =>
            audit.record({
              ...auditFields(request, principal),
              action: 'photo.download',
              faceId,
              detectionId,
              status,
              bytesSent,
            });
    return photoDownload(request, (lookup) => photos.detection(faceId, detectionId, lookup), record);
  };
}

/** GET and HEAD /api/v1/people/detectionPhoto/{faceId}/{detectionId}: any authenticated user. */
export function makeDetectionPhotoHandler(deps: HandlerDeps & DetectionPhotoDeps) {
  return streamingHandler(routeById('DetectionPhoto'), deps, detectionPhotoEndpoint(deps));
}
