import { serveDownload } from '../downloads.ts';
import type { HttpRequest, HttpResponse } from '../http-types.ts';
import type { Photo, PhotoLookup } from '../photos.ts';

/** Photos are private to the caller's browser and revalidated by ETag on every use. */
export const PHOTO_CACHE_CONTROL = 'private, no-cache';

/**
 * A photo download. A plain GET is one storage read (the photo comes with its metadata); a conditional,
 * ranged or HEAD request first asks for the size and tag only, so a revalidation reads no bytes.
 */
export async function photoDownload(
  request: HttpRequest,
  find: (lookup: PhotoLookup) => Promise<Photo>,
): Promise<HttpResponse> {
  const { headers, method } = request;
  const wholeBody = method === 'GET' && headers.range === undefined && headers['if-none-match'] === undefined;
  const photo = await find({ wholeBody });
  return serveDownload(request, {
    etag: photo.etag,
    size: photo.size,
    headers: { 'Content-Type': photo.contentType, 'Cache-Control': PHOTO_CACHE_CONTROL },
    open: (range) => photo.read(range),
  });
}
