import { HttpError, ServiceUnavailableError } from './errors.ts';
import type { HttpRequest, Principal } from './http-types.ts';
import { describeError, type Logger } from './log.ts';
import type { AuditEvent, AuditTrail } from './ports.ts';

/**
 * The access trail: one event per access to or change of a person's files (and, when a stage says so,
 * per photo download), recorded before anything is served. Events are personal data themselves (source
 * addresses, user agents): kept for a retention of their own, readable by holders of Read Identity Files
 * through the API and by operators, and never written or deleted through the API.
 */

/** One year and 35 days: a year of accesses, plus time for a yearly review to read the oldest. */
export const DEFAULT_AUDIT_RETENTION_DAYS = 400;
/** The longest retention a setting may ask for (ten years). */
export const MAX_AUDIT_RETENTION_DAYS = 3650;
/** A client's User-Agent is kept to this many characters: enough to tell clients apart, not a payload. */
export const MAX_AUDIT_USER_AGENT_CHARS = 512;
/** A Range header is kept to this many characters; any single range fits. */
export const MAX_AUDIT_RANGE_CHARS = 128;

/** What an endpoint records: an event without its time, which the recorder stamps. */
export type AuditEntry = Omit<AuditEvent, 'time'>;

/** Records events, failing closed: the endpoint serves nothing unless `record` resolved. */
export interface AuditRecorder {
  /** Records the event; `AuditUnavailableError` (503) when the trail cannot be written. */
  record(entry: AuditEntry): Promise<void>;
}

/** The trail could not be written: the request is refused (503) rather than served unrecorded. */
export class AuditUnavailableError extends ServiceUnavailableError {
  constructor(options: { cause?: unknown } = {}) {
    super('The access trail cannot be written; nothing was served.', { ...options, retryAfterSeconds: 2 });
  }
}

/** Records into `trail`, each event kept `retentionDays` (the table's TTL removes it after). */
export function makeAuditRecorder(deps: {
  readonly trail: AuditTrail;
  readonly retentionDays: number;
  readonly logger: Logger;
  readonly clock?: () => Date;
}): AuditRecorder {
  const clock = deps.clock ?? (() => new Date());
  return {
    async record(entry) {
      const now = clock();
      const event: AuditEvent = { time: now.toISOString(), ...entry };
      const expiresAt = new Date(now.getTime() + deps.retentionDays * 86_400_000);
      try {
        await deps.trail.append(event, expiresAt);
      } catch (error) {
        deps.logger.log('error', 'access trail not written', {
          requestId: entry.requestId,
          action: entry.action,
          status: entry.status,
          error: describeError(error),
        });
        throw new AuditUnavailableError({ cause: error });
      }
    },
  };
}

/**
 * The fields every event of a request shares: the caller's subject, the method, the request id, the
 * source address, the user agent and the range asked for (each bounded, control characters replaced).
 * An endpoint adds the action, its ids, the status and the bytes sent.
 */
export function auditFields(
  request: HttpRequest,
  principal: Principal,
): Pick<AuditEntry, 'subject' | 'method' | 'requestId' | 'sourceIp' | 'userAgent' | 'range'> {
  const userAgent = request.headers['user-agent'];
  const range = request.headers.range;
  return {
    subject: principal.subject,
    method: request.method,
    requestId: request.requestId,
    sourceIp: request.sourceIp,
    ...(userAgent === undefined ? {} : { userAgent: bounded(userAgent, MAX_AUDIT_USER_AGENT_CHARS) }),
    ...(range === undefined ? {} : { range: bounded(range, MAX_AUDIT_RANGE_CHARS) }),
  };
}

/** The refusals a change records, once its request is well formed: no such document or photo, a stale If-Match. */
const RECORDED_REFUSALS = new Set([404, 412]);

/**
 * The event of one change (a metadata change, a deletion, an erasure), recorded before anything changes:
 * `before` records it with the status the change answers when it succeeds, and a trail that cannot be
 * written refuses the change (503) with nothing changed. `run` records a 404 or 412 the change met
 * before that instead, so a refused attempt is in the trail too, then rethrows it.
 */
export function changeEvent(audit: AuditRecorder, entry: Omit<AuditEntry, 'status' | 'bytesSent'>, success: number) {
  let recorded = false;
  const record = async (status: number) => {
    recorded = true;
    await audit.record({ ...entry, status, bytesSent: 0 });
  };
  return {
    before: () => record(success),
    async run<T>(change: (before: () => Promise<void>) => Promise<T>): Promise<T> {
      try {
        return await change(() => record(success));
      } catch (error) {
        if (!recorded && error instanceof HttpError && RECORDED_REFUSALS.has(error.statusCode)) {
          await record(error.statusCode);
        }
        throw error;
      }
    },
  };
}

/**
 * Text from a client as the trail keeps it: well-formed (a lone surrogate would make the write fail),
 * without control characters (a terminal showing the trail must not take them as commands), cut at a
 * whole character and marked when cut.
 */
function bounded(text: string, max: number): string {
  const clean = text
    .replace(/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD')
    .replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
  const characters = [...clean];
  return characters.length <= max ? clean : `${characters.slice(0, max - 1).join('')}…`;
}

/** A person's file events, newest first, a page at a time (the person id must have passed `parseGuid`). */
export function makeReadAuditTrail(deps: { readonly trail: AuditTrail }) {
  return (personId: string, page: { readonly limit: number; readonly after: string | undefined }) =>
    deps.trail.list({ personId }, page);
}
