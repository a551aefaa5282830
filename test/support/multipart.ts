import { randomBytes } from 'node:crypto';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import { apiEvent } from './lambda.ts';

export type Part =
  | { readonly name: string; readonly value: string }
  | {
      readonly name: string;
      readonly filename: string;
      readonly contentType?: string;
      readonly data: Buffer;
      /** Send the name as `filename*=UTF-8''...` (RFC 5987), as some clients do. */
      readonly extended?: boolean;
    };

/** A multipart/form-data body as a browser or curl would send it. */
export function multipart(parts: readonly Part[], boundary = `----form${randomBytes(8).toString('hex')}`) {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    let disposition = `form-data; name="${part.name}"`;
    let extra = '';
    let data: Buffer;
    if ('filename' in part) {
      disposition += part.extended
        ? `; filename*=UTF-8''${encodeURIComponent(part.filename).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`
        : `; filename="${part.filename.replaceAll('"', '%22')}"`;
      extra = `Content-Type: ${part.contentType ?? 'application/octet-stream'}\r\n`;
      data = part.data;
    } else {
      data = Buffer.from(part.value, 'utf8');
    }
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${extra}\r\n`, 'utf8'));
    chunks.push(data, Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

export const UPLOAD_PATH = '/api/v1/people/fileDocuments/upload';

/** The event API Gateway sends for a multipart upload of these parts, by the bearer of `token`. */
export function uploadEvent(parts: readonly Part[], token: string): APIGatewayProxyEvent {
  const form = multipart(parts);
  return apiEvent({
    method: 'POST',
    path: UPLOAD_PATH,
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': form.contentType },
    body: form.body,
  });
}
