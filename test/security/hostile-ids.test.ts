import { randomUUID } from 'node:crypto';
import { authenticatorFromEnv } from '@identities/aws';
import {
  type AuditRecorder,
  type AuditTrail,
  type Authenticator,
  type DocumentStore,
  makeAuditTrailHandler as makeAuditTrail,
  makeCompleteUploadSessionHandler as makeComplete,
  makeDetectionPhotoHandler as makeDetectionPhoto,
  makeDownloadFileDocumentHandler as makeDownload,
  makeEnrollmentPhotoHandler as makeEnrollmentPhoto,
  makeLogger,
  makeStartUploadSessionHandler as makeStart,
  makeUploadFileDocumentHandler as makeUpload,
  type RouteId,
  routeById,
  type UploadSessionStore,
  type UploadTargets,
} from '@identities/core';
import { describe, expect, it } from 'vitest';
import { type ApiResponse, apiEvent, invoke } from '../support/lambda.ts';
import { uploadEvent } from '../support/multipart.ts';
import { newPersonId, recordingObjectStore, storesAs } from '../support/storage.ts';
import { bearer, bothPermissions } from '../support/tokens.ts';
import { expectProblem, staysInside } from './support.ts';

const logger = makeLogger('silent');
const jwt = await bothPermissions();

/** Each function's stores and authenticator as it reaches them: its own key, held to its own policy. */
const functions = new Map<RouteId, ReturnType<typeof storesAs> & { auth: Authenticator }>();
function ownStores(id: RouteId) {
  let found = functions.get(id);
  if (found === undefined) {
    const stores = storesAs(id);
    // As the wiring does: a function that reads no items reads no roles either.
    const roles = routeById(id).access.items.length === 0 ? undefined : stores.roles;
    found = { ...stores, auth: authenticatorFromEnv(process.env, roles) };
    functions.set(id, found);
  }
  return found;
}

/**
 * The real adapters of the function a target calls, recording every object key asked for (S3) and
 * every person/document pair looked up or written (DynamoDB), so a test sees exactly what reached
 * storage.
 */
function recorder() {
  const keys: string[] = [];
  const lookups: string[] = [];
  const look = (personId: string, documentId: string) => lookups.push(`${personId} ${documentId}`);
  /** The function's own dependencies, recording into this recorder. */
  const as = (id: RouteId) => {
    const own = ownStores(id);
    const objects = recordingObjectStore(own.objects, keys).store;
    const documents: DocumentStore = {
      get: (personId, documentId) => {
        look(personId, documentId);
        return own.documents.get(personId, documentId);
      },
      create: (record) => {
        look(record.personId, record.documentId);
        return own.documents.create(record);
      },
    };
    const sessions: UploadSessionStore = {
      reserve: (session) => {
        look(session.personId, session.documentId);
        return own.sessions.reserve(session);
      },
      find: (personId, documentId) => {
        look(personId, documentId);
        return own.sessions.find(personId, documentId);
      },
      complete: (session, record) => {
        look(session.personId, session.documentId);
        return own.sessions.complete(session, record);
      },
      expired: (now) => own.sessions.expired(now),
      remove: (session) => own.sessions.remove(session),
    };
    const targets: UploadTargets = {
      presignPost: (key, options) => {
        keys.push(key);
        return own.targets.presignPost(key, options);
      },
    };
    const audit: AuditRecorder = {
      record: (entry) => {
        look(entry.personId ?? `face ${entry.faceId}`, entry.documentId ?? entry.detectionId ?? '');
        return own.audit.record(entry);
      },
    };
    const trail: AuditTrail = {
      append: (event, expiresAt) => own.trail.append(event, expiresAt),
      list: (of, page) => {
        look('personId' in of ? of.personId : `face ${of.faceId}`, 'trail');
        return own.trail.list(of, page);
      },
    };
    return { auth: own.auth, logger, objects, documents, sessions, targets, audit, trail };
  };
  return { keys, lookups, as };
}
type Recorder = ReturnType<typeof recorder>;

const get = (handler: Parameters<typeof invoke>[0], path: string) =>
  invoke(handler, apiEvent({ path, headers: bearer(jwt) }));

const postJson = (handler: Parameters<typeof invoke>[0], path: string, body: unknown) =>
  invoke(
    handler,
    apiEvent({
      method: 'POST',
      path,
      headers: { ...bearer(jwt), 'Content-Type': 'application/json' },
      body: Buffer.from(JSON.stringify(body)),
    }),
  );

function postForm(handler: Parameters<typeof invoke>[0], fields: Record<string, string>) {
  return invoke(
    handler,
    uploadEvent(
      [
        ...Object.entries(fields).map(([name, value]) => ({ name, value })),
        { name: 'file', filename: 'doc.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.7') },
      ],
      jwt,
    ),
  );
}

