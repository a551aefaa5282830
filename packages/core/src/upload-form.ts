import { createHash } from 'node:crypto';
import busboy from 'busboy';
import {
  cleanFileName,
  type DocumentFields,
  isWellFormed,
  mediaTypeOrDefault,
  notWellFormed,
  validateDocumentFields,
} from './document-fields.ts';
import { BadRequestError, PayloadTooLargeError } from './errors.ts';
import { pathOf } from './routes.ts';

/** A validated upload: what `POST /api/v1/people/fileDocuments/upload` asks to store. */
export interface UploadCommand extends DocumentFields {
  readonly file: {
    readonly fileName: string;
    readonly contentType: string;
    readonly bytes: Buffer;
    readonly sha256: Uint8Array;
  };
}

export interface UploadLimits {
  /** Largest file accepted, in bytes. */
  readonly maxFileBytes: number;
}

/**
 * The multipart endpoint's file limit: 4 MiB. API Gateway hands Lambda the body base64-encoded inside
 * a JSON event capped at 6 MB, so about 4.4 MB of file is the most that can arrive at all.
 */
export const MAX_UPLOAD_FILE_BYTES = 4 * 1024 * 1024;

const MAX_FIELD_BYTES = 8192;
const MAX_FIELDS = 20;
const MAX_PARTS = 24;

const KNOWN_FIELDS = ['personid', 'name', 'description', 'publicid'] as const;

/**
 * Parses and validates the multipart upload form. The file is any part that carries a file name,
 * whatever its field name; exactly one is allowed. Field names match case-insensitively. Every
 * failure is a 400, or a 413 for a file above the limit.
 */
export async function parseUploadForm(
  contentType: string | undefined,
  body: Buffer,
  limits: UploadLimits,
): Promise<UploadCommand> {
  if (contentType === undefined || !/^multipart\/form-data\s*;/i.test(contentType)) {
    throw new BadRequestError('The request must be multipart/form-data with a boundary.');
  }
  const parts = await readParts(contentType, body, limits);
  const fields = validateDocumentFields({
    personId: parts.fields.get('personid'),
    name: parts.fields.get('name'),
    description: parts.fields.get('description'),
    publicId: parts.fields.get('publicid'),
  });
  const file = parts.file;
  if (file === undefined) throw new BadRequestError('A file is required: send one part with a filename.');
  if (file.bytes.length === 0) throw new BadRequestError('The file is empty.');
  return { ...fields, file };
}

interface Parts {
  fields: Map<string, string>;
  file: UploadCommand['file'] | undefined;
}

function readParts(contentType: string, body: Buffer, limits: UploadLimits): Promise<Parts> {
  return new Promise((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        defParamCharset: 'utf8',
        preservePath: false,
        limits: {
          // busboy reports the limit once a file reaches it: one byte more lets exactly the limit through.
          fileSize: limits.maxFileBytes + 1,
          files: 1,
          fields: MAX_FIELDS,
          parts: MAX_PARTS,
          fieldSize: MAX_FIELD_BYTES,
          // No `headerPairs`: busboy 1.x ignores it for multipart. What bounds a part's headers is
          // busboy's fixed 16 KB per header block (beyond it: "Malformed part header", a 400); within
          // it, headers other than the part's first Content-Disposition and Content-Type are ignored.
        },
      });
    } catch (error) {
      reject(new BadRequestError('The multipart Content-Type has no usable boundary.', { cause: error }));
      return;
    }
    const fields = new Map<string, string>();
    let file: UploadCommand['file'] | undefined;
    let failure: Error | undefined;
    const fail = (error: Error) => {
      failure ??= error;
    };

    // busboy passes no name at all for a part with an empty or missing name parameter, and no value
    // at all for a part in a charset it cannot decode: such a field is refused, never taken as absent.
    parser.on('field', (name: string | undefined, value: string | undefined, info) => {
      const key = (name ?? '').toLowerCase();
      if (!(KNOWN_FIELDS as readonly string[]).includes(key)) return;
      if (info.valueTruncated) return fail(new BadRequestError(`The ${name} field is too long.`));
      if (value === undefined) {
        return fail(new BadRequestError(`The ${name} field is in a charset this API cannot read; send it as UTF-8.`));
      }
      if (fields.has(key)) return fail(new BadRequestError(`The ${name} field is sent more than once.`));
      fields.set(key, value);
    });
    parser.on('file', (name: string | undefined, stream, info) => {
      const chunks: Buffer[] = [];
      const hash = createHash('sha256');
      // busboy has decoded filename or filename* (in any charset it knows: UTF-16 can hold lone surrogates).
      const wellFormed = info.filename === undefined || isWellFormed(info.filename);
      const fileName = wellFormed ? cleanFileName(info.filename) : undefined;
      if (!wellFormed) fail(notWellFormed('filename'));
      else if (fileName === undefined)
        fail(new BadRequestError(`The file part "${name ?? ''}" carries no usable file name.`));
      // A truncated body destroys the file stream; the parser's own error reports it.
      stream.on('error', () => undefined);
      stream.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        hash.update(chunk);
      });
      stream.on('limit', () =>
        fail(
          new PayloadTooLargeError(
            `The file is larger than ${limits.maxFileBytes} bytes, the most this endpoint accepts. Upload larger files (up to 190 MiB) through an upload session: POST ${pathOf('StartUploadSession')}.`,
          ),
        ),
      );
      stream.on('end', () => {
        if (fileName === undefined) return;
        const contentType = mediaTypeOrDefault(info.mimeType);
        file = { fileName, contentType, bytes: Buffer.concat(chunks), sha256: hash.digest() };
      });
    });
    parser.on('filesLimit', () => fail(new BadRequestError('Send exactly one file per upload.')));
    parser.on('fieldsLimit', () => fail(new BadRequestError(`The form has more than ${MAX_FIELDS} fields.`)));
    parser.on('partsLimit', () => fail(new BadRequestError(`The form has more than ${MAX_PARTS} parts.`)));
    parser.on('error', (error: Error) =>
      reject(failure ?? new BadRequestError(`The multipart body is malformed: ${error.message}.`, { cause: error })),
    );
    parser.on('close', () => (failure === undefined ? resolve({ fields, file }) : reject(failure)));
    parser.end(body);
  });
}
