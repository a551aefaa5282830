import { MAX_DESCRIPTION_LENGTH, MAX_NAME_LENGTH, requireWellFormed } from './document-fields.ts';
import { metadataEtag } from './document-metadata.ts';
import { DocumentNotFoundError } from './documents.ts';
import { BadRequestError, PreconditionFailedError, PreconditionRequiredError } from './errors.ts';
import type { PageRequest } from './pages.ts';
import type { DocumentCatalog, DocumentRecord, DocumentStore } from './ports.ts';

/** A person's documents, a page at a time, newest first. An unknown person has an empty list. */
export function makeListDocuments(deps: { readonly catalog: DocumentCatalog }) {
  return (personId: string, page: PageRequest) => deps.catalog.list(personId, page);
}

/** One document's metadata; `DocumentNotFoundError` when the person has no such document. */
export function makeDescribeDocument(deps: { readonly documents: DocumentStore }) {
  return async (personId: string, documentId: string): Promise<DocumentRecord> => {
    const record = await deps.documents.get(personId, documentId);
    if (record === undefined) throw new DocumentNotFoundError();
    return record;
  };
}

/** A merge patch (RFC 7396) of a document's metadata, checked: only the name and the description change. */
export interface DocumentPatch {
  readonly name?: string;
  /** null removes the description. */
  readonly description?: string | null;
}

/**
 * The members of a merge patch, under the upload's rules for the same fields (document-fields.ts): a
 * name is required and not blank, at most 256 characters; a description at most 2,048, blank or null
 * removing it. Any other member is a 400 naming it, read-only or unknown alike.
 */
export function checkDocumentPatch(patch: unknown): DocumentPatch {
  if (typeof patch !== 'object' || patch === null || Array.isArray(patch)) {
    throw new BadRequestError('The merge patch must be a JSON object.');
  }
  const members = patch as Record<string, unknown>;
  const others = Object.keys(members).filter((name) => name !== 'name' && name !== 'description');
  if (others.length > 0) {
    throw new BadRequestError(`Only name and description can be changed, not ${others.slice(0, 5).join(', ')}.`);
  }
  const result: { name?: string; description?: string | null } = {};
  if (Object.hasOwn(members, 'name')) {
    const name = members.name;
    if (typeof name !== 'string') throw new BadRequestError('name must be a string; it cannot be removed.');
    requireWellFormed(name, 'name');
    const trimmed = name.trim();
    if (trimmed === '') throw new BadRequestError('name must not be blank.');
    if ([...trimmed].length > MAX_NAME_LENGTH) {
      throw new BadRequestError(`name must be at most ${MAX_NAME_LENGTH} characters.`);
    }
    result.name = trimmed;
  }
  if (Object.hasOwn(members, 'description')) {
    const description = members.description;
    if (description !== null && typeof description !== 'string') {
      throw new BadRequestError('description must be a string, or null to remove it.');
    }
    if (typeof description === 'string') requireWellFormed(description, 'description');
    const trimmed = description?.trim() || null;
    if (trimmed !== null && [...trimmed].length > MAX_DESCRIPTION_LENGTH) {
      throw new BadRequestError(`description must be at most ${MAX_DESCRIPTION_LENGTH} characters.`);
    }
    result.description = trimmed;
  }
  return result;
}

/** Whether an `If-Match` value (RFC 9110 §13.1.1) matches the current tag: `*`, or a list with it, compared strongly. */
export function ifMatchHolds(header: string, etag: string): boolean {
  if (header.trim() === '*') return true;
  return header
    .split(',')
    .map((tag) => tag.trim())
    .some((tag) => !tag.startsWith('W/') && tag === etag);
}

/** What a metadata change did: the document as it is now, and whether anything changed. */
export interface DocumentUpdate {
  readonly before: DocumentRecord;
  readonly record: DocumentRecord;
  readonly changed: boolean;
}

/**
 * Changes a document's name or description. The caller must say which version it changes (`If-Match`
 * with the metadata's ETag; 428 without, 412 when it no longer holds), and the write is conditional on
 * that version, so of two changes made from one read exactly one applies and nothing is half-written.
 */
export function makeUpdateDocument(deps: {
  readonly documents: DocumentStore;
  readonly catalog: DocumentCatalog;
  readonly clock?: () => Date;
}) {
  const clock = deps.clock ?? (() => new Date());
  return async (
    target: { readonly personId: string; readonly documentId: string },
    ifMatch: string | undefined,
    patch: DocumentPatch,
    subject: string,
    /** Runs once the document is found and the If-Match holds, before it changes (the access trail's event). */
    beforeChange: () => Promise<void> = async () => {},
  ): Promise<DocumentUpdate> => {
    if (ifMatch === undefined) {
      throw new PreconditionRequiredError(
        "Send If-Match with the document's ETag (from GET), or * to change any version.",
      );
    }
    const before = await deps.documents.get(target.personId, target.documentId);
    if (before === undefined) throw new DocumentNotFoundError();
    if (!ifMatchHolds(ifMatch, metadataEtag(before))) {
      throw new PreconditionFailedError('The document changed since that ETag was read; read it again.');
    }
    await beforeChange();
    const name = patch.name ?? before.name;
    const description = patch.description === undefined ? before.description : (patch.description ?? undefined);
    if (name === before.name && description === before.description) return { before, record: before, changed: false };
    const updated = await deps.catalog.update(before, {
      name,
      description,
      updatedAt: clock().toISOString(),
      updatedBy: subject,
    });
    if (updated === undefined) {
      // Changed or deleted between the read and the write: say which.
      if ((await deps.documents.get(target.personId, target.documentId)) === undefined) {
        throw new DocumentNotFoundError();
      }
      throw new PreconditionFailedError('The document changed while this change was made; read it again.');
    }
    return { before, record: updated, changed: true };
  };
}
