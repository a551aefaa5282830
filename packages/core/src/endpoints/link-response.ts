import type { HttpResponse } from '../http-types.ts';
import type { DownloadLink } from '../ports.ts';

/** 201 with `{"url", "expiresAt"}`. The URL is a bearer capability: never cached, never logged. */
export function linkResponse(link: DownloadLink): HttpResponse {
  return {
    statusCode: 201,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' },
    body: JSON.stringify({ url: link.url, expiresAt: link.expiresAt.toISOString() }),
  };
}
