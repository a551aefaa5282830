/**
 * The one route table. The infrastructure, the local gateway and the API description all read it;
 * nothing else lists the routes.
 */

export const PERMISSIONS = {
  addFiles: 'Add Identity Files',
  readFiles: 'Read Identity Files',
  /** Deleting documents, one or all of a person's: the product's pattern (Tags, Users: Read/Add/Edit/Delete). */
  deleteFiles: 'Delete Identity Files',
  /** The product's own permission for changing a face's data: deleting its photos. */
  mutateIdentity: 'Mutate All Identity',
} as const;

export type Permission = (typeof PERMISSIONS)[keyof typeof PERMISSIONS];

/** What a route's function may touch, so least-privilege policies derive from this table. */
export interface StorageAccess {
  /** S3 actions, each on objects under the given key prefix. */
  readonly objects: readonly { readonly actions: readonly string[]; readonly prefix: string }[];
  /**
   * DynamoDB actions, each on items whose partition key matches the pattern (`*` is a wildcard), as
   * IAM's `dynamodb:LeadingKeys` condition would state it.
   */
  readonly items: readonly {
    readonly actions: readonly string[];
    readonly partitionKeys: string;
    /** A global secondary index the actions (a Query) are on: IAM names it as its own resource. */
    readonly index?: string;
  }[];
  /**
   * What the function may list (S3 ListBucket, limited by its `s3:prefix` condition): a folder
   * (`people/`), or a key pattern within one. S3 answers a read of a missing key with 403, not 404,
   * unless the caller may list with `s3:prefix` set to that key: a pattern matching the route's own keys
   * is what lets it answer 404 without letting it list anything else.
   */
  readonly listing?: readonly string[];
  /**
   * What the function may list versions of (S3 ListBucketVersions, limited by `s3:prefix` like
   * `listing`): an erasure finds every version and delete marker of what it removes.
   */
  readonly versionListing?: readonly string[];
  /** Reads every item (a Scan), which no partition key limits: only the local server's session sweep. */
  readonly scans?: boolean;
}

