import { NotFoundError } from './errors.ts';
import type { HttpResponse } from './http.ts';
import { isSafeId } from './ids.ts';
import { detectionPhotoKey, enrollmentPhotoKey } from './keys.ts';
import type { ObjectStore, StoredObject } from './ports.ts';

/**
 * Opens face photos by key alone: one storage read per request. An id that could not name an object
 * is a 404 and never reaches storage.
 */
export function makeGetPhotos(deps: { readonly objects: ObjectStore }) {
  const open = async (key: string | undefined): Promise<StoredObject> => {
    const photo = key === undefined ? undefined : await deps.objects.get(key);
    if (photo === undefined) throw new NotFoundError('No such photo.');
    return photo;
  };
  return {
    enrollment: (faceId: string | undefined) => open(isSafeId(faceId) ? enrollmentPhotoKey(faceId) : undefined),
    detection: (faceId: string | undefined, detectionId: string | undefined) =>
      open(isSafeId(faceId) && isSafeId(detectionId) ? detectionPhotoKey(faceId, detectionId) : undefined),
  };
}

/** 200 with the JPEG bytes, streamed. */
export function photoResponse(photo: StoredObject): HttpResponse {
  return {
    statusCode: 200,
    headers: {
      'Content-Type': 'image/jpeg',
      'Content-Length': String(photo.size),
      'Cache-Control': 'private, no-cache',
    },
    body: photo.body,
  };
}
