import { type Downloadable, serveDownload } from './downloads.ts';
import { NotFoundError } from './errors.ts';
import type { HttpRequest, HttpResponse } from './http-types.ts';
import { isSafeId } from './ids.ts';
import { detectionPhotoKey, enrollmentPhotoKey } from './keys.ts';
import type { ObjectStore } from './ports.ts';

/** Photos are private to the caller's browser and revalidated by ETag on every use. */
const PHOTO_HEADERS = { 'Content-Type': 'image/jpeg', 'Cache-Control': 'private, no-cache' } as const;

/**
 * Serves face photos by key alone. A plain GET is one storage read; a conditional, ranged or HEAD
 * request first asks for the object's size and tag, so a revalidation reads no bytes. An id that could
 * not name an object is a 404 and never reaches storage.
 */
export function makeGetPhotos(deps: { readonly objects: ObjectStore }) {
  const { objects } = deps;
  const notFound = () => new NotFoundError('No such photo.');

  const serve = async (request: HttpRequest, key: string | undefined): Promise<HttpResponse> => {
    if (key === undefined) throw notFound();
    const { headers, method } = request;
    if (method === 'GET' && headers.range === undefined && headers['if-none-match'] === undefined) {
      const photo = await objects.get(key);
      if (photo === undefined) throw notFound();
      return {
        statusCode: 200,
        headers: { ...PHOTO_HEADERS, ETag: photo.etag, 'Accept-Ranges': 'bytes', 'Content-Length': String(photo.size) },
        body: photo.body,
      };
    }
    const info = await objects.head(key);
    if (info === undefined) throw notFound();
    const download: Downloadable = {
      etag: info.etag,
      size: info.size,
      headers: PHOTO_HEADERS,
      async open(range) {
        const photo = await objects.get(key, range);
        if (photo === undefined) throw notFound();
        return photo.body;
      },
    };
    return serveDownload(request, download);
  };

  return {
    enrollment: (request: HttpRequest, faceId: string | undefined) =>
      serve(request, isSafeId(faceId) ? enrollmentPhotoKey(faceId) : undefined),
    detection: (request: HttpRequest, faceId: string | undefined, detectionId: string | undefined) =>
      serve(request, isSafeId(faceId) && isSafeId(detectionId) ? detectionPhotoKey(faceId, detectionId) : undefined),
  };
}
