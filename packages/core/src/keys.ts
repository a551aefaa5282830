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

const DOCUMENT_OBJECT_KEY = /^people\/([0-9a-f-]{36})\/documents\/([^/]+)\/([^/]+)$/;

/** The person and document a document object belongs to, or undefined for any other key. */
export function parseDocumentObjectKey(key: string): { personId: string; documentId: string } | undefined {
  const match = DOCUMENT_OBJECT_KEY.exec(key);
  return match === null ? undefined : { personId: match[1] as string, documentId: match[2] as string };
}

export const UPLOAD_PREFIX = 'uploads/';

/**
 * Days the bucket keeps a version after a write or delete replaced it, before its lifecycle removes it:
 * on a customer's stage (and on-prem) and on any other stage, and for staged upload bytes on every stage.
 */
export const NONCURRENT_VERSION_DAYS = { customer: 90, other: 7, staging: 1 } as const;

/** Where an upload session's client puts the bytes; removed when completed, expired by lifecycle otherwise. */
export function stagingKey(uploadId: string): string {
  return `${UPLOAD_PREFIX}${uploadId}`;
}

/** Everything of a face: its enrollment photo and every detection photo. */
export function facePhotosPrefix(faceId: string): string {
  return `${PHOTO_PREFIX}${faceId}/`;
}

/** Every document object of a person, whatever upload wrote it. */
export function personDocumentsPrefix(personId: string): string {
  return `${DOCUMENT_PREFIX}${personId}/documents/`;
}
