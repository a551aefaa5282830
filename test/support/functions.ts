import { readSettings, type Settings } from '@identities/aws';
import type { RouteId } from '@identities/core';
import { ROUTE_HANDLERS } from '@identities/local';
import { inject } from 'vitest';

const keys = inject('principalKeys');

/**
 * A route's function as its module makes it (`functions/<route>.ts` is `wiring(readSettings(process.env))`,
 * test/wiring.test.ts holds them together), signing with that function's own key to the stand-ins, as
 * each Lambda signs with its own role's: every request it makes is held to the statements infra/
 * attaches to it. `signingAs` names another principal whose key it signs with instead: a case proving a
 * function's requests are held to the policy of the key that signs them.
 */
export function functionOf(id: RouteId, signingAs: string = id) {
  const settings: Settings = readSettings(process.env);
  const credentials = keys[signingAs];
  if (credentials === undefined) throw new Error(`no key for ${signingAs}`);
  return ROUTE_HANDLERS[id]({ ...settings, storage: { ...settings.storage, credentials } });
}

export const enrollmentPhoto = functionOf('EnrollmentPhoto');
export const detectionPhoto = functionOf('DetectionPhoto');
export const uploadFileDocument = functionOf('UploadFileDocument');
export const downloadFileDocument = functionOf('DownloadFileDocument');
export const startUploadSession = functionOf('StartUploadSession');
export const completeUploadSession = functionOf('CompleteUploadSession');
export const auditTrail = functionOf('AuditTrail');
export const deleteEnrollmentPhoto = functionOf('DeleteEnrollmentPhoto');
export const deleteDetectionPhoto = functionOf('DeleteDetectionPhoto');
export const listFileDocuments = functionOf('ListFileDocuments');
export const getFileDocument = functionOf('GetFileDocument');
export const updateFileDocument = functionOf('UpdateFileDocument');
export const deleteFileDocument = functionOf('DeleteFileDocument');
export const eraseFileDocuments = functionOf('EraseFileDocuments');