const SESSIONS = '/api/v1/people/fileDocuments/uploadSessions';
const sessionBody = (personId: string, publicId?: string) => ({
  personId,
  name: 'Scan',
  fileName: 'scan.pdf',
  contentType: 'application/pdf',
  size: 1024,
  ...(publicId === undefined ? {} : { publicId }),
});

interface IdTarget {
  /** Where the id goes. */
  readonly prefixes: readonly string[];
  /** The answer for an id that cannot exist: 404 in a path, 400 in a request body. */
  readonly rejects: number;
  /** A valid id, to show the recording sees what reaches storage. */
  readonly valid: () => string;
  /** Sends the id: as a raw URL segment for path parameters, or its decoded value in a body. */
  send(segment: string, recorded: Recorder): Promise<ApiResponse>;
}

const TARGETS: Readonly<Record<string, IdTarget>> = {
  'faceId of an enrollment photo': {
    prefixes: ['faces/'],
    rejects: 404,
    valid: () => 'face-1',
    send: (segment, recorded) =>
      get(makeEnrollmentPhoto(recorded.as('EnrollmentPhoto')), `/api/v1/people/enrollmentPhoto/${segment}`),
  },
  'faceId of a detection photo': {
    prefixes: ['faces/'],
    rejects: 404,
    valid: () => 'face-1',
    send: (segment, recorded) =>
      get(makeDetectionPhoto(recorded.as('DetectionPhoto')), `/api/v1/people/detectionPhoto/${segment}/det-1`),
  },
  'detectionId of a detection photo': {
    prefixes: ['faces/'],
    rejects: 404,
    valid: () => 'det-1',
    send: (segment, recorded) =>
      get(makeDetectionPhoto(recorded.as('DetectionPhoto')), `/api/v1/people/detectionPhoto/face-1/${segment}`),
  },
  'personId of a document download': {
    prefixes: ['people/'],
    rejects: 404,
    valid: newPersonId,
    send: (segment, recorded) =>
      get(makeDownload(recorded.as('DownloadFileDocument')), `/api/v1/people/${segment}/fileDocuments/doc-1/data`),
  },
  'documentId of a document download': {
    prefixes: ['people/'],
    rejects: 404,
    valid: () => 'doc-1',
    send: (segment, recorded) =>
      get(
        makeDownload(recorded.as('DownloadFileDocument')),
        `/api/v1/people/${newPersonId()}/fileDocuments/${segment}/data`,
      ),
  },
  'personId of the access trail': {
    prefixes: [],
    rejects: 404,
    valid: newPersonId,
    send: (segment, recorded) => get(makeAuditTrail(recorded.as('AuditTrail')), `/api/v1/people/${segment}/auditTrail`),
  },
  'documentId of an upload session completion': {
    prefixes: ['uploads/', 'people/'],
    rejects: 404,
    valid: () => 'doc-1',
    send: (segment, recorded) =>
      postJson(makeComplete(recorded.as('CompleteUploadSession')), `${SESSIONS}/${segment}/complete`, {
        personId: newPersonId(),
      }),
  },
  'publicId of a multipart upload': {
    prefixes: ['people/'],
    rejects: 400,
    valid: () => `doc-${randomUUID()}`,
    send: (segment, recorded) =>
      postForm(makeUpload(recorded.as('UploadFileDocument')), {
        personId: newPersonId(),
        name: 'Doc',
        publicId: decodeURIComponent(segment),
      }),
  },
  'personId of a multipart upload': {
    prefixes: ['people/'],
    rejects: 400,
    valid: newPersonId,
    send: (segment, recorded) =>
      postForm(makeUpload(recorded.as('UploadFileDocument')), { personId: decodeURIComponent(segment), name: 'Doc' }),
  },
  'publicId of an upload session': {
    prefixes: ['uploads/'],
    rejects: 400,
    valid: () => `doc-${randomUUID()}`,
    send: (segment, recorded) =>
      postJson(
        makeStart(recorded.as('StartUploadSession')),
        SESSIONS,
        sessionBody(newPersonId(), decodeURIComponent(segment)),
      ),
  },
  'personId of an upload session': {
    prefixes: ['uploads/'],
    rejects: 400,
    valid: newPersonId,
    send: (segment, recorded) =>
      postJson(makeStart(recorded.as('StartUploadSession')), SESSIONS, sessionBody(decodeURIComponent(segment))),
  },
};

const GUID = '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';
/** The GUID spelled in fullwidth forms (U+FF10.., U+FF41.., U+FF0D): looks the same, is not ASCII. */
const FULLWIDTH_GUID = [...GUID].map((c) => String.fromCodePoint((c.codePointAt(0) ?? 0) + 0xfee0)).join('');

