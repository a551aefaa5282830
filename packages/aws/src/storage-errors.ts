import { BadGatewayError, GatewayTimeoutError, HttpError, ServiceUnavailableError } from '@identities/core';

/** Throttling, and services saying they are unavailable: the client should retry after a pause. */
const THROTTLED = new Set([
  'ThrottlingException',
  'ProvisionedThroughputExceededException',
  'RequestLimitExceeded',
  'SlowDown',
  'ServiceUnavailable',
  'ServiceUnavailableException',
  'TooManyRequestsException',
]);
const TIMED_OUT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException']);
const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const TIMEOUT_CODES = new Set(['ETIMEDOUT', 'ESOCKETTIMEDOUT']);

/** S3's and DynamoDB's refusals of a caller their policies do not allow. */
const DENIED = new Set(['AccessDenied', 'AccessDeniedException']);

/**
 * The store refused the function: its IAM policy does not allow the request. A misconfiguration, never
 * the client's fault, so a 500 like any other error of ours, and never taken for a missing key: S3
 * answers a read of a missing key with this unless the function may list it, and the route table grants
 * that listing where a route answers 404.
 */
export class StorageAccessDeniedError extends Error {
  override name = 'StorageAccessDeniedError';
}

/**
 * What a storage failure means to the client, once the SDK's own bounded retries are spent:
 * throttling or an unreachable service is 503 with Retry-After, a timeout 504, any other failure of
 * the service 502. Errors of our own making (a bug) stay as they are and become a 500.
 */
export function translateStorageError(error: unknown, what: string): unknown {
  if (!(error instanceof Error) || error instanceof HttpError) return error;
  const code = (error as { code?: unknown }).code;
  const meta = error as {
    $retryable?: { throttling?: boolean };
    $metadata?: { httpStatusCode?: number };
    $fault?: string;
  };
  const status = meta.$metadata?.httpStatusCode;
  // A HEAD's 403 has no body, so no error code (the SDK calls it Unknown): its status is all there is.
  if (DENIED.has(error.name) || (status === 403 && error.name === 'Unknown')) {
    return new StorageAccessDeniedError(`${what} denied the request: the function's policy does not allow it.`, {
      cause: error,
    });
  }
  if (THROTTLED.has(error.name) || meta.$retryable?.throttling === true || status === 503 || status === 429) {
    return new ServiceUnavailableError(`${what} is unavailable or throttling.`, { cause: error, retryAfterSeconds: 2 });
  }
  if (typeof code === 'string' && UNREACHABLE_CODES.has(code)) {
    return new ServiceUnavailableError(`${what} cannot be reached.`, { cause: error, retryAfterSeconds: 5 });
  }
  if (TIMED_OUT.has(error.name) || (typeof code === 'string' && TIMEOUT_CODES.has(code))) {
    return new GatewayTimeoutError(`${what} did not answer in time.`, { cause: error });
  }
  if (
    meta.$fault === 'server' ||
    (status !== undefined && status >= 500) ||
    code === 'ECONNRESET' ||
    code === 'EPIPE'
  ) {
    return new BadGatewayError(`${what} failed.`, { cause: error });
  }
  return error;
}

/** What kind of storage failure a translated error is: what the on-prem server's metrics count. */
export type StorageErrorKind = 'throttle' | 'unreachable' | 'timeout' | 'failure' | 'denied';

/** The kind of a storage failure as `translateStorageError` made it, or undefined for any other error. */
export function storageErrorKind(translated: unknown, original: unknown): StorageErrorKind | undefined {
  if (translated === original) return undefined;
  if (translated instanceof StorageAccessDeniedError) return 'denied';
  if (translated instanceof GatewayTimeoutError) return 'timeout';
  if (translated instanceof BadGatewayError) return 'failure';
  if (translated instanceof ServiceUnavailableError) {
    const code = (original as { code?: unknown }).code;
    return typeof code === 'string' && UNREACHABLE_CODES.has(code) ? 'unreachable' : 'throttle';
  }
  return undefined;
}

const storageErrorObservers = new Set<(kind: StorageErrorKind) => void>();

/**
 * Tells `observer` the kind of every storage failure any client of this process translates (the
 * on-prem server's metrics); returns the function that stops it. Nothing observes in a function.
 */
export function observeStorageErrors(observer: (kind: StorageErrorKind) => void): () => void {
  storageErrorObservers.add(observer);
  return () => storageErrorObservers.delete(observer);
}

/**
 * Makes every call of an SDK client fail with the API's storage errors (`translateStorageError`), after
 * the SDK's own retries: one middleware on the client, so no adapter method can forget it. Errors a
 * caller decides on (a missing key, a failed condition) pass through as they are.
 */
export function translateErrorsOf(
  client: { middlewareStack: { add(middleware: unknown, options: { step: 'initialize'; name: string }): void } },
  what: string,
): void {
  client.middlewareStack.add(
    (next: (args: unknown) => Promise<unknown>) => async (args: unknown) => {
      try {
        return await next(args);
      } catch (error) {
        const translated = translateStorageError(error, what);
        const kind = storageErrorKind(translated, error);
        if (kind !== undefined) for (const observer of storageErrorObservers) observer(kind);
        throw translated;
      }
    },
    { step: 'initialize', name: 'translateStorageErrors' },
  );
}

/**
 * Bounds for every storage client: three attempts with the SDK's backoff, a connection that must open
 * quickly, and a socket that may not sit idle for long (a stalled read fails instead of hanging the
 * function until its own timeout).
 */
export interface StorageClientLimits {
  readonly maxAttempts: number;
  readonly connectionTimeoutMs: number;
  readonly requestTimeoutMs: number;
}

export const STORAGE_CLIENT_LIMITS: StorageClientLimits = {
  maxAttempts: 3,
  connectionTimeoutMs: 3_000,
  requestTimeoutMs: 20_000,
};

/**
 * What every storage client is made with: its region, the key given for stores of our own (the
 * embedded ones; otherwise the SDK's default chain), and the bounds above.
 */
export function storageClientConfig(
  settings: { readonly region: string; readonly credentials?: { accessKeyId: string; secretAccessKey: string } },
  limits: StorageClientLimits,
) {
  return {
    region: settings.region,
    ...(settings.credentials === undefined ? {} : { credentials: settings.credentials }),
    maxAttempts: limits.maxAttempts,
    requestHandler: {
      connectionTimeout: limits.connectionTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      // Without this the SDK only warns when a request goes quiet, and the function waits on.
      throwOnRequestTimeout: true,
    },
  };
}
