import {
  handlerDepsFromEnv,
  makeRoleStore,
  makeUploadSessionStore,
  objectStoreFromEnv,
  tableFromEnv,
} from '@identities/aws';
import {
  bufferedHandler,
  documentDataPath,
  type HandlerDeps,
  makeCompleteUploadSession,
  type ObjectStore,
  parseCompleteSession,
  relativeReference,
  routeById,
  type UploadSessionStore,
} from '@identities/core';

// POST /api/v1/people/fileDocuments/uploadSessions/{documentId}/complete: Add Identity Files.
export function makeHandler(deps: HandlerDeps & { sessions: UploadSessionStore; objects: ObjectStore }) {
  const complete = makeCompleteUploadSession(deps);
  const route = routeById('CompleteUploadSession');
  return bufferedHandler(route, deps, async (request) => {
    const { personId } = parseCompleteSession(request.headers['content-type'], request.body());
    const record = await complete(personId, request.pathParameters.documentId);
    const requestPath = route.path.replace('{documentId}', encodeURIComponent(record.documentId));
    return {
      statusCode: 200,
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        Location: relativeReference(requestPath, documentDataPath(record.personId, record.documentId)),
      },
      body: JSON.stringify({
        documentId: record.documentId,
        personId: record.personId,
        name: record.name,
        fileName: record.fileName,
        contentType: record.contentType,
        size: record.size,
        sha256: record.sha256,
        createdAt: record.createdAt,
      }),
    };
  });
}

const env = process.env;
const table = tableFromEnv(env);

export const handler = makeHandler({
  ...handlerDepsFromEnv(env, makeRoleStore(table.client, table.name)),
  sessions: makeUploadSessionStore(table.client, table.name),
  objects: objectStoreFromEnv(env),
});
