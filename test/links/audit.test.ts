import {
  authenticatorFromEnv,
  downloadLinksOf,
  dynamoSettings,
  makeAuditStore,
  makeDocumentStore,
  makeDynamoClient,
  readSettings,
} from '@identities/aws';
import {
  type AuditEvent,
  type AuditTrail,
  makeAuditRecorder,
  makeFileDocumentLinkHandler,
  makeLogger,
} from '@identities/core';
import { describe, expect, inject, it } from 'vitest';
import { Faults } from '../support/faults.ts';
import { functionOf, uploadFileDocument } from '../support/functions.ts';
import { apiEvent, invoke } from '../support/lambda.ts';
import { uploadEvent } from '../support/multipart.ts';
import { auditTrail, newPersonId } from '../support/storage.ts';
import { bearer, bothPermissions } from '../support/tokens.ts';

/** Issuing a document's download link is an access of its own: recorded first, or no link is issued. */

const documentLink = functionOf('FileDocumentLink');
const linkPath = (personId: string, documentId: string) =>
  `/api/v1/people/${personId}/fileDocuments/${documentId}/links`;

async function upload(personId: string, documentId: string) {
  const event = uploadEvent(
    [
      { name: 'personId', value: personId },
      { name: 'name', value: 'ID card' },
      { name: 'publicId', value: documentId },
      { name: 'file', filename: 'card.pdf', contentType: 'application/pdf', data: Buffer.from('%PDF-1.7 card') },
    ],
    await bothPermissions(),
  );
  expect((await invoke(uploadFileDocument, event)).statusCode).toBe(200);
}

const post = async (handler: typeof documentLink, path: string, body?: string) =>
  invoke(
    handler,
    apiEvent({
      method: 'POST',
      path,
      headers: { ...bearer(await bothPermissions()), 'User-Agent': 'link-test/1', 'Content-Type': 'application/json' },
      ...(body === undefined ? {} : { body: Buffer.from(body) }),
    }),
  );

async function eventsOf(personId: string): Promise<AuditEvent[]> {
  return [...(await auditTrail.list({ personId }, { limit: 100, after: undefined })).items];
}

describe('issuing a download link', () => {
  it('records who asked for which document and until when, and a request for a missing one', async () => {
    const personId = newPersonId();
    await upload(personId, 'doc-1');
    const issued = await post(documentLink, linkPath(personId, 'doc-1'), '{"expiresIn":120}');
    expect(issued.statusCode).toBe(201);
    const { expiresAt } = issued.json() as { expiresAt: string };
    expect((await post(documentLink, linkPath(personId, 'doc-2'))).statusCode).toBe(404);
    const events = (await eventsOf(personId)).filter((event) => event.action === 'document.link');
    expect(events.map((event) => [event.documentId, event.status])).toEqual([
      ['doc-2', 404],
      ['doc-1', 201],
    ]);
    const [, link] = events;
    expect(link).toMatchObject({ method: 'POST', bytesSent: 0, userAgent: 'link-test/1', linkExpiresAt: expiresAt });
    expect(link?.subject).toBeTruthy();
    // The URL itself, the capability, is never kept.
    expect(JSON.stringify(events)).not.toContain('X-Amz-Signature');
  });

  it('issues no link when the trail cannot be written (503)', async () => {
    const personId = newPersonId();
    await upload(personId, 'doc-1');
    const settings = readSettings(process.env);
    const credentials = inject('principalKeys').FileDocumentLink;
    const client = makeDynamoClient({ ...dynamoSettings(process.env), credentials });
    const storage = { ...settings.storage, credentials };
    const faults = new Faults().fail('trail.append', 'throttle');
    const inner = makeAuditStore(client, settings.storage.table ?? '');
    const failing: AuditTrail = {
      append: async (event, expiresAt) => {
        faults.check('trail.append', 'The metadata table');
        await inner.append(event, expiresAt);
      },
      list: (of, page) => inner.list(of, page),
    };
    const logger = makeLogger('silent');
    const handler = makeFileDocumentLinkHandler({
      auth: authenticatorFromEnv(process.env),
      logger,
      documents: makeDocumentStore(client, settings.storage.table ?? ''),
      links: downloadLinksOf(storage),
      audit: makeAuditRecorder({ trail: failing, retentionDays: 400, logger }),
    });
    const refused = await post(handler, linkPath(personId, 'doc-1'));
    expect(refused.statusCode).toBe(503);
    expect(refused.body.toString()).not.toContain('http');
    expect((await eventsOf(personId)).some((event) => event.action === 'document.link')).toBe(false);
  });
});
