import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream, openAsBlob } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { MAX_UPLOAD_FILE_BYTES, mediaTypeOrDefault } from '@identities/core';

/** Where the API is and who calls it. */
export interface ApiTarget {
  readonly url: string;
  readonly token: string;
  /** Accept a self-signed certificate (curl's -k). */
  readonly insecure: boolean;
}

export class ApiError extends Error {}

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

async function problem(response: Response): Promise<ApiError> {
  const text = await response.text();
  try {
    const body = JSON.parse(text) as { detail?: string; message?: string };
    return new ApiError(`${response.status}: ${body.detail ?? body.message ?? text}`);
  } catch {
    return new ApiError(`${response.status}: ${text.slice(0, 200)}`);
  }
}

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
  const auth = { Authorization: `Bearer ${target.token}` };
  const base = target.url.replace(/\/$/, '');

  if (info.size <= MAX_UPLOAD_FILE_BYTES) {
    const form = new FormData();
    form.set('personId', upload.personId);
    form.set('name', upload.name);
    if (upload.description !== undefined) form.set('description', upload.description);
    if (upload.publicId !== undefined) form.set('publicId', upload.publicId);
    form.set('file', new File([await openAsBlob(upload.file)], basename(upload.file), { type: contentType }));
    const response = await fetch(`${base}/api/v1/people/fileDocuments/upload`, {
      method: 'POST',
      headers: auth,
      body: form,
    });
    if (response.status !== 200) throw await problem(response);
    return idFromLocation(response.headers.get('location'));
  }

  const sessionUrl = `${base}/api/v1/people/fileDocuments/uploadSessions`;
  const started = await fetch(sessionUrl, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({
      personId: upload.personId,
      name: upload.name,
      description: upload.description,
      publicId: upload.publicId,
      fileName: basename(upload.file),
      contentType,
      size: info.size,
    }),
  });
  if (started.status !== 201) throw await problem(started);
  const session = (await started.json()) as {
    documentId: string;
    upload: { url: string; fields: Record<string, string>; fileField: string };
    complete: { url: string; body: unknown };
  };
  await postForm(target, session.upload, upload.file, info.size, contentType, progress);
  const completed = await fetch(new URL(session.complete.url, sessionUrl), {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify(session.complete.body),
  });
  if (completed.status !== 200) throw await problem(completed);
  return session.documentId;
}

function idFromLocation(location: string | null): string {
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
  const boundary = `----identities${randomBytes(12).toString('hex')}`;
  const fields = Object.entries(form.fields)
    .map(([name, value]) => `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`)
    .join('');
  const head = Buffer.from(
    `${fields}--${boundary}\r\nContent-Disposition: form-data; name="${form.fileField}"; filename="${encodeURIComponent(basename(file))}"\r\nContent-Type: ${contentType}\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const url = new URL(form.url);
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
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
  const upstream = send(url, {
    method: 'POST',
    headers: {
      'Content-Type': `multipart/form-data; boundary=${boundary}`,
      'Content-Length': head.length + size + tail.length,
    },
    ...(url.protocol === 'https:' ? { rejectUnauthorized: !target.insecure } : {}),
  });
  const answered = new Promise<number>((resolve, reject) => {
    upstream.on('response', (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    upstream.on('error', reject);
  });
  // One pipeline, so reading the file keeps pace with the network: memory stays flat for any size.
  await pipeline(Readable.from(parts()), upstream);
  const status = await answered;
  if (status < 200 || status >= 300) throw new ApiError(`storage refused the upload: HTTP ${status}`);
}

/** Downloads a document to a file, written whole or not at all. Returns its size. */
export async function downloadDocument(
  target: ApiTarget,
  personId: string,
  documentId: string,
  output: string,
): Promise<number> {
  const base = target.url.replace(/\/$/, '');
  const response = await fetch(
    `${base}/api/v1/people/${encodeURIComponent(personId)}/fileDocuments/${encodeURIComponent(documentId)}/data`,
    { headers: { Authorization: `Bearer ${target.token}` } },
  );
  if (response.status !== 200 || response.body === null) throw await problem(response);
  const partial = `${output}.partial-${process.pid}`;
  try {
    await pipeline(response.body as unknown as NodeJS.ReadableStream, createWriteStream(partial, { mode: 0o600 }));
    await rename(partial, output);
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
  return (await stat(output)).size;
}
