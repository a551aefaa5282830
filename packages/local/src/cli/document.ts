import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { readFile, rename, rm, stat } from 'node:fs/promises';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { rootCertificates } from 'node:tls';
import type { ParseArgsConfig } from 'node:util';
import {
  DEFAULT_LINK_SECONDS,
  MAX_LINK_SECONDS,
  MAX_UPLOAD_FILE_BYTES,
  mediaTypeOrDefault,
  PLATFORM_LIMITS,
} from '@identities/core';
import { dataDirFrom, readServerInfo } from '../data-dir.ts';
import { ALL_FILE_PERMISSIONS, loadDevIssuer } from '../dev-issuer.ts';
import { presents, selfSignedFiles } from '../tls.ts';
import { type ApiClient, apiClient, apiPath, nodeStream, refusal } from './api-client.ts';
import { type CommandGroup, help, type Io, parse, progressBar, UsageError } from './io.ts';

export const apiOptions = {
  'api-url': { type: 'string' },
  token: { type: 'string' },
  insecure: { type: 'boolean', short: 'k' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

export const API_HELP = `  --api-url URL             The API (IDENTITIES_API_URL; default: the server running on the data dir)
  --token JWT               Bearer token (IDENTITIES_TOKEN; default: a dev token from the data dir's issuer)
  -k, --insecure            Do not verify the server's certificate, for this command only (the certificate
                            of the server running on the data dir is verified without it)
  --data-dir DIR            The local data dir (DATA_DIR, default .data)`;

const UPLOAD_HELP = `Usage: identities document upload --person-id ID --name NAME [--description TEXT] [--public-id ID] FILE

Uploads FILE as the person's document: through the multipart endpoint up to 4 MiB, through an upload
session above (up to 190 MiB, with a progress bar on a terminal). Prints the document id.
  --person-id ID            The person (GUID)
  --name NAME               Display name
  --description TEXT        Optional description
  --public-id ID            The document id to use (default: the server picks a GUID)
  --content-type TYPE       Default: from the file's extension
${API_HELP}
`;

const DOWNLOAD_HELP = `Usage: identities document download --person-id ID --document-id ID -o FILE
       identities document download --person-id ID --document-id ID --link [--expires-in SECONDS]

Downloads a person's document to FILE, written whole or not at all: one above 6 MiB straight from
storage, through a download link. With --link, prints a link instead (a URL anyone holding it may read
the document with until it expires: share it as carefully as the document).
  --person-id ID            The person (GUID)
  --document-id ID          The document id
  -o, --output FILE         Where to write it
  --link                    Print a download link to stdout instead of downloading
  --expires-in SECONDS      The link's lifetime, 1 to ${MAX_LINK_SECONDS} (default 60)
${API_HELP}
`;

/** Where the API is and who calls it. */
export interface ApiTarget {
  readonly url: string;
  readonly token: string;
  /** Do not verify certificates, for this command's connections only (curl's -k). */
  readonly insecure: boolean;
  /** The one CA (PEM) the API's certificate must chain to: the local server's self-signed certificate. */
  readonly ca?: string;
}

export class ApiError extends Error {}

/** Node's names for a certificate it could not verify, as OpenSSL reports them. */
const UNVERIFIED = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'CERT_SIGNATURE_FAILURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** TLS options for one connection of the CLI: never the process-wide NODE_TLS_REJECT_UNAUTHORIZED. */
function tlsOptions(target: ApiTarget, url: URL): RequestOptions {
  if (target.insecure) return { rejectUnauthorized: false };
  if (target.ca === undefined) return {};
  // The API is trusted by its self-signed certificate alone. Storage elsewhere (the server under its
  // public name, or external storage with a public CA's certificate) by that certificate or the usual CAs.
  return url.origin === new URL(target.url).origin ? { ca: target.ca } : { ca: [target.ca, ...rootCertificates] };
}

interface Request {
  readonly method?: string;
  readonly headers?: OutgoingHttpHeaders;
  /** The whole body, or its parts, streamed as they come. */
  readonly body?: Buffer | AsyncIterable<Buffer>;
}

/** One HTTP(S) request of the CLI; resolves with the response, its body unread. */
export async function send(target: ApiTarget, url: URL, request: Request = {}): Promise<IncomingMessage> {
  const https = url.protocol === 'https:';
  const outgoing = (https ? httpsRequest : httpRequest)(url, {
    method: request.method ?? 'GET',
    headers: request.headers ?? {},
    ...(https ? tlsOptions(target, url) : {}),
  });
  const answered = new Promise<IncomingMessage>((resolve, reject) => {
    outgoing.on('response', resolve);
    outgoing.on('error', reject);
  });
  try {
    const { body } = request;
    if (body === undefined || Buffer.isBuffer(body)) outgoing.end(body);
    // One pipeline, so reading the file keeps pace with the network: memory stays flat for any size.
    else await pipeline(Readable.from(body), outgoing);
    return await answered;
  } catch (error) {
    answered.catch(() => {});
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (UNVERIFIED.has(code)) {
      throw new ApiError(
        `${url.origin}: the server's certificate could not be verified (${(error as Error).message}); ` +
          'trust its CA, or pass -k to skip verification for this command',
      );
    }
    throw error;
  }
}

/** The API's typed client, over this command's connections. */
export function clientOf(target: ApiTarget): ApiClient {
  return apiClient(target.url, target.token, (url, request) => send(target, url, request));
}

/** Guesses a content type from the file name, for the types identity documents come in. */
const TYPES: Record<string, string> = {
  pdf: 'application/pdf',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  tif: 'image/tiff',
  tiff: 'image/tiff',
  heic: 'image/heic',
  txt: 'text/plain',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
};

export function contentTypeOf(file: string): string {
  return TYPES[basename(file).split('.').pop()?.toLowerCase() ?? ''] ?? 'application/octet-stream';
}

/** A multipart/form-data body but for the file's bytes, which go between head and tail. */
function formData(
  fields: Record<string, string | undefined>,
  fileField: string,
  fileName: string,
  contentType: string,
) {
  const boundary = `----identities${randomBytes(12).toString('hex')}`;
  const parts = Object.entries(fields)
    .filter((field): field is [string, string] => field[1] !== undefined)
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
  return {
    type: `multipart/form-data; boundary=${boundary}`,
    head: Buffer.from(
      `${parts}--${boundary}\r\nContent-Disposition: form-data; name="${fileField}"; filename=${fileName}\r\nContent-Type: ${contentType}\r\n\r\n`,
    ),
    tail: Buffer.from(`\r\n--${boundary}--\r\n`),
  };
}

/** A form-data part's header value, quoted as browsers and FormData quote it. */
const quoted = (value: string) => `"${value.replace(/"/g, '%22').replace(/\r/g, '%0D').replace(/\n/g, '%0A')}"`;

export interface UploadRequest {
  readonly personId: string;
  readonly name: string;
  readonly description?: string | undefined;
  readonly publicId?: string | undefined;
  readonly file: string;
  readonly contentType?: string | undefined;
}

/**
 * Uploads a document the way its size calls for: the multipart endpoint up to its limit, an upload
 * session above it. Returns the document id.
 */
export async function uploadDocument(
  target: ApiTarget,
  upload: UploadRequest,
  progress: ((sent: number, total: number) => void) | undefined,
): Promise<string> {
  const info = await stat(upload.file).catch(() => undefined);
  if (info === undefined || !info.isFile()) throw new ApiError(`${upload.file}: no such file`);
  const contentType = mediaTypeOrDefault(upload.contentType ?? contentTypeOf(upload.file));
  const api = clientOf(target);
  const fields = {
    personId: upload.personId,
    name: upload.name,
    description: upload.description,
    publicId: upload.publicId,
  };

  if (info.size <= MAX_UPLOAD_FILE_BYTES) {
    const form = formData(fields, 'file', quoted(basename(upload.file)), contentType);
    const body = Buffer.concat([form.head, await readFile(upload.file), form.tail]);
    const { response, error } = await api.POST(apiPath('UploadFileDocument'), {
      body: { ...fields, file: basename(upload.file) },
      bodySerializer: () => body,
      headers: { 'Content-Type': form.type },
    });
    if (response.status !== 200) throw new ApiError(refusal(response.status, error));
    return idFromLocation(response.headers.get('location') ?? undefined);
  }

  const started = await api.POST(apiPath('StartUploadSession'), {
    body: {
      ...fields,
      fileName: basename(upload.file),
      contentType,
      size: info.size,
      // Declared, so storage refuses other bytes and the document is exactly this file.
      sha256: await sha256OfFile(upload.file),
    },
  });
  const session = started.data;
  if (started.response.status !== 201 || session === undefined) {
    throw new ApiError(refusal(started.response.status, started.error));
  }
  await postForm(target, session.upload, upload.file, info.size, contentType, progress);
  const completed = await api.POST(apiPath('CompleteUploadSession'), {
    params: { path: { documentId: session.documentId } },
    body: session.complete.body,
  });
  if (completed.response.status !== 200) throw new ApiError(refusal(completed.response.status, completed.error));
  return session.documentId;
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) hash.update(chunk);
  return hash.digest('hex');
}

function idFromLocation(location: string | undefined): string {
  const id = /fileDocuments\/([^/]+)\/data$/.exec(location ?? '')?.[1];
  if (id === undefined) throw new ApiError('the server named no document in its Location header');
  return decodeURIComponent(id);
}

/** POSTs the presigned form with the file streamed from disk, its length known up front as S3 requires. */
async function postForm(
  target: ApiTarget,
  form: { url: string; fields: Record<string, string>; fileField: string },
  file: string,
  size: number,
  contentType: string,
  progress: ((sent: number, total: number) => void) | undefined,
): Promise<void> {
  const { head, tail, type } = formData(
    form.fields,
    form.fileField,
    `"${encodeURIComponent(basename(file))}"`,
    contentType,
  );
  async function* parts() {
    yield head;
    let sent = 0;
    for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
      sent += chunk.length;
      progress?.(sent, size);
      yield chunk;
    }
    yield tail;
  }
  const response = await send(target, new URL(form.url), {
    method: 'POST',
    headers: {
      'Content-Type': type,
      'Content-Length': head.length + size + tail.length,
    },
    body: parts(),
  });
  response.resume();
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) throw new ApiError(`storage refused the upload: HTTP ${status}`);
}

