import { CREATED_AT_ATTRIBUTE, TTL_ATTRIBUTE } from '@identities/aws/table';
import {
  DOCUMENTS_BY_TIME_INDEX,
  LINK_EXPOSED_HEADERS,
  LINK_REQUEST_HEADERS,
  NONCURRENT_VERSION_DAYS,
  SESSION_TTL_SECONDS,
  UPLOAD_PREFIX,
} from '@identities/core/infra';
import { stage } from './stages.ts';

/**
 * One private bucket for photos and document bytes, one table for document metadata and roles. On a
 * customer stage neither can be deleted by accident: the table has deletion protection, the bucket
 * refuses to be emptied by a removal, and `removal: "retain"` keeps both when the stage is removed.
 */
export const bucket = new sst.aws.Bucket('Files', {
  // Browsers reach the bucket from the web app only, for two things: the presigned uploads of upload
  // sessions (POST), and download links (GET, perhaps ranged, reading the download headers).
  cors:
    stage.webOrigin === undefined
      ? false
      : {
          allowOrigins: [stage.webOrigin],
          allowMethods: ['GET', 'POST'],
          allowHeaders: [...LINK_REQUEST_HEADERS],
          exposeHeaders: [...LINK_EXPOSED_HEADERS],
          maxAge: '600 seconds',
        },
  // A deny on any request without TLS, in the bucket policy.
  enforceHttps: true,
  versioning: true,
  transform: {
    bucket: { forceDestroy: !stage.customer },
    publicAccessBlock: {
      blockPublicAcls: true,
      blockPublicPolicy: true,
      ignorePublicAcls: true,
      restrictPublicBuckets: true,
    },
  },
});

new aws.s3.BucketServerSideEncryptionConfiguration('FilesEncryption', {
  bucket: bucket.name,
  rules: [{ applyServerSideEncryptionByDefault: { sseAlgorithm: 'AES256' }, bucketKeyEnabled: true }],
});

/** Versions replaced or deleted stay recoverable for a while, then go; unfinished uploads are cleaned up. */
new aws.s3.BucketLifecycleConfiguration('FilesLifecycle', {
  bucket: bucket.name,
  rules: [
    {
      id: 'expire-old-versions',
      status: 'Enabled',
      filter: {},
      noncurrentVersionExpiration: {
        noncurrentDays: stage.customer ? NONCURRENT_VERSION_DAYS.customer : NONCURRENT_VERSION_DAYS.other,
      },
      expiration: { expiredObjectDeleteMarker: true },
      abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
    },
    {
      // Upload sessions stage their bytes here until completion copies them under people/; what a
      // session never completed goes after a day (lifecycle's smallest step; sessions last an hour).
      id: 'expire-upload-staging',
      status: 'Enabled',
      filter: { prefix: UPLOAD_PREFIX },
      expiration: { days: Math.max(1, Math.ceil(SESSION_TTL_SECONDS / 86_400)) },
      noncurrentVersionExpiration: { noncurrentDays: NONCURRENT_VERSION_DAYS.staging },
    },
  ],
});

/** The key schema of `tableDefinition` in @identities/aws (a test holds the two together). */
export const table = new sst.aws.Dynamo('Metadata', {
  fields: { pk: 'string', sk: 'string', [CREATED_AT_ATTRIBUTE]: 'string' },
  primaryIndex: { hashKey: 'pk', rangeKey: 'sk' },
  // A person's documents, newest first. A global index, because a local one cannot be added to a table
  // that exists (customer stages have one); DynamoDB fills it from the items already there.
  globalIndexes: { [DOCUMENTS_BY_TIME_INDEX]: { hashKey: 'pk', rangeKey: CREATED_AT_ATTRIBUTE, projection: 'all' } },
  deletionProtection: stage.customer,
  // Upload sessions never completed are removed by DynamoDB itself.
  ttl: TTL_ATTRIBUTE,
  transform: {
    table: { billingMode: 'PAY_PER_REQUEST', pointInTimeRecovery: { enabled: true } },
  },
});
