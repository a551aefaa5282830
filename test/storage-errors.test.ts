import { createServer } from 'node:net';
import {
  makeDocumentStore,
  makeDynamoClient,
  makeObjectStore,
  makeRoleStore,
  makeS3Client,
  makeUploadSessionStore,
} from '@identities/aws';
import { ServiceUnavailableError } from '@identities/core';
import { describe, expect, it } from 'vitest';

/** A loopback port nothing listens on: every connection is refused at once. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const limits = { maxAttempts: 1, connectionTimeoutMs: 1000, requestTimeoutMs: 2000 };
const credentials = { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' };

describe('every storage call', () => {
  it('fails with the API storage error, whichever adapter method made it', async () => {
    const endpoint = `http://127.0.0.1:${await closedPort()}`;
    const s3 = makeS3Client({ region: 'us-east-1', endpoint, credentials }, limits);
    const dynamo = makeDynamoClient({ region: 'us-east-1', endpoint, credentials }, limits);
    try {
      const objects = makeObjectStore(s3, 'bucket');
      const roles = makeRoleStore(dynamo, 'table');
      const sessions = makeUploadSessionStore(dynamo, 'table');
      const documents = makeDocumentStore(dynamo, 'table');
      const calls: [string, () => Promise<unknown>][] = [
        ['objects.get', () => objects.get('k')],
        ['objects.head', () => objects.head('k')],
        [
          'objects.put',
          () => objects.put('k', Buffer.from('x'), { contentType: 'text/plain', sha256: new Uint8Array(32) }),
        ],
        ['objects.copy', () => objects.copy('a', 'b', { contentType: 'text/plain' })],
        ['objects.delete', () => objects.delete('k')],
        ['objects.listOlderThan', () => objects.listOlderThan('people/', new Date())],
        ['documents.get', () => documents.get('p', 'd')],
        ['sessions.find', () => sessions.find('p', 'd')],
        ['sessions.expired', () => sessions.expired(new Date())],
        ['roles.permissionsOf', () => roles.permissionsOf('r')],
        ['roles.put', () => roles.put({ name: 'r', permissions: ['x'] })],
        ['roles.list', () => roles.list()],
      ];
      for (const [name, call] of calls) {
        const failure = await call().then(
          () => undefined,
          (error: unknown) => error,
        );
        expect(failure, name).toBeInstanceOf(ServiceUnavailableError);
      }
    } finally {
      s3.destroy();
      dynamo.destroy();
    }
  });
});
