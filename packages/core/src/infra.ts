/**
 * What the infrastructure needs to know of the domain, and nothing that would pull the request-time
 * code (busboy, jose) into the deploy: the route table, key prefixes, CORS lists and session timing.
 */
export {
  type AccessTargets,
  bucketArn,
  policyFor,
  type Statement,
  type StorageArns,
  statementsFor,
  tableArn,
} from './access-policy.ts';
export { DEFAULT_AUDIT_RETENTION_DAYS, MAX_AUDIT_RETENTION_DAYS } from './audit.ts';
export {
  ALLOWED_METHODS,
  ALLOWED_REQUEST_HEADERS,
  EXPOSED_HEADERS,
  LINK_EXPOSED_HEADERS,
  LINK_REQUEST_HEADERS,
  PREFLIGHT_MAX_AGE_SECONDS,
} from './cors.ts';
export { DOCUMENT_PREFIX, NONCURRENT_VERSION_DAYS, PHOTO_PREFIX, UPLOAD_PREFIX } from './keys.ts';
export {
  integrationTimeoutSeconds,
  MAX_STREAMED_BODY_BYTES,
  PLATFORM_LIMITS,
} from './platform.ts';
export {
  DOCUMENTS_BY_TIME_INDEX,
  type Job,
  jobs,
  operator,
  PERMISSIONS,
  type Permission,
  type Route,
  type RouteId,
  routeById,
  routes,
  type StorageAccess,
} from './routes.ts';
export { HSTS } from './security-headers.ts';
export { ORPHAN_GRACE_SECONDS, PRESIGNED_POST_TTL_SECONDS, SESSION_TTL_SECONDS } from './upload-session-timing.ts';
