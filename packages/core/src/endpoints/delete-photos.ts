import { type AuditRecorder, auditFields, changeEvent } from '../audit.ts';
import { makeDeletePhotos } from '../erasure.ts';
import { isSafeId } from '../ids.ts';
import { bufferedHandler, type HandlerDeps } from '../lambda-adapter.ts';
import { PhotoNotFoundError } from '../photos.ts';
import type { ObjectEraser } from '../ports.ts';
import { routeById } from '../routes.ts';

/** Photo deletions are recorded under the face (`FACE#{faceId}`), before anything is deleted. */
type PhotoDeletionDeps = HandlerDeps & { readonly eraser: ObjectEraser; readonly audit: AuditRecorder };

const NO_CONTENT = { statusCode: 204, headers: { 'Cache-Control': 'no-store' } } as const;

/**
 * DELETE /api/v1/people/enrollmentPhoto/{faceId}: Mutate All Identity. 204 once the enrollment photo and
 * every detection photo of the face are gone, every version; 404 when nothing of the face is stored.
 */
export function makeDeleteEnrollmentPhotoHandler(deps: PhotoDeletionDeps) {
  const photos = makeDeletePhotos(deps);
  return bufferedHandler(routeById('DeleteEnrollmentPhoto'), deps, async (request, principal) => {
    const { faceId } = request.pathParameters;
    if (!isSafeId(faceId)) throw new PhotoNotFoundError();
    const event = changeEvent(deps.audit, { ...auditFields(request, principal), action: 'photo.delete', faceId }, 204);
    await event.run((before) => photos.face(faceId, before));
    return NO_CONTENT;
  });
}

/** DELETE /api/v1/people/detectionPhoto/{faceId}/{detectionId}: Mutate All Identity. 204, every version; 404 when absent. */
export function makeDeleteDetectionPhotoHandler(deps: PhotoDeletionDeps) {
  const photos = makeDeletePhotos(deps);
  return bufferedHandler(routeById('DeleteDetectionPhoto'), deps, async (request, principal) => {
    const { faceId, detectionId } = request.pathParameters;
    if (!isSafeId(faceId) || !isSafeId(detectionId)) throw new PhotoNotFoundError();
    const event = changeEvent(
      deps.audit,
      { ...auditFields(request, principal), action: 'photo.delete', faceId, detectionId },
      204,
    );
    await event.run((before) => photos.detection(faceId, detectionId, before));
    return NO_CONTENT;
  });
}