export interface Route {
  /** Stable name: the function's name in the infrastructure and in logs. */
  readonly id: string;
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** API Gateway resource path, with `{name}` parameters. */
  readonly path: string;
  /** Entry module, relative to the repository root, and its exported handler. */
  readonly handler: string;
  /** Permission the caller needs beyond a valid token; null means any authenticated user. */
  readonly permission: Permission | null;
  /** `stream` responses use Lambda response streaming; `buffered` ones return a proxy result. */
  readonly response: 'stream' | 'buffered';
  /** The same function also answers HEAD on this path (downloads: GET's headers, no body). */
  readonly head: boolean;
  readonly access: StorageAccess;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

const roleReads = { actions: ['dynamodb:GetItem'], partitionKeys: 'ROLE' } as const;

/**
 * The table's sparse index of documents by creation time (`pk`, `createdAt`): a person's documents list
 * newest first. Only items with a `createdAt` are in it (documents, and pending sessions, which the list skips).
 */
export const DOCUMENTS_BY_TIME_INDEX = 'documentsByTime';

export const routes = [
  {
    id: 'EnrollmentPhoto',
    method: 'GET',
    path: '/api/v1/people/enrollmentPhoto/{faceId}',
    handler: 'functions/enrollment-photo.handler',
    permission: null,
    response: 'stream',
    head: true,
    access: {
      objects: [{ actions: ['s3:GetObject'], prefix: 'faces/' }],
      // The download's access event, under the face, when the stage audits photo downloads: granted on
      // every stage, so the setting turns on without a change of policy.
      items: [{ actions: ['dynamodb:PutItem'], partitionKeys: 'FACE#*' }],
      listing: ['faces/*/enrollment.jpg'],
    },
    memoryMb: 512,
    timeoutSeconds: 30,
  },
  {
    id: 'DetectionPhoto',
    method: 'GET',
    path: '/api/v1/people/detectionPhoto/{faceId}/{detectionId}',
    handler: 'functions/detection-photo.handler',
    permission: null,
    response: 'stream',
    head: true,
    access: {
      objects: [{ actions: ['s3:GetObject'], prefix: 'faces/' }],
      // The download's access event, under the face, when the stage audits photo downloads: granted on
      // every stage, so the setting turns on without a change of policy.
      items: [{ actions: ['dynamodb:PutItem'], partitionKeys: 'FACE#*' }],
      listing: ['faces/*/detections/*.jpg'],
    },
    memoryMb: 512,
    timeoutSeconds: 30,
  },
  {
    id: 'UploadFileDocument',
    method: 'POST',
    path: '/api/v1/people/fileDocuments/upload',
    handler: 'functions/upload-file-document.handler',
    permission: PERMISSIONS.addFiles,
    response: 'buffered',
    head: false,
    access: {
      objects: [{ actions: ['s3:PutObject', 's3:DeleteObject'], prefix: 'people/' }],
      items: [{ actions: ['dynamodb:PutItem'], partitionKeys: 'PERSON#*' }, roleReads],
    },
    memoryMb: 1024,
    timeoutSeconds: 30,
  },
  {
    id: 'DownloadFileDocument',
    method: 'GET',
    path: '/api/v1/people/{personId}/fileDocuments/{documentId}/data',
    handler: 'functions/download-file-document.handler',
    permission: PERMISSIONS.readFiles,
    response: 'stream',
    head: true,
    access: {
      objects: [{ actions: ['s3:GetObject'], prefix: 'people/' }],
      // PutItem: each answer's access event, with the person's data (IAM cannot limit it to AUDIT# keys).
      items: [{ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], partitionKeys: 'PERSON#*' }, roleReads],
    },
    memoryMb: 512,
    // Lambda streams a response at 2 MB/s past its first 6 MB: 190 MiB takes about 92 s.
    timeoutSeconds: 300,
  },
  {
    id: 'StartUploadSession',
    method: 'POST',
    path: '/api/v1/people/fileDocuments/uploadSessions',
    handler: 'functions/start-upload-session.handler',
    permission: PERMISSIONS.addFiles,
    response: 'buffered',
    head: false,
    access: {
      // The presigned POST carries this function's right to put objects under uploads/. It deletes the
      // session item it has just put when the form cannot be signed, releasing the id.
      objects: [{ actions: ['s3:PutObject'], prefix: 'uploads/' }],
      items: [{ actions: ['dynamodb:PutItem', 'dynamodb:DeleteItem'], partitionKeys: 'PERSON#*' }, roleReads],
    },
    memoryMb: 512,
    timeoutSeconds: 30,
  },
  {
    id: 'CompleteUploadSession',
    method: 'POST',
    path: '/api/v1/people/fileDocuments/uploadSessions/{documentId}/complete',
    handler: 'functions/complete-upload-session.handler',
    permission: PERMISSIONS.addFiles,
    response: 'buffered',
    head: false,
    access: {
      objects: [
        { actions: ['s3:GetObject', 's3:DeleteObject'], prefix: 'uploads/' },
        // GetObject: the copy's size and checksum are read back from the document's own key.
        { actions: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'], prefix: 'people/' },
      ],
      items: [{ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], partitionKeys: 'PERSON#*' }, roleReads],
      // Completed before its bytes arrived: S3's 404 (a 409 to the client), not a 403.
      listing: ['uploads/'],
    },
    // Reading 190 MiB to hash it takes seconds: more memory is more network bandwidth.
    memoryMb: 1024,
    timeoutSeconds: 120,
  },
  {
    id: 'AuditTrail',
    method: 'GET',
    path: '/api/v1/people/{personId}/auditTrail',
    handler: 'functions/audit-trail.handler',
    permission: PERMISSIONS.readFiles,
    response: 'buffered',
    head: false,
    access: {
      objects: [],
      items: [{ actions: ['dynamodb:Query'], partitionKeys: 'PERSON#*' }, roleReads],
    },
    memoryMb: 512,
    timeoutSeconds: 30,
  },
  {
    id: 'FileDocumentLink',
    method: 'POST',
    path: '/api/v1/people/{personId}/fileDocuments/{documentId}/links',
    handler: 'functions/file-document-link.handler',
    permission: PERMISSIONS.readFiles,
    response: 'buffered',
    head: false,
    access: {
      // A presigned GET carries its signer's rights: this function's read of people/ is what the link
      // may do, for the one key (and query) its signature covers.
      objects: [{ actions: ['s3:GetObject'], prefix: 'people/' }],
      // PutItem: issuing a link is recorded in the person's access trail.
      items: [{ actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], partitionKeys: 'PERSON#*' }, roleReads],
    },
    memoryMb: 256,
    timeoutSeconds: 30,
  },
  {
    id: 'EnrollmentPhotoLink',
    method: 'POST',
    path: '/api/v1/people/enrollmentPhoto/{faceId}/links',
    handler: 'functions/enrollment-photo-link.handler',
    permission: null,
    response: 'buffered',
    head: false,
    access: {
      // HeadObject finds the current version; the link reads that version (GetObjectVersion) on a
      // versioned bucket, the object (GetObject) on a store that keeps none.
      objects: [{ actions: ['s3:GetObject', 's3:GetObjectVersion'], prefix: 'faces/' }],
      items: [],
      listing: ['faces/*/enrollment.jpg'],
    },
    memoryMb: 256,
    timeoutSeconds: 30,
  },
  {
    id: 'DetectionPhotoLink',
    method: 'POST',
    path: '/api/v1/people/detectionPhoto/{faceId}/{detectionId}/links',
    handler: 'functions/detection-photo-link.handler',
    permission: null,
    response: 'buffered',
    head: false,
    access: {
      objects: [{ actions: ['s3:GetObject', 's3:GetObjectVersion'], prefix: 'faces/' }],
      items: [],
      listing: ['faces/*/detections/*.jpg'],
    },
    memoryMb: 256,
    timeoutSeconds: 30,
  },
  {
    // Photos are erased with every version: the bucket is versioned, so a plain delete would only hide them.
    id: 'DeleteEnrollmentPhoto',
    method: 'DELETE',
    path: '/api/v1/people/enrollmentPhoto/{faceId}',
    handler: 'functions/delete-enrollment-photo.handler',
    permission: PERMISSIONS.mutateIdentity,
    response: 'buffered',
    head: false,
    access: {
      objects: [{ actions: ['s3:DeleteObjectVersion'], prefix: 'faces/' }],
      // PutItem: the deletion's access event, under the face.
      items: [{ actions: ['dynamodb:PutItem'], partitionKeys: 'FACE#*' }, roleReads],
      versionListing: ['faces/'],
    },
    memoryMb: 512,
    timeoutSeconds: 30,
  },
  {
    id: 'DeleteDetectionPhoto',
    method: 'DELETE',
    path: '/api/v1/people/detectionPhoto/{faceId}/{detectionId}',
    handler: 'functions/delete-detection-photo.handler',
    permission: PERMISSIONS.mutateIdentity,
    response: 'buffered',
    head: false,
    access: {
      objects: [{ actions: ['s3:DeleteObjectVersion'], prefix: 'faces/' }],
      // PutItem: the deletion's access event, under the face.
      items: [{ actions: ['dynamodb:PutItem'], partitionKeys: 'FACE#*' }, roleReads],
      versionListing: ['faces/'],
    },
    memoryMb: 512,
    timeoutSeconds: 30,
  },
  {
    id: 'ListFileDocuments',
    method: 'GET',
    path: '/api/v1/people/{personId}/fileDocuments',
    handler: 'functions/list-file-documents.handler',
    permission: PERMISSIONS.readFiles,
    response: 'buffered',
    head: false,
    access: {
      items: [{ actions: ['dynamodb:Query'], partitionKeys: 'PERSON#*', index: DOCUMENTS_BY_TIME_INDEX }, roleReads],
      objects: [],
    },
    memoryMb: 512,
    timeoutSeconds: 30,
  },
  {
    id: 'GetFileDocument',
    method: 'GET',
    path: '/api/v1/people/{personId}/fileDocuments/{documentId}',
    handler: 'functions/get-file-document.handler',
    permission: PERMISSIONS.readFiles,
    response: 'buffered',
    head: false,
    access: {
      objects: [],
      items: [{ actions: ['dynamodb:GetItem'], partitionKeys: 'PERSON#*' }, roleReads],
    },
    memoryMb: 512,
    timeoutSeconds: 30,
  },
  {
    id: 'UpdateFileDocument',
    method: 'PATCH',
    path: '/api/v1/people/{personId}/fileDocuments/{documentId}',
    handler: 'functions/update-file-document.handler',
    permission: PERMISSIONS.addFiles,
    response: 'buffered',
    head: false,
    access: {
      objects: [],
      // PutItem: the change's access event, with the person's data.
      items: [
        { actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'], partitionKeys: 'PERSON#*' },
        roleReads,
      ],
    },
    memoryMb: 512,
    timeoutSeconds: 30,
  },
  {
    id: 'DeleteFileDocument',
    method: 'DELETE',
    path: '/api/v1/people/{personId}/fileDocuments/{documentId}',
    handler: 'functions/delete-file-document.handler',
    permission: PERMISSIONS.deleteFiles,
    response: 'buffered',
    head: false,
    access: {
      objects: [{ actions: ['s3:DeleteObjectVersion'], prefix: 'people/' }],
      // PutItem: the deletion's access event, with the person's data.
      items: [
        { actions: ['dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem'], partitionKeys: 'PERSON#*' },
        roleReads,
      ],
      versionListing: ['people/'],
    },
    memoryMb: 512,
    timeoutSeconds: 30,
  },
  {
    id: 'EraseFileDocuments',
    method: 'DELETE',
    path: '/api/v1/people/{personId}/fileDocuments',
    handler: 'functions/erase-file-documents.handler',
    permission: PERMISSIONS.deleteFiles,
    response: 'buffered',
    head: false,
    access: {
      // Documents' bytes under people/, and the staged bytes of the person's pending upload sessions.
      objects: [
        { actions: ['s3:DeleteObjectVersion'], prefix: 'people/' },
        { actions: ['s3:DeleteObjectVersion'], prefix: 'uploads/' },
      ],
      // Query: the person's items; GetItem: whether bytes no listed item named belong to a newer upload;
      // PutItem: the erasure's access event.
      items: [
        {
          actions: ['dynamodb:Query', 'dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem'],
          partitionKeys: 'PERSON#*',
        },
        roleReads,
      ],
      versionListing: ['people/', 'uploads/'],
    },
    memoryMb: 1024,
    // API Gateway cuts a buffered answer at 29 s: the erasure stops well before (ERASURE_BUDGET_MS), with a 202.
    timeoutSeconds: 30,
  },
] as const satisfies readonly Route[];

