import { randomUUID } from 'node:crypto';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BatchWriteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  QueryCommand,
  ScanCommand,
  TransactWriteItemsCommand,
} from '@aws-sdk/client-dynamodb';
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { makeObjectStore, makeS3Client, makeUploadTargets } from '@identities/aws';
import { dynamoAuthorization, STAND_IN_REGION, type StandIns, s3Authorization, startStandIns } from '@identities/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiEvent, invoke } from '../support/lambda.ts';
import { jpegBytes } from '../support/storage.ts';
import { bearer, token } from '../support/tokens.ts';
import { SCENARIOS, startPolicedStores, storageAs } from './support.ts';

let stores: Awaited<ReturnType<typeof startPolicedStores>>;
let standIns: StandIns;
const clients: { destroy(): void }[] = [];

beforeAll(async () => {
  stores = await startPolicedStores();
  standIns = stores.standIns;
});
afterAll(async () => {
  for (const client of clients) client.destroy();
  await standIns.close();
});

const s3As = (principal?: string): S3Client => {
  const client = makeS3Client({ ...storageAs(standIns, principal), endpoint: standIns.s3Endpoint });
  clients.push(client);
  return client;
};
/** A bare SDK client (no error translation), to see the store's own answer. */
const rawS3As = (principal: string) => {
  const client = new S3Client({
    region: STAND_IN_REGION,
    endpoint: standIns.s3Endpoint,
    forcePathStyle: true,
    credentials: standIns.principals.of(principal).credentials,
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
};
const dynamoAs = (principal: string) => {
  const client = new DynamoDBClient({
    region: STAND_IN_REGION,
    endpoint: standIns.dynamoEndpoint,
    credentials: standIns.principals.of(principal).credentials,
    maxAttempts: 1,
  });
  clients.push(client);
  return client;
};
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (error: Error & { $metadata?: { httpStatusCode?: number } }) => ({
      name: error.name,
      status: error.$metadata?.httpStatusCode,
      message: error.message,
    }),
  );

describe('how each request is named to IAM', () => {
  it('names S3 object operations by their IAM actions, a copy by both of its', () => {
    expect(s3Authorization('GET', '/b/faces/f/enrollment.jpg', {})).toMatchObject({
      operation: 'GetObject',
      requests: [{ action: 's3:GetObject', resource: 'arn:aws:s3:::b/faces/f/enrollment.jpg' }],
      reads: { bucket: 'b', key: 'faces/f/enrollment.jpg' },
    });
    expect(s3Authorization('HEAD', '/b/a%20b/c', {})).toMatchObject({
      requests: [{ resource: 'arn:aws:s3:::b/a b/c' }],
    });
    expect(s3Authorization('PUT', '/b/people/x?x-id=PutObject', {})).toMatchObject({
      requests: [{ action: 's3:PutObject' }],
    });
    expect(s3Authorization('PUT', '/b/people/x', { 'x-amz-copy-source': 'b/uploads/u%2B1' })).toMatchObject({
      operation: 'CopyObject',
      requests: [
        { action: 's3:GetObject', resource: 'arn:aws:s3:::b/uploads/u+1' },
        { action: 's3:PutObject', resource: 'arn:aws:s3:::b/people/x' },
      ],
    });
    expect(s3Authorization('DELETE', '/b/people/x', {})).toMatchObject({ requests: [{ action: 's3:DeleteObject' }] });
    expect(s3Authorization('PUT', '/b/people/x', { 'x-amz-copy-source': 'b/uploads/../faces/x' }).kind).toBe('unknown');
    // A version of an object is an action of its own, for reads, copies and deletes.
    expect(s3Authorization('GET', '/b/people/x?versionId=v1', {})).toMatchObject({
      requests: [{ action: 's3:GetObjectVersion' }],
    });
    expect(s3Authorization('PUT', '/b/people/y', { 'x-amz-copy-source': 'b/people/x?versionId=v1' })).toMatchObject({
      requests: [{ action: 's3:GetObjectVersion' }, { action: 's3:PutObject' }],
    });
    expect(s3Authorization('DELETE', '/b/people/x?versionId=v1', {})).toMatchObject({
      requests: [{ action: 's3:DeleteObjectVersion' }],
    });
    expect(s3Authorization('POST', '/b/people/x?uploads', {})).toMatchObject({
      requests: [{ action: 's3:PutObject' }],
    });
  });

  it('names a listing s3:ListBucket on the bucket with its prefix, and leaves the key out without one', () => {
    expect(s3Authorization('GET', '/b?list-type=2&prefix=people%2F', {})).toMatchObject({
      operation: 'ListObjectsV2',
      requests: [{ action: 's3:ListBucket', resource: 'arn:aws:s3:::b', context: { 's3:prefix': 'people/' } }],
    });
    expect(s3Authorization('GET', '/b?list-type=2', {})).toMatchObject({
      requests: [{ context: { 's3:prefix': undefined } }],
    });
  });

  it('knows no other bucket or object operation: those no function is granted', () => {
    for (const [method, url] of [
      ['PUT', '/b?policy'],
      ['DELETE', '/b'],
      ['GET', '/b?acl'],
      ['POST', '/b?delete'],
      ['GET', '/b/k?acl'],
      ['PUT', '/b/k?tagging'],
      // Keys the stand-in's file store would resolve elsewhere, and paths that are not one.
      ['GET', '/b/faces/../people/p/documents/d/u'],
      ['GET', '/b/faces%2F..%2Fpeople%2Fx'],
      ['PUT', '/b/faces/./x'],
      ['GET', '//b/faces/x'],
      ['GET', 'faces/x'],
    ] as const) {
      expect(s3Authorization(method, url, {}).kind, `${method} ${url}`).toBe('unknown');
    }
  });

  const scope = { region: 'us-east-1', account: '000000000000', partitionKey: 'pk' };
  const dynamo = (operation: string, input: unknown) =>
    dynamoAuthorization(`DynamoDB_20120810.${operation}`, Buffer.from(JSON.stringify(input)), scope);
  const table = 'arn:aws:dynamodb:us-east-1:000000000000:table/t';

  it('names DynamoDB item operations with the partition keys they touch as dynamodb:LeadingKeys', () => {
    expect(dynamo('GetItem', { TableName: 't', Key: { pk: { S: 'ROLE' }, sk: { S: 'admins' } } })).toMatchObject({
      requests: [{ action: 'dynamodb:GetItem', resource: table, context: { 'dynamodb:LeadingKeys': ['ROLE'] } }],
    });
    expect(dynamo('PutItem', { TableName: 't', Item: { pk: { S: 'PERSON#1' } } })).toMatchObject({
      requests: [{ action: 'dynamodb:PutItem', context: { 'dynamodb:LeadingKeys': ['PERSON#1'] } }],
    });
    expect(
      dynamo('Query', {
        TableName: 't',
        KeyConditionExpression: '#pk = :pk AND begins_with(sk, :s)',
        ExpressionAttributeNames: { '#pk': 'pk' },
        ExpressionAttributeValues: { ':pk': { S: 'ROLE' }, ':s': { S: 'a' } },
      }),
    ).toMatchObject({ requests: [{ action: 'dynamodb:Query', context: { 'dynamodb:LeadingKeys': ['ROLE'] } }] });
    expect(dynamo('Query', { TableName: 't', IndexName: 'byStatus', KeyConditionExpression: 'pk = :v' })).toMatchObject(
      { requests: [{ resource: `${table}/index/byStatus` }] },
    );
    expect(dynamo('Scan', { TableName: 't' })).toMatchObject({
      requests: [{ action: 'dynamodb:Scan', resource: table }],
    });
  });

  it('names each part of a transaction and every key of a batch', () => {
    expect(
      dynamo('TransactWriteItems', {
        TransactItems: [
          { Put: { TableName: 't', Item: { pk: { S: 'PERSON#1' } } } },
          { ConditionCheck: { TableName: 't', Key: { pk: { S: 'ROLE' } } } },
        ],
      }),
    ).toMatchObject({
      requests: [
        { action: 'dynamodb:PutItem', context: { 'dynamodb:LeadingKeys': ['PERSON#1'] } },
        { action: 'dynamodb:ConditionCheckItem', context: { 'dynamodb:LeadingKeys': ['ROLE'] } },
      ],
    });
    expect(
      dynamo('BatchWriteItem', {
        RequestItems: {
          t: [{ PutRequest: { Item: { pk: { S: 'PERSON#1' } } } }, { DeleteRequest: { Key: { pk: { S: 'ROLE' } } } }],
        },
      }),
    ).toMatchObject({
      requests: [{ action: 'dynamodb:BatchWriteItem', context: { 'dynamodb:LeadingKeys': ['PERSON#1', 'ROLE'] } }],
    });
    expect(dynamoAuthorization('DynamoDB_20120810.ExecuteStatement', Buffer.from('{}'), scope).kind).toBe('unknown');
    expect(dynamoAuthorization('DynamoDB_20120810.GetItem', Buffer.from('not json'), scope).kind).toBe('unknown');
    // Names are data: an operation or a transaction part named like an Object property is unknown.
    expect(dynamo('constructor', {}).kind).toBe('unknown');
    expect(dynamo('TransactWriteItems', { TransactItems: [{ constructor: { TableName: 't' } }] }).kind).toBe('unknown');
  });
});

describe('the embedded stores, enforcing each principal’s policy', () => {
  it('answers a denied S3 request 403 AccessDenied, in S3’s XML', async () => {
    const response = await failure(
      rawS3As('EnrollmentPhoto').send(
        new PutObjectCommand({ Bucket: standIns.bucket, Key: 'faces/x/enrollment.jpg', Body: 'x' }),
      ),
    );
    expect(response).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(response?.message).toMatch(/EnrollmentPhoto.*not authorized to perform: s3:PutObject on resource/);
  });

  it('answers a denied DynamoDB request 400 AccessDeniedException, in DynamoDB’s JSON', async () => {
    const response = await failure(
      dynamoAs('DownloadFileDocument').send(
        new GetItemCommand({ TableName: standIns.table, Key: { pk: { S: 'SOMETHING' }, sk: { S: 'x' } } }),
      ),
    );
    expect(response).toMatchObject({ name: 'AccessDeniedException', status: 400 });
    expect(response?.message).toMatch(/not authorized to perform: dynamodb:GetItem/);
  });

  it('holds items to their partition keys: a role read allowed, a person’s item or a scan denied', async () => {
    const photos = dynamoAs('UploadFileDocument');
    const role = await failure(
      photos.send(new GetItemCommand({ TableName: standIns.table, Key: { pk: { S: 'ROLE' }, sk: { S: 'none' } } })),
    );
    expect(role).toBeUndefined();
    const person = await failure(
      photos.send(new GetItemCommand({ TableName: standIns.table, Key: { pk: { S: 'PERSON#1' }, sk: { S: 'x' } } })),
    );
    expect(person).toMatchObject({ name: 'AccessDeniedException' });
    expect(await failure(photos.send(new ScanCommand({ TableName: standIns.table })))).toMatchObject({
      name: 'AccessDeniedException',
    });
    const query = await failure(
      photos.send(
        new QueryCommand({
          TableName: standIns.table,
          KeyConditionExpression: 'pk = :pk',
          ExpressionAttributeValues: { ':pk': { S: 'ROLE' } },
        }),
      ),
    );
    expect(query).toMatchObject({ name: 'AccessDeniedException' });
    const batch = await failure(
      dynamoAs('Operator').send(
        new BatchWriteItemCommand({
          RequestItems: { [standIns.table]: [{ DeleteRequest: { Key: { pk: { S: 'ROLE' }, sk: { S: 'x' } } } }] },
        }),
      ),
    );
    expect(batch).toMatchObject({ name: 'AccessDeniedException' });
    const transaction = await failure(
      dynamoAs('CompleteUploadSession').send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: standIns.table, Item: { pk: { S: 'PERSON#1' }, sk: { S: 'a' } } } },
            { Put: { TableName: standIns.table, Item: { pk: { S: 'ROLE' }, sk: { S: 'a' } } } },
          ],
        }),
      ),
    );
    expect(transaction).toMatchObject({ name: 'AccessDeniedException' });
  });

  it('lets a copy through only with the source readable and the destination writable', async () => {
    const key = `uploads/${randomUUID()}`;
    await s3As().send(new PutObjectCommand({ Bucket: standIns.bucket, Key: key, Body: 'staged' }));
    const copy = (principal: string, to: string) =>
      failure(
        rawS3As(principal).send(
          new CopyObjectCommand({ Bucket: standIns.bucket, Key: to, CopySource: `${standIns.bucket}/${key}` }),
        ),
      );
    expect(await copy('CompleteUploadSession', `people/${randomUUID()}/documents/d/u`)).toBeUndefined();
    // Upload may write people/ but not read uploads/; Complete may read uploads/ but not write faces/.
    expect(await copy('UploadFileDocument', `people/${randomUUID()}/documents/d/u`)).toMatchObject({ status: 403 });
    expect(await copy('CompleteUploadSession', `faces/${randomUUID()}/enrollment.jpg`)).toMatchObject({ status: 403 });
  });

  it('lets listing through only under the granted prefix', async () => {
    const list = (principal: string, prefix?: string) =>
      failure(rawS3As(principal).send(new ListObjectsV2Command({ Bucket: standIns.bucket, Prefix: prefix })));
    expect(await list('SweepOrphanDocuments', 'people/')).toBeUndefined();
    expect(await list('SweepOrphanDocuments', 'faces/')).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await list('SweepOrphanDocuments')).toMatchObject({ name: 'AccessDenied', status: 403 });
    expect(await list('EnrollmentPhoto', 'faces/')).toMatchObject({ status: 403 });
    expect(await list('EnrollmentPhoto', 'faces/f/enrollment.jpg')).toBeUndefined();
  });

  describe('S3’s rule for a read of a missing key', () => {
    it('answers 404 NoSuchKey to a caller that may list the key’s prefix, 403 AccessDenied to one that may not', async () => {
      const missing = `faces/${randomUUID()}/enrollment.jpg`;
      const get = (principal: string, key: string) =>
        failure(rawS3As(principal).send(new GetObjectCommand({ Bucket: standIns.bucket, Key: key })));
      expect(await get('EnrollmentPhoto', missing)).toMatchObject({ name: 'NoSuchKey', status: 404 });
      // DetectionPhoto may read faces/ too, but list only detections: for it the enrollment key is a 403.
      expect(await get('DetectionPhoto', missing)).toMatchObject({ name: 'AccessDenied', status: 403 });
      const head = await failure(
        rawS3As('DetectionPhoto').send(new HeadObjectCommand({ Bucket: standIns.bucket, Key: missing })),
      );
      expect(head).toMatchObject({ status: 403 });
      // The key exists: GetObject alone is enough.
      const present = `faces/${randomUUID()}/enrollment.jpg`;
      await s3As().send(new PutObjectCommand({ Bucket: standIns.bucket, Key: present, Body: jpegBytes() }));
      expect(await get('DetectionPhoto', present)).toBeUndefined();
    });

    it('the S3 adapter calls a missing key missing only where S3 says NoSuchKey; a 403 stays an error', async () => {
      const key = `faces/${randomUUID()}/enrollment.jpg`;
      const store = (principal: string) => makeObjectStore(s3As(principal), standIns.bucket);
      expect(await store('EnrollmentPhoto').get(key)).toBeUndefined();
      expect(await store('EnrollmentPhoto').head(key)).toBeUndefined();
      // Denied, it is an error of the function's configuration, named as such (a 500), never a missing key.
      await expect(store('DetectionPhoto').get(key)).rejects.toMatchObject({
        name: 'StorageAccessDeniedError',
        cause: { name: 'AccessDenied' },
      });
      await expect(store('DetectionPhoto').head(key)).rejects.toMatchObject({
        name: 'StorageAccessDeniedError',
        cause: { $metadata: { httpStatusCode: 403 } },
      });
      // And so is a DynamoDB refusal.
      const { makeDocumentStore, makeDynamoClient } = await import('@identities/aws');
      const documents = makeDocumentStore(
        makeDynamoClient({ ...storageAs(standIns, 'EnrollmentPhoto'), endpoint: standIns.dynamoEndpoint }),
        standIns.table,
      );
      await expect(documents.get(randomUUID(), 'd')).rejects.toMatchObject({
        name: 'StorageAccessDeniedError',
        cause: { name: 'AccessDeniedException' },
      });
    });

    it('answers a missing photo 404 with the route’s listing grant, and a 500 (never a 404) without it', async () => {
      const { ROUTE_HANDLERS } = await import('@identities/local');
      const { readAuthSettings } = await import('@identities/aws');
      const photo = () =>
        ROUTE_HANDLERS.EnrollmentPhoto({
          storage: storageAs(standIns, 'EnrollmentPhoto'),
          auth: readAuthSettings(process.env),
          logLevel: 'silent',
          corsOrigins: [],
        });
      const event = async () =>
        apiEvent({ path: `/api/v1/people/enrollmentPhoto/${randomUUID()}`, headers: bearer(await token()) });
      expect((await invoke(photo(), await event())).statusCode).toBe(404);
      const { localPolicy } = await import('@identities/local');
      const own = localPolicy('EnrollmentPhoto', {
        bucket: standIns.bucket,
        table: standIns.table,
        region: 'us-east-1',
      });
      stores.policies.set(
        'EnrollmentPhoto',
        own.filter((statement) => !statement.actions.includes('s3:ListBucket')),
      );
      try {
        expect((await invoke(photo(), await event())).statusCode).toBe(500);
      } finally {
        stores.policies.clear();
      }
    });
  });

  it('refuses a presigned form signed by a function that may not put its key', async () => {
    // Upload may put people/ keys, not uploads/ ones: S3 authorises a form against its signer.
    const forms = (principal: string) =>
      makeUploadTargets(
        makeS3Client({ ...storageAs(standIns, principal), endpoint: standIns.s3Endpoint }),
        standIns.bucket,
      );
    const post = async (principal: string) => {
      const { url, fields } = await forms(principal).presignPost(`uploads/${randomUUID()}`, {
        size: 3,
        contentType: 'application/pdf',
        expiresInSeconds: 60,
      });
      const form = new FormData();
      for (const [name, value] of Object.entries(fields)) form.set(name, value);
      form.set('file', new Blob([Buffer.from('pdf')], { type: 'application/pdf' }), 'file');
      const response = await fetch(url, { method: 'POST', body: form });
      return { status: response.status, body: await response.text() };
    };
    expect((await post('StartUploadSession')).status).toBe(204);
    const refused = await post('UploadFileDocument');
    expect(refused.status).toBe(403);
    expect(refused.body).toContain('<Code>AccessDenied</Code>');
  });

  it('lets the install’s own key do anything, and knows no key it did not make', async () => {
    const key = `faces/${randomUUID()}/enrollment.jpg`;
    expect(
      await failure(s3As().send(new PutObjectCommand({ Bucket: standIns.bucket, Key: key, Body: 'x' }))),
    ).toBeUndefined();
    expect(await failure(s3As().send(new DeleteObjectCommand({ Bucket: standIns.bucket, Key: key })))).toBeUndefined();
    const stranger = new S3Client({
      region: STAND_IN_REGION,
      endpoint: standIns.s3Endpoint,
      forcePathStyle: true,
      credentials: { accessKeyId: 'AKILAAAAAAAAAAAAAAAA', secretAccessKey: 'x'.repeat(40) },
      maxAttempts: 1,
    });
    clients.push(stranger);
    expect(await failure(stranger.send(new GetObjectCommand({ Bucket: standIns.bucket, Key: key })))).toMatchObject({
      name: 'InvalidAccessKeyId',
      status: 403,
    });
  });
});

describe('with policies off', () => {
  it('still needs a principal’s key, but lets it do anything', async () => {
    const scratchDir = await mkdtemp(join(tmpdir(), 'identities-iam-off-'));
    const open = await startStandIns({ scratchDir, bucket: 'open', table: 'open', enforcePolicies: false });
    try {
      expect(open.principals.enforcing).toBe(false);
      const client = new S3Client({
        region: STAND_IN_REGION,
        endpoint: open.s3Endpoint,
        forcePathStyle: true,
        credentials: open.principals.of('EnrollmentPhoto').credentials,
        maxAttempts: 1,
      });
      clients.push(client);
      expect(
        await failure(client.send(new PutObjectCommand({ Bucket: 'open', Key: 'people/x', Body: 'x' }))),
      ).toBeUndefined();
    } finally {
      await open.close();
    }
  });
});

// Keeps the scenarios' module loaded here too: a scenario that stopped compiling fails this file as well.
void SCENARIOS;
