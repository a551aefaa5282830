import {
  integrationTimeoutSeconds,
  MAX_SESSION_FILE_BYTES,
  MAX_STREAMED_BODY_BYTES,
  PLATFORM_LIMITS,
  routeById,
  routes,
} from '@identities/core';
import { describe, expect, it } from 'vitest';

describe('the platform limits', () => {
  it('let the largest document through one streamed response, prelude and margin included', () => {
    expect(MAX_SESSION_FILE_BYTES).toBeLessThanOrEqual(MAX_STREAMED_BODY_BYTES);
    expect(MAX_STREAMED_BODY_BYTES).toBeLessThan(PLATFORM_LIMITS.streamedResponseBytes);
    // 200 MB read as decimal megabytes: below 200 MiB, whichever AWS means.
    expect(PLATFORM_LIMITS.streamedResponseBytes).toBeLessThan(200 * 1024 * 1024);
  });

  it('give the download function time to stream the largest document at the capped rate', () => {
    const { streamedUncappedBytes, streamedBytesPerSecond } = PLATFORM_LIMITS;
    const seconds = (MAX_SESSION_FILE_BYTES - streamedUncappedBytes) / streamedBytesPerSecond;
    const download = routeById('DownloadFileDocument');
    expect(download.timeoutSeconds).toBeGreaterThan(seconds * 1.5);
    expect(integrationTimeoutSeconds(download)).toBe(download.timeoutSeconds);
  });

  it('cut buffered integrations at 29 s and streamed ones at 15 minutes', () => {
    for (const route of routes) {
      const expected = route.response === 'buffered' ? Math.min(route.timeoutSeconds, 29) : route.timeoutSeconds;
      expect(integrationTimeoutSeconds(route), route.id).toBe(expected);
      expect(integrationTimeoutSeconds(route), route.id).toBeLessThanOrEqual(900);
    }
  });
});