export type RouteId = (typeof routes)[number]['id'];

export function routeById(id: RouteId): Route {
  const route = routes.find((candidate) => candidate.id === id);
  if (route === undefined) throw new Error(`no route ${id}`);
  return route;
}

/** The `{name}` parameters of a path template, as a union of their names. */
type ParameterNames<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParameterNames<Rest>
  : never;

/** The parameters a route's path takes. */
export type PathParameters<Id extends RouteId> = Record<
  ParameterNames<Extract<(typeof routes)[number], { id: Id }>['path']>,
  string
>;

/**
 * A route's path from the API root with its parameters filled in, each percent-encoded as one segment:
 * `pathOf('DownloadFileDocument', { personId, documentId })`. Links and messages that name a route are
 * built with it, so a route's path changes in this table alone.
 */
export function pathOf<Id extends RouteId>(
  id: Id,
  ...[parameters]: keyof PathParameters<Id> extends never ? [] : [PathParameters<Id>]
): string {
  const values: Readonly<Record<string, string>> = parameters ?? {};
  return routeById(id).path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = Object.hasOwn(values, name) ? values[name] : undefined;
    if (value === undefined) throw new Error(`${id} needs a value for {${name}}`);
    return encodeURIComponent(value);
  });
}

/** A function run on a schedule instead of by a request. */
export interface Job {
  readonly id: string;
  readonly handler: string;
  /** An EventBridge schedule expression. */
  readonly schedule: `rate(${string})` | `cron(${string})`;
  readonly access: StorageAccess;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
}

