import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { rawS3Client } from './s3-client.ts';

// The floor of a photo download: its one S3 read, streamed straight back. No auth, no validation.
const s3 = rawS3Client(process.env);
const bucket = process.env.BUCKET_NAME;

export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const { faceId, detectionId } = event.pathParameters ?? {};
  const key =
    detectionId === undefined ? `faces/${faceId}/enrollment.jpg` : `faces/${faceId}/detections/${detectionId}.jpg`;
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200,
    headers: { 'Content-Type': 'image/jpeg', 'Content-Length': String(object.ContentLength) },
  });
  stream.write('');
  await pipeline(object.Body as Readable, stream);
});
