import { DocumentNotFoundError } from '../documents.ts';
import { MAX_PATCH_BYTES } from '../endpoints/update-file-document.ts';
import {
  BadRequestError,
  ConflictError,
  GoneError,
  NotFoundError,
  PayloadTooLargeError,
  PreconditionFailedError,
  PreconditionRequiredError,
  UnsupportedMediaTypeError,
} from '../errors.ts';
import { MAX_ID_LENGTH } from '../ids.ts';
import { MAX_LINK_SECONDS } from '../link-requests.ts';
import { PAGE_LIMIT } from '../pages.ts';
import { PhotoNotFoundError } from '../photos.ts';
import { pathOf, type RouteId } from '../routes.ts';
import { MAX_JSON_BYTES } from '../session-requests.ts';
import { MAX_UPLOAD_FILE_BYTES } from '../upload-form.ts';
import { UploadSessionNotFoundError } from '../upload-sessions.ts';
import {
  downloadResponses,
  HEADERS,
  type MediaTypeDescription,
  problem,
  type ResponseDescription,
  type Responses,
} from './responses.ts';
import { DOCUMENT_ID_EXAMPLE, PERSON_ID_EXAMPLE, ref, type Schema } from './schemas.ts';

/**
 * What the API description says of one route beyond the route table: its words, its request body and
 * the statuses of its own. The generator adds the path parameters (described in `PARAMETERS`), HEAD,
 * the permission, the security scheme, and the statuses every route shares (401, 403, 413 for a body,
 * 500, 502, 503, 504).
 */
export interface OperationDescription {
  readonly summary: string;
  readonly description: string;
  readonly tag: 'Photos' | 'File documents';
  /** Query parameters (a list's cursor and limit), by name. */
  readonly query?: Readonly<
    Record<string, { readonly description: string; readonly schema: Schema; readonly required?: boolean }>
  >;
  readonly requestBody?: {
    readonly description?: string;
    readonly content: Readonly<Record<string, MediaTypeDescription>>;
  };
  readonly responses: Responses;
}

/** Every path parameter of the route table, by name; a new name needs its entry here. */
export const PARAMETERS: Readonly<Record<string, { readonly description: string; readonly schema: Schema }>> = {
  faceId: {
    description: 'The face. An id no photo could have (outside letters, digits, `._~-`) is a 404.',
    schema: { type: 'string', maxLength: MAX_ID_LENGTH, examples: ['sample-face'] },
  },
  detectionId: {
    description: 'The detection of that face.',
    schema: { type: 'string', maxLength: MAX_ID_LENGTH, examples: ['det-1'] },
  },
  personId: {
    description: 'The person the document belongs to (a GUID; anything else is a 404).',
    schema: { type: 'string', examples: [PERSON_ID_EXAMPLE] },
  },
  documentId: {
    description: "The document's public id (`publicId` at upload, or the GUID generated then).",
    schema: { type: 'string', maxLength: MAX_ID_LENGTH, examples: [DOCUMENT_ID_EXAMPLE] },
  },
};

const photoNotFound = problem('No such photo (or an id no photo could have).', [new PhotoNotFoundError()]);
const jpeg = { 'image/jpeg': { schema: { type: 'string', contentMediaType: 'image/jpeg' } } } as const;
const json = (schema: Schema, example?: unknown): MediaTypeDescription => ({
  schema,
  ...(example === undefined ? {} : { examples: { example: { value: example } } }),
});

const notJson = [
  new BadRequestError('The request must be application/json.'),
  new BadRequestError('The body is not valid JSON.'),
  new BadRequestError(`The JSON body is over ${MAX_JSON_BYTES} bytes.`),
];

const documentExample = {
  documentId: DOCUMENT_ID_EXAMPLE,
  personId: PERSON_ID_EXAMPLE,
  name: 'ID Card',
  fileName: 'id-card.pdf',
  contentType: 'application/pdf',
  size: 48213,
  sha256: 'a3f5e1c0d9b84e7f6a2b1c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f6071',
  createdAt: '2026-01-31T09:30:00.000Z',
};

/** A list's paging parameters (`pages.ts`). */
export const PAGE_QUERY = {
  limit: {
    description: `Items in the page: 1 to ${PAGE_LIMIT.max} (default ${PAGE_LIMIT.default}).`,
    schema: { type: 'integer', minimum: 1, maximum: PAGE_LIMIT.max, default: PAGE_LIMIT.default },
  },
  cursor: {
    description: "The previous page's `nextCursor`, as given; any other value (or another list's) is a 400.",
    schema: { type: 'string', maxLength: 2048 },
  },
} as const;

