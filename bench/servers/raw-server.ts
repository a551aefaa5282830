import { createServer } from 'node:http';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand, NoSuchKey } from '@aws-sdk/client-s3';
import { rawS3Client } from '../baselines/s3-client.ts';

/**
 * The baseline for the gateway figures: a plain node:http server that answers `GET /object/<key>`
 * with the raw S3 GetObject of that key on the same stand-in, streamed. No routing table, no event,
 * no auth.
 */
const s3 = rawS3Client(process.env);
const bucket = process.env.BUCKET_NAME;
const port = Number(process.env.PORT);

const server = createServer(async (request, response) => {
  const key = request.url?.startsWith('/object/') ? decodeURIComponent(request.url.slice('/object/'.length)) : '';
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    response.writeHead(200, {
      'Content-Type': object.ContentType ?? 'application/octet-stream',
      'Content-Length': String(object.ContentLength),
    });
    await pipeline(object.Body as Readable, response);
  } catch (error) {
    if (response.headersSent) response.destroy();
    else response.writeHead(error instanceof NoSuchKey ? 404 : 500).end();
  }
});
server.listen(port, '127.0.0.1');
process.once('SIGTERM', () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
});
