import { ServiceUnavailableError } from '@identities/core';

const UNAVAILABLE = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'InternalError',
  'InternalServerError',
  'TimeoutError',
  'RequestTimeout',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND']);

/**
 * Storage that is throttling or unreachable (after the SDK's own bounded retries) becomes a 503 the
 * client may retry; anything else stays an internal error.
 */
export function translateStorageError(error: unknown, what: string): unknown {
  if (!(error instanceof Error)) return error;
  const code = (error as { code?: unknown }).code;
  const retryable = (error as { $retryable?: { throttling?: boolean } }).$retryable;
  if (UNAVAILABLE.has(error.name) || retryable !== undefined || (typeof code === 'string' && NETWORK_CODES.has(code))) {
    return new ServiceUnavailableError(`${what} is unavailable or throttling.`, { cause: error, retryAfterSeconds: 2 });
  }
  return error;
}
