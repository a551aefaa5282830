import { bufferedHandler, type HandlerDeps } from '../lambda-adapter.ts';
import type { UploadSessionStore, UploadTargets } from '../ports.ts';
import { pathOf, routeById } from '../routes.ts';
import { parseStartSession } from '../session-requests.ts';
import { makeStartUploadSession } from '../upload-sessions.ts';
import { documentLocation, relativeReference } from './locations.ts';

/** POST /api/v1/people/fileDocuments/uploadSessions: Add Identity Files. 201 with a presigned upload form. */
export function makeStartUploadSessionHandler(
  deps: HandlerDeps & { readonly sessions: UploadSessionStore; readonly targets: UploadTargets },
) {
  const start = makeStartUploadSession(deps);
  const route = routeById('StartUploadSession');
  return bufferedHandler(route, deps, async (request, principal) => {
    const { session, upload } = await start(
      parseStartSession(request.headers['content-type'], request.body()),
      principal.subject,
    );
    const completePath = pathOf('CompleteUploadSession', { documentId: session.documentId });
    const body = {
      documentId: session.documentId,
      expiresAt: session.expiresAt.toISOString(),
      upload: {
        method: 'POST',
        url: upload.url,
        fields: upload.fields,
        fileField: 'file',
        expiresAt: upload.expiresAt.toISOString(),
      },
      complete: {
        method: 'POST',
        url: relativeReference(route.path, completePath),
        body: { personId: session.personId },
      },
    };
    return {
      statusCode: 201,
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        Location: documentLocation(route.path, session),
      },
      body: JSON.stringify(body),
    };
  });
}
