import { makeAuditStore } from '@identities/aws';
import { type AuditEvent, isSafeId, parseGuid } from '@identities/core';
import { type Command, help, type Io, parse, UsageError } from './io.ts';
import { dynamoOf, storageOptions, withStorage } from './storage.ts';

const HELP = `Usage: identities audit PERSON_ID [--json] [--limit N]
       identities audit --face FACE_ID [--json] [--limit N]

Shows the access trail, newest first: a person's file events (downloads, uploads, session completions,
changes and erasures of their documents), or a face's photo events (deletions, and downloads where
photo auditing is on). Read from storage with the operator's credentials, not through the API.
  --face ID                 A face's trail instead of a person's
  --json                    One JSON array of the events instead of a table
  --limit N                 At most N events (default 100, at most 10000)
  --data-dir DIR | --bucket NAME --table NAME [--region NAME]   Where to read (see "identities --help")
`;

const DEFAULT_LIMIT = 100;
const MAX_LIMIT = 10_000;
/** Events read from the table per request. */
const PAGE = 100;

async function audit(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    args,
    { ...storageOptions, face: { type: 'string' }, json: { type: 'boolean' }, limit: { type: 'string' } },
    1,
  );
  if (values.help) return help(io, HELP);
  const of = subjectOf(positionals[0], values.face);
  const limit = limitOf(values.limit);
  const events = await withStorage(io, values, async (storage) => {
    const trail = makeAuditStore(dynamoOf(storage), storage.table);
    const found: AuditEvent[] = [];
    let after: string | undefined;
    do {
      const page = await trail.list(of, { limit: Math.min(PAGE, limit - found.length), after });
      found.push(...page.items);
      after = page.next;
    } while (after !== undefined && found.length < limit);
    return { found, more: after !== undefined };
  });
  if (values.json) {
    io.out(`${JSON.stringify(events.found, null, 2)}\n`);
  } else if (events.found.length === 0) {
    io.err('No events.\n');
  } else {
    io.out(table(events.found, 'faceId' in of));
  }
  if (events.more) io.err(`Showing the newest ${limit} events; --limit shows more.\n`);
  return 0;
}

function subjectOf(person: string | undefined, face: string | undefined) {
  if (face !== undefined) {
    if (person !== undefined) throw new UsageError('name a person or --face, not both');
    if (!isSafeId(face)) throw new UsageError(`"${face}" is not a face id`);
    return { faceId: face };
  }
  if (person === undefined) throw new UsageError('name a person (a GUID), or --face ID');
  const personId = parseGuid(person);
  if (personId === undefined) throw new UsageError(`"${person}" is not a person id (a GUID)`);
  return { personId };
}

function limitOf(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  const limit = /^[0-9]{1,5}$/.test(text) ? Number(text) : Number.NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) throw new UsageError(`--limit must be a number from 1 to ${MAX_LIMIT}`);
  return limit;
}

/** Columns in a fixed order; the user agent last, as it is the longest. */
function table(events: readonly AuditEvent[], face: boolean): string {
  const header = ['TIME', 'ACTION', 'STATUS', 'METHOD', 'BYTES', 'SUBJECT', 'SOURCE', face ? 'DETECTION' : 'DOCUMENT'];
  const rows = events.map((event) => [
    event.time,
    event.action,
    String(event.status),
    event.method,
    String(event.bytesReceived ?? event.bytesSent),
    event.subject,
    event.sourceIp,
    (face ? event.detectionId : event.documentId) ?? '-',
    [event.range, event.userAgent].filter((part) => part !== undefined).join(' '),
  ]);
  const shown = rows.map((row) => row.map(printable));
  const widths = header.map((name, column) => Math.max(name.length, ...shown.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column < widths.length ? cell.padEnd(widths[column] ?? 0) : cell))
      .join('  ')
      .trimEnd();
  return `${[line([...header, 'RANGE / USER AGENT']), ...shown.map(line)].join('\n')}\n`;
}

/** What a terminal may be shown: no control characters from whatever a client sent, each cell bounded. */
function printable(text: string): string {
  const clean = text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
  return clean.length > 80 ? `${clean.slice(0, 79)}…` : clean;
}

/** identities audit */
export const auditCommand: Command = { help: HELP, run: audit };
