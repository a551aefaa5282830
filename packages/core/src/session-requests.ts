import {
  cleanFileName,
  type DocumentFields,
  mediaTypeOrDefault,
  requireWellFormed,
  validateDocumentFields,
} from './document-fields.ts';
import { BadRequestError } from './errors.ts';
import { parseGuid } from './ids.ts';
import { MAX_SESSION_FILE_BYTES } from './upload-session-timing.ts';

// The JSON bodies of the upload-session routes, parsed and validated: every failure is a 400.
// `parseJson` is the rule every JSON body follows: application/json, at most 16 KB, one object.

export const MAX_JSON_BYTES = 16 * 1024;

export interface StartSessionCommand extends DocumentFields {
  readonly fileName: string;
  readonly contentType: string;
  readonly size: number;
  /** Lower-case hex SHA-256 of the file, when the client declares it. */
  readonly sha256?: string | undefined;
}

/** `sha256`: optional; when given, 64 hex digits (either case). */
function parseSha256(json: Record<string, unknown>): string | undefined {
  const value = optionalString(json, 'sha256');
  if (value === undefined) return undefined;
  if (!/^[0-9a-fA-F]{64}$/.test(value))
    throw new BadRequestError("sha256 must be the file's SHA-256 as 64 hex digits.");
  return value.toLowerCase();
}

export function parseJson(contentType: string | undefined, body: Buffer): Record<string, unknown> {
  if (contentType === undefined || !/^application\/json\s*(;|$)/i.test(contentType)) {
    throw new BadRequestError('The request must be application/json.');
  }
  if (body.length > MAX_JSON_BYTES) throw new BadRequestError(`The JSON body is over ${MAX_JSON_BYTES} bytes.`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    throw new BadRequestError('The body is not valid JSON.');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new BadRequestError('The body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}

function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new BadRequestError(`${name} must be a string.`);
  return value;
}

/** `POST .../uploadSessions`: the document's fields plus the file's name, type and exact size. */
export function parseStartSession(contentType: string | undefined, body: Buffer): StartSessionCommand {
  const json = parseJson(contentType, body);
  const fields = validateDocumentFields({
    personId: optionalString(json, 'personId'),
    name: optionalString(json, 'name'),
    description: optionalString(json, 'description'),
    publicId: optionalString(json, 'publicId'),
  });
  const rawFileName = optionalString(json, 'fileName');
  requireWellFormed(rawFileName, 'fileName');
  const fileName = cleanFileName(rawFileName);
  if (fileName === undefined) throw new BadRequestError('fileName is required.');
  const { size } = json;
  if (typeof size !== 'number' || !Number.isInteger(size) || size < 1) {
    throw new BadRequestError('size must be the file size in bytes, a whole number above 0.');
  }
  if (size > MAX_SESSION_FILE_BYTES) {
    throw new BadRequestError(`size must be at most ${MAX_SESSION_FILE_BYTES} bytes.`);
  }
  return {
    ...fields,
    fileName,
    contentType: mediaTypeOrDefault(optionalString(json, 'contentType')),
    size,
    sha256: parseSha256(json),
  };
}

/** `POST .../uploadSessions/{documentId}/complete`: names the person the session belongs to. */
export function parseCompleteSession(contentType: string | undefined, body: Buffer): { personId: string } {
  const personId = parseGuid(optionalString(parseJson(contentType, body), 'personId')?.trim());
  if (personId === undefined) throw new BadRequestError('personId must be a GUID.');
  return { personId };
}
