import { type AuditRecorder, makeAuditRecorder, makeLogger } from '@identities/core';
import { makeAuditStore } from './audit-store.ts';
import { type DynamoDBDocumentClient, tableOf } from './dynamo-client.ts';
import { DEFAULT_AUDIT_SETTINGS, type Settings } from './settings.ts';

/** The access trail's recorder, writing to the table through `table`, keeping events as the settings say. */
export function auditOf(
  settings: Settings,
  table: { readonly client: DynamoDBDocumentClient; readonly name: string } = tableOf(settings.storage),
): AuditRecorder {
  return makeAuditRecorder({
    trail: makeAuditStore(table.client, table.name),
    retentionDays: (settings.audit ?? DEFAULT_AUDIT_SETTINGS).retentionDays,
    logger: makeLogger(settings.logLevel),
  });
}