/** A download link for a document: a presigned GET straight to storage, until `expiresAt`. */
export async function documentLink(
  target: ApiTarget,
  personId: string,
  documentId: string,
  expiresIn?: number,
): Promise<{ url: string; expiresAt: string }> {
  const { data, error, response } = await clientOf(target).POST(apiPath('FileDocumentLink'), {
    params: { path: { personId, documentId } },
    body: { expiresIn: expiresIn ?? DEFAULT_LINK_SECONDS },
  });
  if (response.status !== 201 || data === undefined) throw new ApiError(refusal(response.status, error));
  return { url: data.url, expiresAt: data.expiresAt };
}

/**
 * Downloads a document to a file, written whole or not at all. Returns its size. Past the first 6 MiB a
 * function streams at 2 MB/s, so a larger document (its size known from a HEAD, which reads only the
 * metadata) comes straight from storage through a download link.
 */
export async function downloadDocument(
  target: ApiTarget,
  personId: string,
  documentId: string,
  output: string,
): Promise<number> {
  const api = clientOf(target);
  const params = { path: { personId, documentId } };
  const head = await api.HEAD(apiPath('DownloadFileDocument'), { params, parseAs: 'stream' });
  if (head.response.status !== 200) {
    // A HEAD has no body to explain itself: the GET's problem says why.
    const refused = await api.GET(apiPath('DownloadFileDocument'), { params, parseAs: 'stream' });
    throw new ApiError(refusal(refused.response.status, refused.error));
  }
  const size = Number(head.response.headers.get('content-length'));
  const viaLink = Number.isSafeInteger(size) && size > PLATFORM_LIMITS.streamedUncappedBytes;
  let body: Readable;
  if (viaLink) {
    const fetched = await send(target, new URL((await documentLink(target, personId, documentId)).url));
    if (fetched.statusCode !== 200) {
      fetched.resume();
      throw new ApiError(`storage refused the download link: HTTP ${fetched.statusCode}`);
    }
    body = fetched;
  } else {
    const { data, error, response } = await api.GET(apiPath('DownloadFileDocument'), { params, parseAs: 'stream' });
    if (response.status !== 200 || data === undefined || data === null) {
      throw new ApiError(refusal(response.status, error));
    }
    body = nodeStream(data);
  }
  const partial = `${output}.partial-${process.pid}`;
  try {
    await pipeline(body, createWriteStream(partial, { mode: 0o600 }));
    const written = (await stat(partial)).size;
    if (Number.isSafeInteger(size) && written !== size) {
      throw new ApiError(`the download ended after ${written} of ${size} bytes`);
    }
    await rename(partial, output);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return (await stat(output)).size;
}

/**
 * The API to call: named by options, or the server running on the data dir with a dev token granting
 * `permissions` (by default the file permissions an upload and a download need).
 */
export async function apiTarget(
  io: Io,
  values: { 'api-url'?: string; token?: string; insecure?: boolean; 'data-dir'?: string },
  permissions: readonly string[] = ALL_FILE_PERMISSIONS,
): Promise<ApiTarget> {
  const dataDir = dataDirFrom(io.env, values['data-dir']);
  const running = readServerInfo(dataDir);
  const url = values['api-url'] ?? io.env.IDENTITIES_API_URL ?? running?.url;
  if (url === undefined) {
    throw new UsageError(`no server runs on ${dataDir}: start one (npm run dev) or name the API with --api-url`);
  }
  let token = values.token ?? io.env.IDENTITIES_TOKEN;
  if (token === undefined) {
    const issuer = await loadDevIssuer(dataDir, false);
    if (issuer === undefined) throw new UsageError('give a token with --token or IDENTITIES_TOKEN');
    token = await issuer.sign({ permissions: [...permissions], subject: 'identities-cli', expiresIn: '10m' });
  }
  const insecure = values.insecure === true;
  // The server running on the data dir, when it serves the data dir's self-signed certificate, is verified
  // against that certificate alone: no -k needed. Any other certificate (one given with --tls-cert, while
  // an older self-signed one stays in the data dir) must chain to a trusted CA.
  const selfSigned =
    !insecure && running !== undefined && url === running.url && url.startsWith('https:')
      ? await readFile(selfSignedFiles(dataDir).certFile, 'utf8').catch(() => undefined)
      : undefined;
  const ca = selfSigned !== undefined && (await presents(url, selfSigned)) ? selfSigned : undefined;
  return { url, token, insecure, ...(ca === undefined ? {} : { ca }) };
}

async function documentUpload(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      ...apiOptions,
      'person-id': { type: 'string' },
      name: { type: 'string' },
      description: { type: 'string' },
      'public-id': { type: 'string' },
      'content-type': { type: 'string' },
    },
    1,
  );
  if (values.help) return help(io, UPLOAD_HELP);
  const file = positionals[0];
  const personId = values['person-id'];
  const name = values.name;
  if (personId === undefined || name === undefined || file === undefined) {
    throw new UsageError('give --person-id, --name and the FILE to upload');
  }
  const target = await apiTarget(io, values);
  let shown = -1;
  const documentId = await uploadDocument(
    target,
    {
      personId,
      name,
      description: values.description,
      publicId: values['public-id'],
      file,
      contentType: values['content-type'],
    },
    io.isTty
      ? (sent, total) => {
          const percent = Math.floor((sent / total) * 100);
          if (percent === shown) return;
          shown = percent;
          io.err(
            `${progressBar(sent, total).replace(/\d+\/\d+$/, '')}${(sent / 1048576).toFixed(1)}/${(total / 1048576).toFixed(1)} MiB`,
          );
        }
      : undefined,
  );
  if (shown >= 0) io.err('\n');
  io.out(`${documentId}\n`);
  return 0;
}

