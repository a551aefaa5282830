import type { Readable } from 'node:stream';
import {
  handlerDepsOf,
  makeAuditStore,
  makeDocumentStore,
  makeRoleStore,
  objectStoreOf,
  readSettings,
  tableOf,
} from '@identities/aws';
import {
  type AuditRecorder,
  makeAuditRecorder,
  makeDownloadFileDocumentHandler,
  makeLogger,
  routeById,
} from '@identities/core';
import { installLocalLambdaRuntime, invokeStreamingHandler } from '@identities/local';
import { apiEvent, lambdaContext, requestHeaders } from '../lib/events.ts';
import { serveWorker } from '../lib/processes.ts';
import { median, round } from '../lib/stats.ts';

/**
 * Figure 9: a warm document download through its handler, recording its access event in the trail
 * (one conditional PutItem beside the S3 read), against the same handler with a recorder that records
 * nothing, in one process, interleaved request by request.
 */
export interface AuditConfig {
  readonly token: string;
  readonly documentPath: string;
  readonly documentBytes: number;
  readonly warmup: number;
  readonly rounds: number;
  readonly pairs: number;
}

export interface AuditResult {
  readonly rounds: readonly { readonly audited: number; readonly unaudited: number }[];
}

async function drain(body: Readable): Promise<number> {
  let bytes = 0;
  for await (const chunk of body) bytes += (chunk as Buffer).length;
  return bytes;
}

serveWorker<AuditConfig, AuditResult>(async (config) => {
  installLocalLambdaRuntime();
  const settings = readSettings(process.env);
  const table = tableOf(settings.storage);
  const deps = {
    ...handlerDepsOf(settings, makeRoleStore(table.client, table.name)),
    objects: objectStoreOf(settings.storage),
    documents: makeDocumentStore(table.client, table.name),
  };
  const recorder = makeAuditRecorder({
    trail: makeAuditStore(table.client, table.name),
    retentionDays: 1,
    logger: makeLogger('silent'),
  });
  const nothing: AuditRecorder = { record: async () => undefined };
  const audited = makeDownloadFileDocumentHandler({ ...deps, audit: recorder });
  const unaudited = makeDownloadFileDocumentHandler({ ...deps, audit: nothing });
  const route = routeById('DownloadFileDocument');
  const headers = requestHeaders(config.token);
  const context = lambdaContext();

  const invoke = async (target: typeof audited): Promise<number> => {
    const event = apiEvent(route, config.documentPath, headers);
    const started = performance.now();
    const invocation = invokeStreamingHandler(target, event, context);
    const response = await invocation.response;
    const bytes = await drain(response.body);
    await invocation.done;
    const elapsed = performance.now() - started;
    if (response.statusCode !== 200 || bytes !== config.documentBytes) {
      throw new Error(`handler answered ${response.statusCode} with ${bytes} bytes`);
    }
    return elapsed;
  };

  for (let i = 0; i < config.warmup; i++) {
    await invoke(audited);
    await invoke(unaudited);
  }
  const rounds: AuditResult['rounds'][number][] = [];
  for (let pass = 0; pass < config.rounds; pass++) {
    const withTrail: number[] = [];
    const without: number[] = [];
    for (let i = 0; i < config.pairs; i++) {
      if (i % 2 === 0) {
        withTrail.push(await invoke(audited));
        without.push(await invoke(unaudited));
      } else {
        without.push(await invoke(unaudited));
        withTrail.push(await invoke(audited));
      }
    }
    rounds.push({ audited: round(median(withTrail), 3), unaudited: round(median(without), 3) });
  }
  return { rounds };
});
