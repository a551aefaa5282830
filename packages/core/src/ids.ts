export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Ids that become part of an S3 key (face, detection and document ids) are limited to this alphabet.
 * Starting with a letter or digit rules out `.`, `..` and hidden names; no slash, backslash, percent
 * or control character can pass, so an id can never step outside its key prefix.
 */
export const SAFE_ID = /^[A-Za-z0-9][A-Za-z0-9._~-]{0,127}$/;

export const MAX_ID_LENGTH = 128;

export function isSafeId(value: string | undefined): value is string {
  return value !== undefined && SAFE_ID.test(value);
}

/** A GUID in its canonical lower-case form, or undefined when the value is not a GUID. */
export function parseGuid(value: string | undefined): string | undefined {
  return value !== undefined && GUID.test(value) ? value.toLowerCase() : undefined;
}
