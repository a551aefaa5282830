import { pathOf } from '../routes.ts';

/**
 * A reference to `target` relative to the request path `from` (RFC 3986 §5.2), so a `Location` holds
 * behind any base path (`/identities` in the cloud, none on-prem).
 */
export function relativeReference(from: string, target: string): string {
  const base = from.split('/').slice(0, -1);
  const parts = target.split('/');
  let common = 0;
  while (common < base.length && common < parts.length - 1 && base[common] === parts[common]) common++;
  return `${'../'.repeat(base.length - common)}${parts.slice(common).join('/')}`;
}

/** Where a document's data is downloaded, relative to the request path `from`. */
export function documentLocation(from: string, document: { personId: string; documentId: string }): string {
  const { personId, documentId } = document;
  return relativeReference(from, pathOf('DownloadFileDocument', { personId, documentId }));
}
