import { isSafeId } from '../ids.ts';
import { detectionPhotoKey } from '../keys.ts';
import { bufferedHandler, type HandlerDeps } from '../lambda-adapter.ts';
import { parseLinkRequest } from '../link-requests.ts';
import { makePhotoLink } from '../links.ts';
import { PHOTO_TYPE, PhotoNotFoundError } from '../photos.ts';
import type { DownloadLinks, ObjectStore } from '../ports.ts';
import { routeById } from '../routes.ts';
import { linkResponse } from './link-response.ts';
import { PHOTO_CACHE_CONTROL } from './photo-download.ts';

/**
 * POST /api/v1/people/detectionPhoto/{faceId}/{detectionId}/links: any authenticated user. 201 with a
 * presigned GET straight to storage for the photo as it is now; 404 when there is none.
 */
export function makeDetectionPhotoLinkHandler(
  deps: HandlerDeps & { readonly objects: ObjectStore; readonly links: DownloadLinks },
) {
  const photoLink = makePhotoLink({ ...deps, headers: { contentType: PHOTO_TYPE, cacheControl: PHOTO_CACHE_CONTROL } });
  return bufferedHandler(routeById('DetectionPhotoLink'), deps, async (request, principal) => {
    const { faceId, detectionId } = request.pathParameters;
    if (!isSafeId(faceId) || !isSafeId(detectionId)) throw new PhotoNotFoundError();
    const command = parseLinkRequest(request.headers['content-type'], request.body());
    const link = await photoLink(
      detectionPhotoKey(faceId, detectionId),
      { kind: 'detection-photo', faceId, detectionId },
      command,
      principal.subject,
    );
    return linkResponse(link);
  });
}