async function documentDownload(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    ...apiOptions,
    'person-id': { type: 'string' },
    'document-id': { type: 'string' },
    output: { type: 'string', short: 'o' },
    link: { type: 'boolean' },
    'expires-in': { type: 'string' },
  });
  if (values.help) return help(io, DOWNLOAD_HELP);
  const personId = values['person-id'];
  const documentId = values['document-id'];
  const output = values.output;
  if (values.link === true) {
    if (personId === undefined || documentId === undefined || output !== undefined) {
      throw new UsageError('give --person-id and --document-id with --link (and no -o)');
    }
    const expiresIn = values['expires-in'];
    const seconds = expiresIn === undefined ? undefined : Number(expiresIn);
    if (seconds !== undefined && (!/^\d{1,4}$/.test(expiresIn ?? '') || seconds < 1 || seconds > MAX_LINK_SECONDS)) {
      throw new UsageError(`--expires-in must be a whole number of seconds from 1 to ${MAX_LINK_SECONDS}`);
    }
    const link = await documentLink(await apiTarget(io, values), personId, documentId, seconds);
    io.out(`${link.url}\n`);
    io.err(`Valid until ${link.expiresAt}: whoever holds the link may read the document until then.\n`);
    return 0;
  }
  if (values['expires-in'] !== undefined) throw new UsageError('--expires-in goes with --link');
  if (personId === undefined || documentId === undefined || output === undefined) {
    throw new UsageError('give --person-id, --document-id and -o FILE');
  }
  const size = await downloadDocument(await apiTarget(io, values), personId, documentId, output);
  io.err(`Saved ${size} bytes to ${output}.\n`);
  return 0;
}

/** identities document upload | download (list, show and delete: cli/document-management.ts) */
export const documentCommands: CommandGroup = {
  upload: { help: UPLOAD_HELP, run: documentUpload },
  download: { help: DOWNLOAD_HELP, run: documentDownload },
};
