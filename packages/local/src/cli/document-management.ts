import { PERMISSIONS } from '@identities/core';
import { apiPath, refusal } from './api-client.ts';
import { API_HELP, ApiError, apiOptions, apiTarget, clientOf } from './document.ts';
import { type CommandGroup, help, type Io, parse, UsageError } from './io.ts';

const LIST_HELP = `Usage: identities document list --person-id ID [--limit N] [--all] [--json]

Lists a person's documents, newest first: id, size, creation time and name, one a line (--json: the API's
metadata, one JSON object a line). One page of --limit (1 to 100, default 50); --all follows every page.
  --person-id ID            The person (GUID)
${API_HELP}
`;

const SHOW_HELP = `Usage: identities document show --person-id ID --document-id ID

Prints one document's metadata as JSON.
${API_HELP}
`;

const DELETE_HELP = `Usage: identities document delete --person-id ID --document-id ID

Deletes a person's document for good: every version of its bytes, and its metadata.
${API_HELP}
`;

const ERASE_HELP = `Usage: identities person erase --person-id ID

Erases every document of a person (and their pending upload sessions), every version of the bytes,
repeating the request while the API answers 202 (in progress), with progress on a terminal.
${API_HELP}
`;

/** The most pages --all reads (100 documents a page): a bound, not a limit a person reaches. */
const MAX_PAGES = 10_000;
/** The most requests one erasure makes: each erases for up to 20 s. */
const MAX_ERASE_ROUNDS = 1_000;

const ids = (values: { 'person-id'?: string; 'document-id'?: string }) => {
  const personId = values['person-id'];
  const documentId = values['document-id'];
  if (personId === undefined || documentId === undefined) throw new UsageError('give --person-id and --document-id');
  return { personId, documentId };
};

/** Names and ids come from uploaders: control characters are shown as `?`, so they cannot drive the terminal. */
const printable = (value: string) => value.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

async function documentList(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    ...apiOptions,
    'person-id': { type: 'string' },
    limit: { type: 'string' },
    all: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.help) return help(io, LIST_HELP);
  const personId = values['person-id'];
  if (personId === undefined) throw new UsageError('give --person-id');
  if (values.limit !== undefined && !/^[0-9]{1,3}$/.test(values.limit)) throw new UsageError('--limit is 1 to 100');
  const api = clientOf(await apiTarget(io, values));
  let cursor: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const query = {
      ...(values.limit === undefined ? {} : { limit: Number(values.limit) }),
      ...(cursor === undefined ? {} : { cursor }),
    };
    const {
      data: body,
      error,
      response,
    } = await api.GET(apiPath('ListFileDocuments'), {
      params: { path: { personId }, query },
    });
    if (response.status !== 200 || body === undefined) throw new ApiError(refusal(response.status, error));
    for (const item of body.items) {
      io.out(
        values.json === true
          ? `${JSON.stringify(item)}\n`
          : `${printable(item.id)}\t${item.size}\t${item.createdAt}\t${printable(item.name)}\n`,
      );
    }
    if (body.nextCursor === null || values.all !== true) return 0;
    cursor = body.nextCursor;
  }
  throw new ApiError(`stopped after ${MAX_PAGES} pages`);
}

async function documentShow(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { ...apiOptions, 'person-id': { type: 'string' }, 'document-id': { type: 'string' } });
  if (values.help) return help(io, SHOW_HELP);
  const api = clientOf(await apiTarget(io, values));
  const { data, error, response } = await api.GET(apiPath('GetFileDocument'), { params: { path: ids(values) } });
  if (response.status !== 200 || data === undefined) throw new ApiError(refusal(response.status, error));
  io.out(`${JSON.stringify(data, null, 2)}\n`);
  return 0;
}

async function documentDelete(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { ...apiOptions, 'person-id': { type: 'string' }, 'document-id': { type: 'string' } });
  if (values.help) return help(io, DELETE_HELP);
  const api = clientOf(await apiTarget(io, values, [PERMISSIONS.deleteFiles]));
  const { personId, documentId } = ids(values);
  const { error, response } = await api.DELETE(apiPath('DeleteFileDocument'), {
    params: { path: { personId, documentId } },
  });
  if (response.status !== 204) throw new ApiError(refusal(response.status, error));
  io.err(`Deleted document ${printable(documentId)} of ${personId}.\n`);
  return 0;
}

async function personErase(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { ...apiOptions, 'person-id': { type: 'string' } });
  if (values.help) return help(io, ERASE_HELP);
  const personId = values['person-id'];
  if (personId === undefined) throw new UsageError('give --person-id');
  const api = clientOf(await apiTarget(io, values, [PERMISSIONS.deleteFiles]));
  let erased = 0;
  for (let round = 0; round < MAX_ERASE_ROUNDS; round++) {
    const { data, error, response } = await api.DELETE(apiPath('EraseFileDocuments'), {
      params: { path: { personId } },
    });
    if (response.status === 204) {
      if (io.isTty && round > 0) io.err('\n');
      io.err(`Erased every document of ${personId}.\n`);
      return 0;
    }
    if (response.status !== 202 || data === undefined) throw new ApiError(refusal(response.status, error));
    erased += data.erasedDocuments;
    if (io.isTty) io.err(`\rErasing ${personId}: ${erased} documents so far…`);
    const wait = Number(response.headers.get('retry-after') ?? '1');
    await new Promise((resolve) => setTimeout(resolve, Math.min(Number.isFinite(wait) ? wait : 1, 10) * 1000));
  }
  throw new ApiError(`the erasure of ${personId} did not finish after ${MAX_ERASE_ROUNDS} requests; run it again`);
}

export const documentManagementCommands: CommandGroup = {
  list: { help: LIST_HELP, run: documentList },
  show: { help: SHOW_HELP, run: documentShow },
  delete: { help: DELETE_HELP, run: documentDelete },
};

/** identities person erase */
export const personCommands: CommandGroup = {
  erase: { help: ERASE_HELP, run: personErase },
};
