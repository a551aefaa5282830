import { MAX_AUDIT_RANGE_CHARS, MAX_AUDIT_USER_AGENT_CHARS } from '../audit.ts';
import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH } from '../document-fields.ts';
import { GUID, MAX_ID_LENGTH, SAFE_ID } from '../ids.ts';
import { DEFAULT_LINK_SECONDS, MAX_LINK_SECONDS } from '../link-requests.ts';
import { MAX_SESSION_FILE_BYTES } from '../upload-session-timing.ts';

/**
 * The bodies' JSON Schemas (2020-12, as OpenAPI 3.1 uses them), named as the description's components.
 * Limits come from the constants the parsers enforce, so the two cannot disagree.
 */

/** A JSON Schema, as plain data. */
export type Schema = { readonly [keyword: string]: unknown };

/** A reference to one of `schemas`, by name. */
export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });

export const PERSON_ID_EXAMPLE = '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
export const DOCUMENT_ID_EXAMPLE = 'card-1';

const personId: Schema = {
  type: 'string',
  pattern: GUID.source,
  description: 'The person (a GUID; matched case-insensitively, stored in lower case).',
  examples: [PERSON_ID_EXAMPLE],
};

const publicId: Schema = {
  type: 'string',
  pattern: SAFE_ID.source,
  maxLength: MAX_ID_LENGTH,
  description:
    'Caller-supplied document id: letters, digits, ".", "_", "~" or "-", starting with a letter or digit. A GUID is generated when omitted.',
  examples: [DOCUMENT_ID_EXAMPLE],
};

const name: Schema = {
  type: 'string',
  minLength: 1,
  maxLength: MAX_NAME_LENGTH,
  description: `Display name (trimmed; 1 to ${MAX_NAME_LENGTH} characters).`,
  examples: ['ID Card'],
};

const description: Schema = {
  type: 'string',
  maxLength: MAX_DESCRIPTION_LENGTH,
  description: `Optional description (trimmed; at most ${MAX_DESCRIPTION_LENGTH} characters).`,
  examples: ['Front of ID'],
};

const sha256: Schema = { type: 'string', pattern: '^[0-9a-fA-F]{64}$', description: 'SHA-256 as 64 hex digits.' };
const instant: Schema = { type: 'string', format: 'date-time' };

