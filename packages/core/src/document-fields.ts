import { BadRequestError } from './errors.ts';
import { isSafeId, MAX_ID_LENGTH, parseGuid } from './ids.ts';

export const MAX_NAME_LENGTH = 256;
export const MAX_DESCRIPTION_LENGTH = 2048;
export const MAX_FILE_NAME_LENGTH = 255;
const MEDIA_TYPE = /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,63}$/;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
// A UTF-16 surrogate standing alone (String.prototype.isWellFormed is ES2024, past this project's lib).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Whether the text is well-formed Unicode. A lone surrogate has no UTF-8 form: stored, it could be
 * neither kept faithfully nor put in a Content-Disposition header, leaving the document undownloadable.
 */
export function isWellFormed(value: string): boolean {
  return !LONE_SURROGATE.test(value);
}

export const notWellFormed = (field: string) =>
  new BadRequestError(`${field} is not well-formed Unicode (it holds a lone surrogate).`);

/** 400 naming the field unless the text is well-formed Unicode; every text field passes this at entry. */
export function requireWellFormed(value: string | undefined, field: string): void {
  if (value !== undefined && !isWellFormed(value)) throw notWellFormed(field);
}

/** The fields that describe a document, as sent in a form or a JSON request. */
export interface DocumentFields {
  readonly personId: string;
  readonly name: string;
  readonly description: string | undefined;
  readonly publicId: string | undefined;
}

/** The rules every document upload follows, multipart or by session; 400 for the first field that breaks one. */
export function validateDocumentFields(raw: {
  personId?: string | undefined;
  name?: string | undefined;
  description?: string | undefined;
  publicId?: string | undefined;
}): DocumentFields {
  const personIdRaw = raw.personId?.trim();
  if (personIdRaw === undefined || personIdRaw === '') throw new BadRequestError('personId is required.');
  const personId = parseGuid(personIdRaw);
  if (personId === undefined) throw new BadRequestError('personId must be a GUID.');

  requireWellFormed(raw.name, 'name');
  requireWellFormed(raw.description, 'description');
  const name = raw.name?.trim();
  if (name === undefined || name === '') throw new BadRequestError('name is required.');
  if ([...name].length > MAX_NAME_LENGTH) {
    throw new BadRequestError(`name must be at most ${MAX_NAME_LENGTH} characters.`);
  }

  const description = raw.description?.trim() || undefined;
  if (description !== undefined && [...description].length > MAX_DESCRIPTION_LENGTH) {
    throw new BadRequestError(`description must be at most ${MAX_DESCRIPTION_LENGTH} characters.`);
  }

  const publicId = raw.publicId?.trim() || undefined;
  if (publicId !== undefined && !isSafeId(publicId)) {
    throw new BadRequestError(
      `publicId must be 1 to ${MAX_ID_LENGTH} characters of letters, digits, ".", "_", "~" or "-", starting with a letter or digit.`,
    );
  }
  return { personId, name, description, publicId };
}

/** A media type as `type/subtype` in lower case, or `application/octet-stream` when it is not one. */
export function mediaTypeOrDefault(raw: string | undefined): string {
  const type = raw?.split(';')[0]?.trim().toLowerCase() ?? '';
  return MEDIA_TYPE.test(type) ? type : 'application/octet-stream';
}

/** The base name (path components dropped), without control characters, bounded; undefined when nothing is left. */
export function cleanFileName(raw: string | undefined): string | undefined {
  const base = raw?.split(/[/\\]/).pop();
  const cleaned = (base === '.' || base === '..' ? '' : base)?.replace(CONTROL, '').trim();
  if (cleaned === undefined || cleaned === '') return undefined;
  return [...cleaned].slice(0, MAX_FILE_NAME_LENGTH).join('');
}
