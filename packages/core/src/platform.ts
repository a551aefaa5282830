/**
 * The limits of the platform the functions run on (API Gateway REST APIs with Lambda proxy integrations,
 * and Lambda itself), stated once. The infrastructure sets its integrations from these, the local gateway
 * enforces them so that what would fail in the cloud fails locally first, and the document size limit is
 * derived from them. Where AWS's wording leaves a unit open, the stricter reading is taken.
 */
export const PLATFORM_LIMITS = {
  /** API Gateway's request payload quota: 10 MB. */
  requestBytes: 10 * 1024 * 1024,
  /** Lambda's synchronous invocation payload (the whole event JSON): 6 MB, enforced as 6 MiB. */
  eventBytes: 6 * 1024 * 1024,
  /** Lambda's buffered response payload (the whole proxy result JSON): 6,291,556 bytes in its own error. */
  bufferedResponseBytes: 6 * 1024 * 1024 + 100,
  /** API Gateway cuts a buffered integration at 29 s (without a quota increase). */
  bufferedIntegrationSeconds: 29,
  /** A streamed integration runs at most 15 minutes. */
  streamedIntegrationSeconds: 900,
  /**
   * A streamed Lambda response: "200 MB", prelude included. Read as decimal megabytes, the smaller of
   * the two readings, so a response within it fits whichever AWS means.
   */
  streamedResponseBytes: 200_000_000,
  /** After its first 6 MB, Lambda streams a response at 2 MB/s at most. */
  streamedUncappedBytes: 6 * 1024 * 1024,
  streamedBytesPerSecond: 2 * 1024 * 1024,
} as const;

/**
 * Room left in a streamed response for its prelude (status and headers as JSON, and the 8-byte
 * delimiter): the API's headers take about a kilobyte, this allows a hundred times that.
 */
export const STREAMED_PRELUDE_ALLOWANCE_BYTES = 100 * 1024;

/** The most body bytes one streamed response may carry, prelude allowance deducted. */
export const MAX_STREAMED_BODY_BYTES = PLATFORM_LIMITS.streamedResponseBytes - STREAMED_PRELUDE_ALLOWANCE_BYTES;

/** How long API Gateway waits for a route's integration: the function's timeout, within the platform's. */
export function integrationTimeoutSeconds(route: {
  readonly response: 'stream' | 'buffered';
  readonly timeoutSeconds: number;
}): number {
  const cap =
    route.response === 'stream'
      ? PLATFORM_LIMITS.streamedIntegrationSeconds
      : PLATFORM_LIMITS.bufferedIntegrationSeconds;
  return Math.min(route.timeoutSeconds, cap);
}