export const schemas = {
  Problem: {
    type: 'object',
    description: 'An RFC 9457 problem. Only statuses below 500 explain themselves in `detail`.',
    required: ['type', 'title', 'status', 'detail', 'requestId'],
    properties: {
      type: { type: 'string', const: 'about:blank' },
      title: { type: 'string' },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: { type: 'string' },
      requestId: { type: 'string', description: 'Quote it when reporting a problem.' },
    },
  },
  GatewayMessage: {
    type: 'object',
    description: "API Gateway's own answer (a limit or a failure before or around the function), not the API's.",
    required: ['message'],
    properties: { message: { type: 'string' } },
  },
  UploadForm: {
    type: 'object',
    description:
      'The file is any part that carries a filename, whatever its field name; exactly one. Field names match case-insensitively.',
    required: ['personId', 'name', 'file'],
    properties: {
      file: { type: 'string', contentMediaType: 'application/octet-stream', description: 'The file to store.' },
      personId,
      name,
      description,
      publicId,
    },
  },
  StartUploadSessionRequest: {
    type: 'object',
    required: ['personId', 'name', 'fileName', 'size'],
    properties: {
      personId,
      name,
      description,
      publicId,
      fileName: {
        type: 'string',
        minLength: 1,
        description: 'The file name downloads are saved under (control characters and paths dropped, 255 at most).',
        examples: ['id-card.pdf'],
      },
      contentType: {
        type: 'string',
        description: 'Media type of the file; anything that is not one becomes application/octet-stream.',
        examples: ['application/pdf'],
      },
      size: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_SESSION_FILE_BYTES,
        description: 'The exact size of the file in bytes.',
      },
      sha256: { ...sha256, description: "The file's SHA-256, checked when the session is completed." },
    },
  },
  UploadSession: {
    type: 'object',
    required: ['documentId', 'expiresAt', 'upload', 'complete'],
    properties: {
      documentId: { type: 'string', pattern: SAFE_ID.source },
      expiresAt: { ...instant, description: 'The session must be completed before this.' },
      upload: {
        type: 'object',
        description: 'A presigned form: POST `fields` then the file (as `fileField`) to `url` as multipart/form-data.',
        required: ['method', 'url', 'fields', 'fileField', 'expiresAt'],
        properties: {
          method: { type: 'string', const: 'POST' },
          url: { type: 'string' },
          fields: { type: 'object', additionalProperties: { type: 'string' } },
          fileField: { type: 'string', const: 'file' },
          expiresAt: instant,
        },
      },
      complete: {
        type: 'object',
        description: 'The request that turns the uploaded bytes into the document; `url` is relative to this one.',
        required: ['method', 'url', 'body'],
        properties: {
          method: { type: 'string', const: 'POST' },
          url: { type: 'string' },
          body: ref('CompleteUploadSessionRequest'),
        },
      },
    },
  },
  CompleteUploadSessionRequest: {
    type: 'object',
    required: ['personId'],
    properties: { personId },
  },
  Document: {
    type: 'object',
    required: ['documentId', 'personId', 'name', 'fileName', 'contentType', 'size', 'sha256', 'createdAt'],
    properties: {
      documentId: { type: 'string', pattern: SAFE_ID.source },
      personId,
      name: { type: 'string' },
      fileName: { type: 'string' },
      contentType: { type: 'string' },
      size: { type: 'integer', minimum: 1 },
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' },
      createdAt: instant,
    },
  },
  AuditEvent: {
    type: 'object',
    description: "One recorded access to or change of a person's files (or a face's photos).",
    required: ['time', 'action', 'subject', 'method', 'requestId', 'sourceIp', 'status', 'bytesSent'],
    properties: {
      time: instant,
      action: {
        type: 'string',
        enum: [
          'document.download',
          'document.upload',
          'document.uploadSessionComplete',
          'document.update',
          'document.delete',
          'document.link',
          'person.erase',
          'photo.download',
          'photo.delete',
        ],
      },
      subject: { type: 'string', description: "The caller's subject, as the token names it." },
      personId,
      documentId: { type: 'string' },
      faceId: { type: 'string' },
      detectionId: { type: 'string' },
      method: { type: 'string', enum: ['GET', 'HEAD', 'POST', 'PATCH', 'DELETE'] },
      requestId: { type: 'string' },
      sourceIp: { type: 'string' },
      userAgent: { type: 'string', maxLength: MAX_AUDIT_USER_AGENT_CHARS },
      range: { type: 'string', maxLength: MAX_AUDIT_RANGE_CHARS, description: 'The Range asked for, as sent.' },
      status: { type: 'integer', description: 'The answer: 304 marks a revalidation, 206 a range served.' },
      bytesSent: { type: 'integer', minimum: 0 },
      bytesReceived: { type: 'integer', minimum: 0 },
      linkExpiresAt: { ...instant, description: 'For a download link issued: when it stops working.' },
    },
  },
  LinkRequest: {
    type: 'object',
    additionalProperties: false,
    properties: {
      expiresIn: {
        type: 'integer',
        minimum: 1,
        maximum: MAX_LINK_SECONDS,
        default: DEFAULT_LINK_SECONDS,
        description: `Seconds the link works: 1 to ${MAX_LINK_SECONDS} (default ${DEFAULT_LINK_SECONDS}).`,
      },
    },
  },
  DownloadLink: {
    type: 'object',
    required: ['url', 'expiresAt'],
    additionalProperties: false,
    properties: {
      url: {
        type: 'string',
        format: 'uri',
        description:
          'A presigned GET straight to storage for exactly this object: a bearer capability until it expires.',
      },
      expiresAt: instant,
    },
  },
  AuditTrailPage: {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: ref('AuditEvent') },
      nextCursor: { type: ['string', 'null'], description: "The next page's cursor; null on the last page." },
    },
  },
  DocumentMetadata: {
    type: 'object',
    description: "A document's metadata: the same shape in a list, alone and after a change, every field present.",
    required: [
      'id',
      'personId',
      'name',
      'description',
      'fileName',
      'contentType',
      'size',
      'sha256',
      'createdAt',
      'createdBy',
      'updatedAt',
      'updatedBy',
    ],
    properties: {
      id: { type: 'string', pattern: SAFE_ID.source },
      personId,
      name: { type: 'string' },
      description: { type: ['string', 'null'], description: 'null when there is none.' },
      fileName: { type: 'string' },
      contentType: { type: 'string' },
      size: { type: 'integer', minimum: 1 },
      sha256: { type: 'string', pattern: '^[0-9a-f]{64}$', description: "The bytes' SHA-256: the download's ETag." },
      createdAt: instant,
      createdBy: { type: 'string' },
      updatedAt: { ...instant, description: 'When the name or description last changed; createdAt until then.' },
      updatedBy: { type: 'string' },
    },
  },
  DocumentPage: {
    type: 'object',
    required: ['items', 'nextCursor'],
    properties: {
      items: { type: 'array', items: ref('DocumentMetadata') },
      nextCursor: { type: ['string', 'null'], description: "The next page's cursor; null on the last page." },
    },
  },
  DocumentPatch: {
    type: 'object',
    description: 'A JSON Merge Patch (RFC 7396) of the name and description; any other member is a 400.',
    properties: {
      name,
      description: { ...description, type: ['string', 'null'], description: 'null (or blank) removes it.' },
    },
  },
  ErasureInProgress: {
    type: 'object',
    required: ['personId', 'status', 'detail', 'erasedDocuments', 'erasedSessions'],
    properties: {
      personId,
      status: { type: 'string', const: 'inProgress' },
      detail: { type: 'string' },
      erasedDocuments: { type: 'integer', minimum: 0, description: 'Documents this request erased.' },
      erasedSessions: { type: 'integer', minimum: 0, description: 'Pending upload sessions this request erased.' },
    },
  },
} as const satisfies Record<string, Schema>;

export type SchemaName = keyof typeof schemas;
