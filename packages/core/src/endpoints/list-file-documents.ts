import { makeListDocuments } from '../document-management.ts';
import { documentMetadata } from '../document-metadata.ts';
import { BadRequestError } from '../errors.ts';
import { parseGuid } from '../ids.ts';
import { bufferedHandler, type HandlerDeps } from '../lambda-adapter.ts';
import { pageResponse, readPageRequest } from '../pages.ts';
import type { DocumentCatalog } from '../ports.ts';
import { routeById } from '../routes.ts';

/** The list's scope in its cursors: a cursor of one person's list is a 400 on another's. */
export const documentsScope = (personId: string) => `documents:${personId}`;

/**
 * GET /api/v1/people/{personId}/fileDocuments: Read Identity Files. 200 with a page of the person's
 * documents' metadata, newest first (`?limit`, `?cursor`); an empty page for a person without any.
 */
export function makeListFileDocumentsHandler(deps: HandlerDeps & { readonly catalog: DocumentCatalog }) {
  const list = makeListDocuments(deps);
  const route = routeById('ListFileDocuments');
  return bufferedHandler(route, deps, async (request) => {
    const personId = parseGuid(request.pathParameters.personId);
    if (personId === undefined) throw new BadRequestError('personId must be a GUID.');
    const scope = documentsScope(personId);
    const page = readPageRequest(request, scope);
    const { items, next } = await list(personId, page);
    return pageResponse(
      { items: items.map(documentMetadata), next },
      { scope, limit: page.limit, routePath: route.path },
    );
  });
}
