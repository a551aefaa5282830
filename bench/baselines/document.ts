import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { rawS3Client } from './s3-client.ts';

// The floor of a document download: the metadata read, then the object read, streamed straight back.
const s3 = rawS3Client(process.env);
const dynamo = new DynamoDBClient({
  region: process.env.AWS_REGION,
  maxAttempts: 3,
  endpoint: process.env.DYNAMODB_ENDPOINT,
});
const bucket = process.env.BUCKET_NAME;
const table = process.env.TABLE_NAME;

export const handler = awslambda.streamifyResponse(async (event, responseStream) => {
  const { personId, documentId } = event.pathParameters ?? {};
  const { Item } = await dynamo.send(
    new GetItemCommand({
      TableName: table,
      Key: { pk: { S: `PERSON#${personId}` }, sk: { S: `DOC#${documentId}` } },
      ConsistentRead: true,
    }),
  );
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: Item?.objectKey?.S }));
  const stream = awslambda.HttpResponseStream.from(responseStream, {
    statusCode: 200,
    headers: {
      'Content-Type': Item?.contentType?.S ?? 'application/octet-stream',
      'Content-Length': String(object.ContentLength),
    },
  });
  stream.write('');
  await pipeline(object.Body as Readable, stream);
});