export const jobs = [
  {
    // Bytes of an upload whose function stopped between storing and recording it: never visible, but
    // personal data no document points to. The local server sweeps the same on its own.
    id: 'SweepOrphanDocuments',
    handler: 'functions/sweep-orphan-documents.handler',
    schedule: 'rate(1 day)',
    access: {
      objects: [{ actions: ['s3:DeleteObject'], prefix: 'people/' }],
      items: [{ actions: ['dynamodb:GetItem'], partitionKeys: 'PERSON#*' }],
      listing: ['people/'],
    },
    memoryMb: 512,
    timeoutSeconds: 900,
  },
] as const satisfies readonly Job[];

/**
 * The operator's paths on the local and on-prem server's embedded stores, under an identity of their
 * own: the CLI's writes (photos, roles), the sample photo, the role reads of the server's token precheck,
 * and the server's sweeps of expired upload sessions and of document bytes no document points to. In the cloud, operators use their own AWS
 * credentials and the cloud's TTL, lifecycle rule and scheduled job do the sweeping.
 */
export const operator = {
  id: 'Operator',
  access: {
    objects: [
      { actions: ['s3:GetObject', 's3:PutObject'], prefix: 'faces/' },
      { actions: ['s3:DeleteObject'], prefix: 'uploads/' },
      { actions: ['s3:DeleteObject'], prefix: 'people/' },
    ],
    items: [
      { actions: ['dynamodb:GetItem', 'dynamodb:DeleteItem'], partitionKeys: 'PERSON#*' },
      { actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query'], partitionKeys: 'ROLE' },
      // identities audit: a person's and a face's trail.
      { actions: ['dynamodb:Query'], partitionKeys: 'PERSON#*' },
      { actions: ['dynamodb:Query'], partitionKeys: 'FACE#*' },
    ],
    listing: ['faces/*/enrollment.jpg', 'uploads/', 'people/'],
    scans: true,
  },
} as const satisfies { readonly id: string; readonly access: StorageAccess };
