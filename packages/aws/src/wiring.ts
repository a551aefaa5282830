import {
  type AuditRecorder,
  type LogLevel,
  makeAuditTrailHandler,
  makeCompleteUploadSessionHandler,
  makeDeleteDetectionPhotoHandler,
  makeDeleteEnrollmentPhotoHandler,
  makeDeleteFileDocumentHandler,
  makeDetectionPhotoHandler,
  makeDetectionPhotoLinkHandler,
  makeDownloadFileDocumentHandler,
  makeEnrollmentPhotoHandler,
  makeEnrollmentPhotoLinkHandler,
  makeEraseFileDocumentsHandler,
  makeFileDocumentLinkHandler,
  makeGetFileDocumentHandler,
  makeListFileDocumentsHandler,
  makeLogger,
  makeStartUploadSessionHandler,
  makeSweepOrphanDocumentsHandler,
  makeUpdateFileDocumentHandler,
  makeUploadFileDocumentHandler,
} from '@identities/core';
import { makeAuditStore } from './audit-store.ts';
import { auditOf } from './audit-wiring.ts';
import { makeDocumentCatalog, makeDocumentStore } from './document-store.ts';
import { tableOf } from './dynamo-client.ts';
import { handlerDepsOf } from './handler-deps.ts';
import { makeRoleStore } from './role-store.ts';
import { downloadLinksOf, objectEraserOf, objectStoreOf, uploadTargetsOf } from './s3.ts';
import type { Settings, StorageSettings } from './settings.ts';
import { makeUploadSessionStore } from './upload-session-store.ts';

/*
 * Each route's handler, wired from settings given as a value. A function module calls one of these once,
 * at cold start, with the settings of its environment (`readSettings(process.env)`); the local and
 * on-prem server calls them with the settings it builds from its own options. One function per route,
 * not a table of them, so that each function's bundle holds only its own route's code.
 */

/**
 * A photo function records its downloads only when the settings say so, and makes no table client
 * otherwise. (Its bundle carries the DynamoDB client either way: bundles are per route, settings per
 * stage, and a dynamic import would wrap the whole domain package into it.)
 */
function photoAuditOf(settings: Settings): AuditRecorder | undefined {
  return settings.audit?.photoDownloads === true ? auditOf(settings) : undefined;
}

export function enrollmentPhotoHandler(settings: Settings) {
  return makeEnrollmentPhotoHandler({
    ...handlerDepsOf(settings),
    objects: objectStoreOf(settings.storage),
    audit: photoAuditOf(settings),
  });
}

export function detectionPhotoHandler(settings: Settings) {
  return makeDetectionPhotoHandler({
    ...handlerDepsOf(settings),
    objects: objectStoreOf(settings.storage),
    audit: photoAuditOf(settings),
  });
}

export function uploadFileDocumentHandler(settings: Settings) {
  const table = tableOf(settings.storage);
  return makeUploadFileDocumentHandler({
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    objects: objectStoreOf(settings.storage),
    documents: makeDocumentStore(table.client, table.name),
    audit: auditOf(settings, table),
  });
}

export function downloadFileDocumentHandler(settings: Settings) {
  const table = tableOf(settings.storage);
  return makeDownloadFileDocumentHandler({
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    objects: objectStoreOf(settings.storage),
    documents: makeDocumentStore(table.client, table.name),
    audit: auditOf(settings, table),
  });
}

export function startUploadSessionHandler(settings: Settings) {
  const table = tableOf(settings.storage);
  return makeStartUploadSessionHandler({
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    sessions: makeUploadSessionStore(table.client, table.name),
    targets: uploadTargetsOf(settings.storage),
  });
}

export function completeUploadSessionHandler(settings: Settings) {
  const table = tableOf(settings.storage);
  return makeCompleteUploadSessionHandler({
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    sessions: makeUploadSessionStore(table.client, table.name),
    objects: objectStoreOf(settings.storage),
    audit: auditOf(settings, table),
  });
}

export function auditTrailHandler(settings: Settings) {
  const table = tableOf(settings.storage);
  return makeAuditTrailHandler({
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    trail: makeAuditStore(table.client, table.name),
  });
}

export function fileDocumentLinkHandler(settings: Settings) {
  const table = tableOf(settings.storage);
  return makeFileDocumentLinkHandler({
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    documents: makeDocumentStore(table.client, table.name),
    links: downloadLinksOf(settings.storage),
    audit: auditOf(settings, table),
  });
}

export function deleteEnrollmentPhotoHandler(settings: Settings) {
  const table = tableOf(settings.storage);
  return makeDeleteEnrollmentPhotoHandler({
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    eraser: objectEraserOf(settings.storage),
    audit: auditOf(settings, table),
  });
}

export function enrollmentPhotoLinkHandler(settings: Settings) {
  return makeEnrollmentPhotoLinkHandler({
    ...handlerDepsOf(settings),
    objects: objectStoreOf(settings.storage),
    links: downloadLinksOf(settings.storage),
  });
}

export function detectionPhotoLinkHandler(settings: Settings) {
  return makeDetectionPhotoLinkHandler({
    ...handlerDepsOf(settings),
    objects: objectStoreOf(settings.storage),
    links: downloadLinksOf(settings.storage),
  });
}

export function deleteDetectionPhotoHandler(settings: Settings) {
  const table = tableOf(settings.storage);
  return makeDeleteDetectionPhotoHandler({
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    eraser: objectEraserOf(settings.storage),
    audit: auditOf(settings, table),
  });
}

export function listFileDocumentsHandler(settings: Settings) {
  const table = tableOf(settings.storage);
  return makeListFileDocumentsHandler({
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    catalog: makeDocumentCatalog(table.client, table.name),
  });
}

export function getFileDocumentHandler(settings: Settings) {
  const table = tableOf(settings.storage);
  return makeGetFileDocumentHandler({
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    documents: makeDocumentStore(table.client, table.name),
  });
}

export function updateFileDocumentHandler(settings: Settings) {
  const table = tableOf(settings.storage);
  return makeUpdateFileDocumentHandler({
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    documents: makeDocumentStore(table.client, table.name),
    catalog: makeDocumentCatalog(table.client, table.name),
    audit: auditOf(settings, table),
  });
}

export function deleteFileDocumentHandler(settings: Settings) {
  const table = tableOf(settings.storage);
  return makeDeleteFileDocumentHandler({
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    documents: makeDocumentStore(table.client, table.name),
    catalog: makeDocumentCatalog(table.client, table.name),
    eraser: objectEraserOf(settings.storage),
    audit: auditOf(settings, table),
  });
}

export function eraseFileDocumentsHandler(settings: Settings) {
  const table = tableOf(settings.storage);
  return makeEraseFileDocumentsHandler({
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    documents: makeDocumentStore(table.client, table.name),
    catalog: makeDocumentCatalog(table.client, table.name),
    sessions: makeUploadSessionStore(table.client, table.name),
    eraser: objectEraserOf(settings.storage),
    audit: auditOf(settings, table),
  });
}

/** The scheduled sweep reads no tokens: storage and a log level are all its settings. */
export function sweepOrphanDocumentsHandler(storage: StorageSettings, logLevel: LogLevel) {
  const table = tableOf(storage);
  return makeSweepOrphanDocumentsHandler({
    objects: objectStoreOf(storage),
    documents: makeDocumentStore(table.client, table.name),
    logger: makeLogger(logLevel),
  });
}
