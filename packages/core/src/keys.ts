/**
 * Object keys. Every id reaching these functions has already passed `isSafeId` or `parseGuid`, so no
 * key can leave its prefix.
 */

export const PHOTO_PREFIX = 'faces/';
export const DOCUMENT_PREFIX = 'people/';

export function enrollmentPhotoKey(faceId: string): string {
  return `${PHOTO_PREFIX}${faceId}/enrollment.jpg`;
}

export function detectionPhotoKey(faceId: string, detectionId: string): string {
  return `${PHOTO_PREFIX}${faceId}/detections/${detectionId}.jpg`;
}

/** Each upload writes its own object, so a losing concurrent upload can never touch the winner's bytes. */
export function documentObjectKey(personId: string, documentId: string, uploadId: string): string {
  return `${DOCUMENT_PREFIX}${personId}/documents/${documentId}/${uploadId}`;
}

export const UPLOAD_PREFIX = 'uploads/';

/** Where an upload session's client puts the bytes; removed when completed, expired by lifecycle otherwise. */
export function stagingKey(uploadId: string): string {
  return `${UPLOAD_PREFIX}${uploadId}`;
}
