import { DocumentNotFoundError } from './documents.ts';
import type { LinkCommand } from './link-requests.ts';
import type { Logger } from './log.ts';
import { PhotoNotFoundError } from './photos.ts';
import type {
  DocumentRecord,
  DocumentStore,
  DownloadLink,
  DownloadLinks,
  LinkResponseHeaders,
  ObjectStore,
} from './ports.ts';

/** Who asked for a link, for what, until when: what issuing one records (never the URL itself). */
export interface LinkIssued {
  readonly subject: string;
  readonly object:
    | { readonly kind: 'document'; readonly personId: string; readonly documentId: string }
    | { readonly kind: 'enrollment-photo'; readonly faceId: string }
    | { readonly kind: 'detection-photo'; readonly faceId: string; readonly detectionId: string };
  readonly expiresAt: Date;
}

export interface LinkDeps {
  readonly links: DownloadLinks;
  readonly logger: Logger;
}

/**
 * Issuing a link hands out a bearer capability: its one record. Logged without the URL, whose query is
 * the capability itself; an audit trail's entry for the event belongs here too, and nowhere else.
 */
function recordLinkIssued(logger: Logger, event: LinkIssued): void {
  logger.log('info', 'download link issued', {
    subject: event.subject.slice(0, 128),
    ...event.object,
    expiresAt: event.expiresAt.toISOString(),
  });
}

/**
 * A link to a person's document: its record names the object, which is written once per upload under a
 * key of its own, so the key alone pins the bytes. `DocumentNotFoundError` when there is no such
 * document (or it is another person's): no link to nothing. The ids must have passed `parseGuid` and
 * `isSafeId`.
 */
export function makeDocumentLink(
  deps: LinkDeps & {
    readonly documents: DocumentStore;
    readonly headersOf: (record: DocumentRecord) => LinkResponseHeaders;
  },
) {
  return async (personId: string, documentId: string, command: LinkCommand, subject: string): Promise<DownloadLink> => {
    const record = await deps.documents.get(personId, documentId);
    if (record === undefined) throw new DocumentNotFoundError();
    const link = await deps.links.presignGet(record.objectKey, {
      expiresInSeconds: command.expiresInSeconds,
      headers: deps.headersOf(record),
    });
    recordLinkIssued(deps.logger, {
      subject,
      object: { kind: 'document', personId, documentId },
      expiresAt: link.expiresAt,
    });
    return link;
  };
}

/**
 * A link to a face photo. Photos keep one key each and may be replaced, so the link names the version
 * storage reports for it now (a versioned bucket): a photo replaced meanwhile is not what it serves.
 * `PhotoNotFoundError` when there is no photo under the key. The key must come from `keys.ts`.
 */
export function makePhotoLink(
  deps: LinkDeps & { readonly objects: ObjectStore; readonly headers: LinkResponseHeaders },
) {
  return async (
    key: string,
    object: Extract<LinkIssued['object'], { kind: 'enrollment-photo' | 'detection-photo' }>,
    command: LinkCommand,
    subject: string,
  ): Promise<DownloadLink> => {
    const info = await deps.objects.head(key);
    if (info === undefined) throw new PhotoNotFoundError();
    // `null` is the version of an object written before its bucket kept versions: it names no version
    // of its own to pin, and the link reads the key as it is.
    const versionId = info.versionId === 'null' ? undefined : info.versionId;
    const link = await deps.links.presignGet(key, {
      expiresInSeconds: command.expiresInSeconds,
      versionId,
      headers: deps.headers,
    });
    recordLinkIssued(deps.logger, { subject, object, expiresAt: link.expiresAt });
    return link;
  };
}