/** Ids as raw URL segments; the platform percent-decodes them into the path parameter. */
const HOSTILE: readonly (readonly [string, string])[] = [
  ['".." (the parent directory)', '..'],
  ['"." (the directory itself)', '.'],
  ['"%2e%2e", decoded to ".."', '%2e%2e'],
  ['"%2E%2E%2Ffaces", decoded to "../faces"', '%2E%2E%2Ffaces'],
  ['"..%2F..%2Fpeople", decoded to "../../people"', '..%2F..%2Fpeople'],
  ['"a%2Fb", a slash decoded into the parameter', 'a%2Fb'],
  ['"%2Fetc%2Fpasswd", an absolute path', '%2Fetc%2Fpasswd'],
  ['"%252e%252e%252f", double-encoded, arriving as "%2e%2e%2f"', '%252e%252e%252f'],
  ['"x%25", a percent sign', 'x%25'],
  ['"a%5Cb", a backslash', 'a%5Cb'],
  ['"..%5C..%5Cfaces", a backslash traversal', '..%5C..%5Cfaces'],
  ['"a%00b", a NUL', 'a%00b'],
  ['"x.jpg%00", a NUL after an extension', 'x.jpg%00'],
  ['"a%0Ab", a line feed', 'a%0Ab'],
  ['"a%0D%0Ab", CR LF', 'a%0D%0Ab'],
  ['"a%09b", a tab', 'a%09b'],
  ['"a%7Fb", DEL', 'a%7Fb'],
  ['"a%C2%85b", the C1 next-line control', 'a%C2%85b'],
  ['"%1B%5B31m", an ANSI escape', '%1B%5B31m'],
  ['fullwidth solidus U+FF0F in "..／..／faces"', encodeURIComponent('..\uff0f..\uff0ffaces')],
  ['fullwidth reverse solidus U+FF3C', encodeURIComponent('..\uff3cfaces')],
  ['one-dot leaders U+2024 U+2024, looking like ".."', encodeURIComponent('\u2024\u2024')],
  ['a two-dot leader U+2025', encodeURIComponent('\u2025')],
  ['fullwidth full stops U+FF0E U+FF0E', encodeURIComponent('\uff0e\uff0e')],
  ['a division slash U+2215', encodeURIComponent('a\u2215b')],
  ['a fraction slash U+2044', encodeURIComponent('a\u2044b')],
  ['a right-to-left override U+202E', encodeURIComponent('a\u202egpj.exe')],
  ['a zero-width space U+200B', encodeURIComponent('doc\u200b-1')],
  ['"é", a letter outside ASCII', encodeURIComponent('é')],
  ['a GUID in fullwidth digits and letters', encodeURIComponent(FULLWIDTH_GUID)],
  ['a GUID followed by "/.."', `${GUID}%2F..`],
  ['a 10,000-character id', 'a'.repeat(10_000)],
  ['a 10,000-character traversal', encodeURIComponent(`${'../'.repeat(3333)}x`)],
  ['129 characters, one over the limit', 'a'.repeat(129)],
  ['a leading hyphen', '-rf'],
  ['a leading dot (a hidden name)', '.hidden'],
  ['"a%20b", a space', 'a%20b'],
  ['"a%3Fb", a question mark', 'a%3Fb'],
  ['"a%23b", a hash', 'a%23b'],
];

describe('hostile ids through the handlers', () => {
  const rows = Object.entries(TARGETS).flatMap(([where, target]) =>
    HOSTILE.map(([label, segment]) => [where, target.rejects, label, target, segment] as const),
  );

  it.each(rows)('%s: answers %i for %s and never reaches storage', async (_, _status, _label, target, segment) => {
    const recorded = recorder();
    const response = await target.send(segment, recorded);
    expectProblem(response, target.rejects);
    for (const key of recorded.keys) expect(staysInside(key, target.prefixes), key).toBe(true);
    expect(recorded.keys).toEqual([]);
    expect(recorded.lookups).toEqual([]);
  });

  it.each(Object.entries(TARGETS))(
    '%s: a valid id reaches storage, inside its prefix (the recording sees it)',
    async (_, target) => {
      const recorded = recorder();
      const response = await target.send(target.valid(), recorded);
      expect(response.statusCode).toBeLessThan(500);
      expect(recorded.keys.length + recorded.lookups.length).toBeGreaterThan(0);
      for (const key of recorded.keys) expect(staysInside(key, target.prefixes), key).toBe(true);
    },
  );

  it('accepts an id of exactly 128 characters and keeps it inside faces/', async () => {
    const recorded = recorder();
    const id = `a${'-'.repeat(126)}z`;
    const response = await TARGETS['faceId of an enrollment photo']?.send(id, recorded);
    expect(response?.statusCode).toBe(404);
    expect(recorded.keys).toEqual([`faces/${id}/enrollment.jpg`]);
  });
});
