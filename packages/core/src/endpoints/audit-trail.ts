import { makeReadAuditTrail } from '../audit.ts';
import { NotFoundError } from '../errors.ts';
import { parseGuid } from '../ids.ts';
import { bufferedHandler, type HandlerDeps } from '../lambda-adapter.ts';
import { pageResponse, readPageRequest } from '../pages.ts';
import type { AuditTrail } from '../ports.ts';
import { routeById } from '../routes.ts';

/**
 * GET /api/v1/people/{personId}/auditTrail: Read Identity Files. 200 with a page of the person's file
 * events, newest first (`{ items, nextCursor }`, `Link: rel="next"`); an empty page for a person with
 * none. A person id that is not a GUID is a 404 that never reaches storage; a cursor not issued for
 * this person's trail is a 400. The trail is read only: no route writes or deletes its events.
 */
export function makeAuditTrailHandler(deps: HandlerDeps & { readonly trail: AuditTrail }) {
  const read = makeReadAuditTrail(deps);
  const route = routeById('AuditTrail');
  return bufferedHandler(route, deps, async (request) => {
    const personId = parseGuid(request.pathParameters.personId);
    if (personId === undefined) throw new NotFoundError('No such person.');
    const scope = `audit:${personId}`;
    const page = readPageRequest(request, scope);
    return pageResponse(await read(personId, page), { scope, limit: page.limit, routePath: route.path });
  });
}