const badPage = problem('A limit out of range, or a cursor this list did not issue.', [
  new BadRequestError(`The limit must be a whole number from 1 to ${PAGE_LIMIT.max}.`),
  new BadRequestError('The cursor is not one this list issued; start again without it.'),
]);

const documentNotFound = problem('No such document for this person.', [new DocumentNotFoundError()]);
const header = (description: string, value: string) =>
  ({ description, required: true, schema: { type: 'string', const: value } }) as const;
const metadataEtagHeader = {
  description: 'Strong entity tag of the metadata (not of the bytes); send it back in If-Match or If-None-Match.',
  required: true,
  schema: { type: 'string', pattern: '^"[^"]*"$' },
} as const;

const withLocation = (response: ResponseDescription): ResponseDescription => ({
  ...response,
  headers: { ...response.headers, Location: HEADERS.Location },
});

/**
 * THE place a route's request and response bodies are described, keyed by its id in `routes.ts`. A
 * route without an entry fails `npm test` (test/openapi) until one is added here; then run
 * `npm run openapi` to regenerate openapi.json.
 */
const linkRequest = {
  description: 'Optional: how long the link works. No body (or an empty one) asks for the default.',
  content: { 'application/json': json(ref('LinkRequest'), { expiresIn: 300 }) },
};

const linkIssued = (what: string): ResponseDescription => ({
  description: `A download link for the ${what}: GET it without a token until \`expiresAt\`.`,
  headers: { 'Cache-Control': HEADERS.CacheControl },
  content: { 'application/json': json(ref('DownloadLink')) },
});

const badLink = problem('The body is not the JSON described, or the lifetime is out of range.', [
  ...notJson,
  new BadRequestError('Unknown field "url": the body may carry expiresIn alone.'),
  new BadRequestError(`expiresIn must be a whole number of seconds from 1 to ${MAX_LINK_SECONDS}.`),
]);

