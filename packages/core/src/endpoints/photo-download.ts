import { serveDownload } from '../downloads.ts';
import type { HttpRequest, HttpResponse } from '../http-types.ts';
import { type Photo, type PhotoLookup, PhotoNotFoundError } from '../photos.ts';

/** Photos are private to the caller's browser and revalidated by ETag on every use. */
export const PHOTO_CACHE_CONTROL = 'private, no-cache';

/**
 * A photo download. A plain GET is one storage read (the photo comes with its metadata); a conditional,
 * ranged or HEAD request first asks for the size and tag only, so a revalidation reads no bytes. With
 * `record` (photo downloads audited), each answer, a 404 included, is recorded before it is sent.
 */
export async function photoDownload(
  request: HttpRequest,
  find: (lookup: PhotoLookup) => Promise<Photo>,
  record?: (status: number, bytesSent: number) => Promise<void>,
): Promise<HttpResponse> {
  const { headers, method } = request;
  const wholeBody = method === 'GET' && headers.range === undefined && headers['if-none-match'] === undefined;
  let photo: Photo;
  try {
    photo = await find({ wholeBody });
  } catch (error) {
    if (record !== undefined && error instanceof PhotoNotFoundError) await record(404, 0);
    throw error;
  }
  return serveDownload(request, {
    etag: photo.etag,
    size: photo.size,
    headers: { 'Content-Type': photo.contentType, 'Cache-Control': PHOTO_CACHE_CONTROL },
    open: (range) => photo.read(range),
    ...(record === undefined ? {} : { beforeSend: (answer) => record(answer.status, answer.bytes) }),
  });
}
