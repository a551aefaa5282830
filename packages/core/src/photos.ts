import type { Readable } from 'node:stream';
import { NotFoundError } from './errors.ts';
import { detectionPhotoKey, enrollmentPhotoKey } from './keys.ts';
import type { ByteRange, ObjectStore } from './ports.ts';

export class PhotoNotFoundError extends NotFoundError {
  constructor() {
    super('No such photo.');
  }
}

/** A face photo found in storage: what it is, and a way to read it (or a range of it). */
export interface Photo {
  readonly size: number;
  /** The store's strong entity tag, quoted as in HTTP. */
  readonly etag: string;
  readonly contentType: string;
  /** The bytes (all, or the inclusive range); throws `PhotoNotFoundError` when the photo went meanwhile. */
  read(range?: ByteRange): Promise<Readable>;
}

export interface PhotoLookup {
  /**
   * The caller will read the whole photo at once: fetch it with its metadata, in one storage read.
   * Otherwise only the size and tag are asked for, and bytes are read only when `read` is called.
   */
  readonly wholeBody: boolean;
}

export const PHOTO_TYPE = 'image/jpeg';

/**
 * Finds face photos by key alone. Ids must have passed `isSafeId`; a missing photo is a
 * `PhotoNotFoundError`.
 */
export function makeGetPhotos(deps: { readonly objects: ObjectStore }) {
  const { objects } = deps;
  const readRange = async (key: string, range: ByteRange | undefined): Promise<Readable> => {
    const photo = await objects.get(key, range);
    if (photo === undefined) throw new PhotoNotFoundError();
    return photo.body;
  };

  const find = async (key: string, lookup: PhotoLookup): Promise<Photo> => {
    if (lookup.wholeBody) {
      const photo = await objects.get(key);
      if (photo === undefined) throw new PhotoNotFoundError();
      let fetched: Readable | undefined = photo.body;
      return {
        size: photo.size,
        etag: photo.etag,
        contentType: PHOTO_TYPE,
        async read(range) {
          const body = range === undefined ? fetched : undefined;
          fetched = undefined;
          return body ?? readRange(key, range);
        },
      };
    }
    const info = await objects.head(key);
    if (info === undefined) throw new PhotoNotFoundError();
    return { size: info.size, etag: info.etag, contentType: PHOTO_TYPE, read: (range) => readRange(key, range) };
  };

  return {
    enrollment: (faceId: string, lookup: PhotoLookup) => find(enrollmentPhotoKey(faceId), lookup),
    detection: (faceId: string, detectionId: string, lookup: PhotoLookup) =>
      find(detectionPhotoKey(faceId, detectionId), lookup),
  };
}
