import { randomUUID } from 'node:crypto';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { rawS3Client } from './s3-client.ts';

// The floor of an upload: the body's bytes into S3, then one metadata item. No parsing, no checks.
const s3 = rawS3Client(process.env);
const dynamo = new DynamoDBClient({
  region: process.env.AWS_REGION,
  maxAttempts: 3,
  endpoint: process.env.DYNAMODB_ENDPOINT,
});
const bucket = process.env.BUCKET_NAME;
const table = process.env.TABLE_NAME;

export async function handler(event: APIGatewayProxyEvent): Promise<APIGatewayProxyResult> {
  const bytes = Buffer.from(event.body ?? '', 'base64');
  const id = randomUUID();
  const key = `people/baseline/documents/${id}`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: bytes, ContentLength: bytes.length }));
  await dynamo.send(
    new PutItemCommand({
      TableName: table,
      Item: {
        pk: { S: 'PERSON#baseline' },
        sk: { S: `DOC#${id}` },
        objectKey: { S: key },
        size: { N: String(bytes.length) },
      },
    }),
  );
  return { statusCode: 200, body: '' };
}
