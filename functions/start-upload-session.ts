import {
  handlerDepsFromEnv,
  makeRoleStore,
  makeUploadSessionStore,
  tableFromEnv,
  uploadTargetsFromEnv,
} from '@identities/aws';
import {
  bufferedHandler,
  documentDataPath,
  type HandlerDeps,
  makeStartUploadSession,
  parseStartSession,
  relativeReference,
  routeById,
  type UploadSessionStore,
  type UploadTargets,
} from '@identities/core';

// POST /api/v1/people/fileDocuments/uploadSessions: Add Identity Files. 201 with a presigned upload form.
export function makeHandler(deps: HandlerDeps & { sessions: UploadSessionStore; targets: UploadTargets }) {
  const start = makeStartUploadSession(deps);
  const route = routeById('StartUploadSession');
  return bufferedHandler(route, deps, async (request, principal) => {
    const { session, upload } = await start(
      parseStartSession(request.headers['content-type'], request.body()),
      principal.subject,
    );
    const completePath = `${route.path}/${encodeURIComponent(session.documentId)}/complete`;
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
        Location: relativeReference(route.path, documentDataPath(session.personId, session.documentId)),
      },
      body: JSON.stringify(body),
    };
  });
}

const env = process.env;
const table = tableFromEnv(env);

export const handler = makeHandler({
  ...handlerDepsFromEnv(env, makeRoleStore(table.client, table.name)),
  sessions: makeUploadSessionStore(table.client, table.name),
  targets: uploadTargetsFromEnv(env),
});