export const OPERATIONS: Readonly<Partial<Record<RouteId, OperationDescription>>> = {
  FileDocumentLink: {
    tag: 'File documents',
    summary: "A download link for a document's bytes, straight from storage.",
    description:
      'A presigned GET for exactly this document, answered by storage with the headers `.../data` sends (as an attachment). Issuing it is recorded in the access trail first: when the trail cannot be written, no link is issued (503).',
    requestBody: linkRequest,
    responses: {
      '201': linkIssued('document'),
      '400': badLink,
      '404': problem('No such document for this person.', [new DocumentNotFoundError()]),
    },
  },
  EnrollmentPhotoLink: {
    tag: 'Photos',
    summary: "A download link for a face's enrollment photo, straight from storage.",
    description: "A presigned GET for the photo's current version.",
    requestBody: linkRequest,
    responses: { '201': linkIssued('photo'), '400': badLink, '404': photoNotFound },
  },
  DetectionPhotoLink: {
    tag: 'Photos',
    summary: 'A download link for a detection photo, straight from storage.',
    description: "A presigned GET for the photo's current version.",
    requestBody: linkRequest,
    responses: { '201': linkIssued('photo'), '400': badLink, '404': photoNotFound },
  },
  AuditTrail: {
    tag: 'File documents',
    summary: "A person's access trail: every access to and change of their files, newest first.",
    description:
      'Downloads (ranges, HEAD and 304 included), uploads, completions, changes and deletions, each with who, when, from where and what they got. Read only: nothing writes or deletes events through the API.',
    query: PAGE_QUERY,
    responses: {
      '200': {
        description: 'A page of events (an empty page for a person with none).',
        headers: { Link: HEADERS.Link, 'Cache-Control': HEADERS.CacheControl },
        content: { 'application/json': json(ref('AuditTrailPage')) },
      },
      '400': badPage,
      '404': problem('A person id that is not a GUID.', [new NotFoundError('No such person.')]),
    },
  },
  EnrollmentPhoto: {
    tag: 'Photos',
    summary: "Download a face's enrollment photo (JPEG).",
    description: 'Conditional (If-None-Match) and single-range (Range, If-Range) requests are honoured.',
    responses: downloadResponses({ what: 'photo', content: jpeg, attachment: false, notFound: photoNotFound }),
  },
  DetectionPhoto: {
    tag: 'Photos',
    summary: 'Download a detection photo (JPEG).',
    description: 'Conditional (If-None-Match) and single-range (Range, If-Range) requests are honoured.',
    responses: downloadResponses({ what: 'photo', content: jpeg, attachment: false, notFound: photoNotFound }),
  },
  UploadFileDocument: {
    tag: 'File documents',
    summary: 'Upload a file document for a person (multipart).',
    description: `Files up to ${MAX_UPLOAD_FILE_BYTES} bytes; larger ones go through an upload session.`,
    requestBody: {
      content: {
        'multipart/form-data': { schema: ref('UploadForm'), encoding: { file: { contentType: '*/*' } } },
      },
    },
    responses: {
      '200': { description: 'Stored. The body is empty.', headers: { Location: HEADERS.Location } },
      '400': problem('Not a multipart request, or a field is missing or invalid.', [
        new BadRequestError('The request must be multipart/form-data with a boundary.'),
        new BadRequestError('personId is required.'),
        new BadRequestError('name is required.'),
        new BadRequestError('A file is required: send one part with a filename.'),
      ]),
      '409': problem('The person already has a document with this publicId.', [
        new ConflictError(`This person already has a document with id "${DOCUMENT_ID_EXAMPLE}".`),
      ]),
      '413': problem(`The file is over ${MAX_UPLOAD_FILE_BYTES} bytes.`, [
        new PayloadTooLargeError(
          `The file is larger than ${MAX_UPLOAD_FILE_BYTES} bytes, the most this endpoint accepts. Upload larger files (up to 190 MiB) through an upload session: POST ${pathOf('StartUploadSession')}.`,
        ),
      ]),
    },
  },
  DownloadFileDocument: {
    tag: 'File documents',
    summary: 'Download a file document.',
    description:
      'The bytes as uploaded, with the Content-Type given then, always as an attachment. The ETag is the SHA-256 of the bytes.',
    responses: downloadResponses({
      what: 'document',
      content: { '*/*': { schema: { type: 'string', contentMediaType: 'application/octet-stream' } } },
      attachment: true,
      notFound: problem('No such document for this person.', [new DocumentNotFoundError()]),
    }),
  },
  StartUploadSession: {
    tag: 'File documents',
    summary: 'Start an upload session for a large document (presigned form).',
    description:
      'Reserves the document id and answers a presigned form that takes exactly this file, straight to storage. Upload the bytes with it, then complete the session.',
    requestBody: {
      content: {
        'application/json': json(ref('StartUploadSessionRequest'), {
          personId: PERSON_ID_EXAMPLE,
          name: 'ID Card',
          fileName: 'id-card.pdf',
          contentType: 'application/pdf',
          size: 48213,
        }),
      },
    },
    responses: {
      '201': withLocation({
        description: 'The session and its upload form.',
        content: { 'application/json': json(ref('UploadSession')) },
      }),
      '400': problem('The body is not the JSON object described, or a field is invalid.', [
        ...notJson,
        new BadRequestError('fileName is required.'),
        new BadRequestError('size must be the file size in bytes, a whole number above 0.'),
      ]),
      '409': problem('The document id is taken, or a session for it is under way.', [
        new ConflictError(`This person already has a document with id "${DOCUMENT_ID_EXAMPLE}".`),
      ]),
    },
  },
  CompleteUploadSession: {
    tag: 'File documents',
    summary: 'Complete an upload session: the uploaded bytes become the document.',
    description: 'Checks the size (and the SHA-256 when declared) of what was uploaded, then records the document.',
    requestBody: {
      content: { 'application/json': json(ref('CompleteUploadSessionRequest'), { personId: PERSON_ID_EXAMPLE }) },
    },
    responses: {
      '200': withLocation({
        description: 'The document.',
        content: { 'application/json': json(ref('Document'), documentExample) },
      }),
      '400': problem('The body is invalid, or the uploaded file is not what the session declared.', [
        ...notJson,
        new BadRequestError('personId must be a GUID.'),
        new BadRequestError('The uploaded file does not have the SHA-256 the session declared.'),
      ]),
      '404': problem('No upload session for this document.', [new UploadSessionNotFoundError()]),
      '409': problem('Completed already, or the file has not been uploaded yet.', [
        new ConflictError('This upload session has already been completed.'),
        new ConflictError('The file has not been uploaded for this session yet.'),
      ]),
      '410': problem('The session expired.', [new GoneError('This upload session has expired; start a new one.')]),
    },
  },
  ListFileDocuments: {
    tag: 'File documents',
    summary: "A page of a person's documents' metadata, newest first.",
    description:
      'Documents an upload session has reserved but not completed are not listed. A person without documents has an empty page.',
    query: PAGE_QUERY,
    responses: {
      '200': {
        description: 'A page of metadata.',
        headers: { Link: { ...HEADERS.Link, required: false }, 'Cache-Control': HEADERS.CacheControl },
        content: { 'application/json': json(ref('DocumentPage')) },
      },
      '400': problem('A person id that is not a GUID, a limit out of range, or a cursor this list did not issue.', [
        new BadRequestError('personId must be a GUID.'),
        new BadRequestError(`The limit must be a whole number from 1 to ${PAGE_LIMIT.max}.`),
        new BadRequestError('The cursor is not one this list issued; start again without it.'),
        new BadRequestError('The cursor parameter is given more than once.'),
      ]),
    },
  },
  GetFileDocument: {
    tag: 'File documents',
    summary: "One document's metadata, with its ETag.",
    description:
      "The ETag is the metadata's (what a change's If-Match names), not the bytes'. If-None-Match is honoured.",
    responses: {
      '200': {
        description: 'The metadata.',
        headers: { ETag: metadataEtagHeader, 'Cache-Control': HEADERS.CacheControl },
        content: { 'application/json': json(ref('DocumentMetadata')) },
      },
      '304': {
        description: 'The If-None-Match still holds.',
        headers: { ETag: metadataEtagHeader, 'Cache-Control': HEADERS.CacheControl },
      },
      '404': documentNotFound,
    },
  },
  UpdateFileDocument: {
    tag: 'File documents',
    summary: "Change a document's name or description (JSON Merge Patch, conditional on If-Match).",
    description:
      "If-Match names the metadata's ETag (or `*`). The bytes never change: a new file is a new upload. Of two changes made from one read, exactly one applies.",
    requestBody: {
      content: {
        'application/merge-patch+json': json(ref('DocumentPatch'), { name: 'ID Card (back)', description: null }),
      },
    },
    responses: {
      '200': {
        description: 'The metadata as it is now, with its new ETag.',
        headers: { ETag: metadataEtagHeader, 'Cache-Control': HEADERS.CacheControl },
        content: { 'application/json': json(ref('DocumentMetadata')) },
      },
      '400': problem('Not a JSON object, a member other than name or description, or an invalid value.', [
        new BadRequestError('The patch is not valid JSON.'),
        new BadRequestError('The merge patch must be a JSON object.'),
        new BadRequestError('Only name and description can be changed, not fileName.'),
        new BadRequestError('name must not be blank.'),
        new BadRequestError('If-Match is sent more than once.'),
      ]),
      '404': documentNotFound,
      '412': problem('The document changed since that ETag was read.', [
        new PreconditionFailedError('The document changed since that ETag was read; read it again.'),
      ]),
      '413': problem(`The patch is over ${MAX_PATCH_BYTES} bytes.`, [
        new PayloadTooLargeError(`The patch is over ${MAX_PATCH_BYTES} bytes.`),
      ]),
      '415': problem(
        'The body is not sent as application/merge-patch+json.',
        [
          new UnsupportedMediaTypeError(
            'A change is a JSON merge patch (RFC 7396), sent as application/merge-patch+json.',
          ),
        ],
        { 'Accept-Patch': header('The media type a change is sent as.', 'application/merge-patch+json') },
      ),
      '428': problem('No If-Match: a change names the ETag it was made from.', [
        new PreconditionRequiredError("Send If-Match with the document's ETag (from GET), or * to change any version."),
      ]),
    },
  },
  DeleteFileDocument: {
    tag: 'File documents',
    summary: 'Delete a document: every version of its bytes, and its metadata.',
    description:
      'Nothing of it is recoverable from this service afterwards. Its id is free at once. A repeated delete is a 404.',
    responses: {
      '204': { description: 'Deleted.', headers: { 'Cache-Control': HEADERS.CacheControl } },
      '404': documentNotFound,
    },
  },
  EraseFileDocuments: {
    tag: 'File documents',
    summary: 'Erase every document of a person (and their pending upload sessions), every version.',
    description:
      "Idempotent and resumable: a 202 means part is erased; send the same DELETE again until it answers 204. The person's access trail is kept.",
    responses: {
      '202': {
        description: 'Part of the documents are erased; repeat the request.',
        headers: { 'Retry-After': HEADERS.RetryAfter, 'Cache-Control': HEADERS.CacheControl },
        content: { 'application/json': json(ref('ErasureInProgress')) },
      },
      '204': {
        description: "Nothing of the person's documents is left (also for a person who had none).",
        headers: { 'Cache-Control': HEADERS.CacheControl },
      },
      '400': problem('A person id that is not a GUID.', [new BadRequestError('personId must be a GUID.')]),
    },
  },
  DeleteEnrollmentPhoto: {
    tag: 'Photos',
    summary: "Delete a face's enrollment photo and every detection photo of it, every version.",
    description: 'A 404 when nothing of the face is stored, not even an old version.',
    responses: {
      '204': { description: 'Deleted.', headers: { 'Cache-Control': HEADERS.CacheControl } },
      '404': photoNotFound,
    },
  },
  DeleteDetectionPhoto: {
    tag: 'Photos',
    summary: 'Delete one detection photo, every version.',
    description: 'A 404 when the photo has no version left.',
    responses: {
      '204': { description: 'Deleted.', headers: { 'Cache-Control': HEADERS.CacheControl } },
      '404': photoNotFound,
    },
  },
};
