import type { IncomingHttpHeaders } from 'node:http';
import { bucketArn, tableArn } from '@identities/core/infra';
import { XMLParser } from 'fast-xml-parser';
import type { AuthorizationRequest } from './iam.ts';

/**
 * What IAM authorises for one store request: each action on each resource, with its condition keys.
 * An operation this list does not know is `unknown`: refused to every principal with a policy, as no
 * statement of theirs grants it.
 */
export type StoreAuthorization =
  | {
      readonly kind: 'known';
      readonly operation: string;
      readonly requests: readonly AuthorizationRequest[];
      /** A GetObject or HeadObject: S3 answers 403 for a missing key unless ListBucket allows its prefix. */
      readonly reads?: { readonly bucket: string; readonly key: string };
    }
  | { readonly kind: 'unknown'; readonly operation: string };

const unknown = (operation: string): StoreAuthorization => ({ kind: 'unknown', operation });

/** What a listing's query may carry; any other parameter names a bucket subresource. */
const LISTING_PARAMETERS = new Set([
  'list-type',
  'prefix',
  'delimiter',
  'max-keys',
  'continuation-token',
  'start-after',
  'marker',
  'encoding-type',
  'fetch-owner',
  'x-id',
]);

/** Object subresources named in the query, each its own IAM action. */
/** What ListObjectVersions takes beside the listing parameters. */
const VERSION_LISTING_PARAMETERS = new Set(['versions', 'key-marker', 'version-id-marker']);

const OBJECT_SUBRESOURCES = ['acl', 'tagging', 'retention', 'legal-hold', 'attributes', 'torrent', 'restore'];

/** A path-style S3 request (`/bucket/key?query`), as IAM's action reference maps its operation. */
export function s3Authorization(
  method: string,
  url: string,
  headers: IncomingHttpHeaders,
  /** The body of a DeleteObjects request, whose keys are each authorised as one delete. */
  body?: Buffer,
): StoreAuthorization {
  // The path as the stand-in routes it: never read as a URL, whose `//host` form would name another path.
  const queryStart = url.indexOf('?');
  const path = queryStart === -1 ? url : url.slice(0, queryStart);
  const query = new URLSearchParams(queryStart === -1 ? '' : url.slice(queryStart + 1));
  const [first = '', rawBucket = '', ...rawKey] = path.split('/');
  if (first !== '') return unknown('a path not from the root');
  let bucket: string;
  let key: string;
  try {
    bucket = decodeURIComponent(rawBucket);
    key = rawKey.map(decodeURIComponent).join('/');
  } catch {
    return unknown('MalformedPath');
  }
  // S3 keeps such a key as it is; the stand-in's file store would resolve it to another key's file.
  if (hasDotSegment(key)) return unknown('a key with a "." or ".." segment');
  const object = (action: string, objectKey = key, objectBucket = bucket): AuthorizationRequest => ({
    action,
    resource: `${bucketArn(objectBucket)}/${objectKey}`,
  });
  if (bucket === '') {
    return method === 'GET' && rawKey.length === 0
      ? one('ListBuckets', { action: 's3:ListAllMyBuckets', resource: '*' })
      : unknown(`${method} without a bucket`);
  }
  if (key === '') {
    // Bucket operations: only listing is this service's; every other one is refused to the functions.
    const named = [...query.keys()].filter((name) => !LISTING_PARAMETERS.has(name));
    if (method === 'GET' && named.length === 0) {
      const prefix = query.get('prefix');
      return one(query.get('list-type') === '2' ? 'ListObjectsV2' : 'ListObjects', {
        action: 's3:ListBucket',
        resource: bucketArn(bucket),
        // S3 sets s3:prefix to the request's prefix, and leaves it out when the request names none.
        context: { 's3:prefix': prefix ?? undefined },
      });
    }
    if (method === 'GET' && query.has('versions') && named.every((name) => VERSION_LISTING_PARAMETERS.has(name))) {
      return one('ListObjectVersions', {
        action: 's3:ListBucketVersions',
        resource: bucketArn(bucket),
        context: { 's3:prefix': query.get('prefix') ?? undefined },
      });
    }
    if (method === 'POST' && named.length === 1 && named[0] === 'delete') {
      const objects = body === undefined ? undefined : parseDeleteRequest(body)?.objects;
      if (objects === undefined) return unknown('DeleteObjects with a malformed body');
      // S3 authorises each key as the DeleteObject of it would be; here any key refused refuses them all.
      return {
        kind: 'known',
        operation: 'DeleteObjects',
        requests: objects.map(({ key: objectKey, versionId }) =>
          object(versionId === undefined ? 's3:DeleteObject' : 's3:DeleteObjectVersion', objectKey),
        ),
      };
    }
    if (method === 'HEAD' && named.length === 0)
      return one('HeadBucket', { action: 's3:ListBucket', resource: bucketArn(bucket) });
    return unknown(`${method} bucket ${named.join(',')}`);
  }
  const subresource = OBJECT_SUBRESOURCES.find((name) => query.has(name));
  if (subresource !== undefined) return unknown(`${method} object ?${subresource}`);
  if (method === 'GET' || method === 'HEAD') {
    if (query.has('uploadId')) return one('ListParts', object('s3:ListMultipartUploadParts'));
    return {
      kind: 'known',
      operation: method === 'GET' ? 'GetObject' : 'HeadObject',
      // A version of an object is its own action; S3's missing-key rule is the current version's.
      requests: [object(query.has('versionId') ? 's3:GetObjectVersion' : 's3:GetObject')],
      ...(query.has('versionId') ? {} : { reads: { bucket, key } }),
    };
  }
  if (method === 'PUT') {
    const source = headers['x-amz-copy-source'];
    if (typeof source === 'string') {
      const copied = parseCopySource(source);
      if (copied === undefined) return unknown('CopyObject with a malformed source');
      // A copy reads its source and writes its destination: both must be allowed.
      return {
        kind: 'known',
        operation: query.has('partNumber') ? 'UploadPartCopy' : 'CopyObject',
        requests: [
          object(copied.version ? 's3:GetObjectVersion' : 's3:GetObject', copied.key, copied.bucket),
          object('s3:PutObject'),
        ],
      };
    }
    return one(query.has('partNumber') ? 'UploadPart' : 'PutObject', object('s3:PutObject'));
  }
  if (method === 'POST' && (query.has('uploads') || query.has('uploadId'))) {
    return one(query.has('uploads') ? 'CreateMultipartUpload' : 'CompleteMultipartUpload', object('s3:PutObject'));
  }
  if (method === 'DELETE') {
    if (query.has('uploadId')) return one('AbortMultipartUpload', object('s3:AbortMultipartUpload'));
    return one('DeleteObject', object(query.has('versionId') ? 's3:DeleteObjectVersion' : 's3:DeleteObject'));
  }
  return unknown(`${method} object`);
}

/** Whether a request is DeleteObjects (`POST /bucket?delete`), whose body names what it deletes. */
export function isDeleteObjects(method: string, url: string): boolean {
  const [path = '', query = ''] = url.split('?', 2);
  return method === 'POST' && /^\/[^/]+\/?$/.test(path) && new URLSearchParams(query).has('delete');
}

/** S3 takes at most 1,000 keys a DeleteObjects request: well under this many bytes. */
export const MAX_DELETE_OBJECTS_BYTES = 2 * 1024 * 1024;

/**
 * What a DeleteObjects body names: its keys (and versions) and whether it is quiet; undefined unless it
 * is well-formed XML naming 1 to 1,000 keys, none with a dot segment.
 */
export function parseDeleteRequest(
  body: Buffer,
): { readonly objects: { key: string; versionId: string | undefined }[]; readonly quiet: boolean } | undefined {
  let parsed: { Delete?: { Object?: unknown; Quiet?: unknown } };
  try {
    parsed = new XMLParser({ parseTagValue: false, processEntities: true, trimValues: false }).parse(body);
  } catch {
    return undefined;
  }
  const listed = parsed?.Delete?.Object;
  const entries = (Array.isArray(listed) ? listed : listed === undefined ? [] : [listed]) as {
    Key?: unknown;
    VersionId?: unknown;
  }[];
  if (entries.length === 0 || entries.length > 1000) return undefined;
  const objects: { key: string; versionId: string | undefined }[] = [];
  for (const entry of entries) {
    if (typeof entry !== 'object' || entry === null || typeof entry.Key !== 'string' || entry.Key === '') {
      return undefined;
    }
    if (hasDotSegment(entry.Key)) return undefined;
    objects.push({ key: entry.Key, versionId: typeof entry.VersionId === 'string' ? entry.VersionId : undefined });
  }
  return { objects, quiet: String(parsed.Delete?.Quiet).trim() === 'true' };
}

const hasDotSegment = (key: string) => key.split('/').some((segment) => segment === '.' || segment === '..');

function one(operation: string, request: AuthorizationRequest): StoreAuthorization {
  return { kind: 'known', operation, requests: [request] };
}

/** `x-amz-copy-source`: `bucket/key` or `/bucket/key`, percent-encoded, perhaps with `?versionId=`. */
function parseCopySource(source: string): { bucket: string; key: string; version: boolean } | undefined {
  const [path = '', search = ''] = source.split('?');
  const version = new URLSearchParams(search).has('versionId');
  const [bucket = '', ...key] = path.replace(/^\//, '').split('/');
  try {
    const decodedKey = key.map(decodeURIComponent).join('/');
    if (bucket === '' || decodedKey === '' || hasDotSegment(decodedKey)) return undefined;
    return { bucket: decodeURIComponent(bucket), key: decodedKey, version };
  } catch {
    return undefined;
  }
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The partition key's value of an item or key (`{ pk: { S: 'PERSON#…' } }`). */
function leadingKeyOf(item: unknown, partitionKey: string): string[] {
  if (!isObject(item)) return [];
  const attribute = item[partitionKey];
  if (!isObject(attribute)) return [];
  const value = attribute.S ?? attribute.N ?? attribute.B;
  return typeof value === 'string' ? [value] : [];
}

/**
 * A Query's partition key value, from `KeyConditionExpression` (`#pk = :pk`, perhaps `AND` a sort key
 * condition), or the legacy `KeyConditions`.
 */
function queryLeadingKeys(input: Json, partitionKey: string): string[] {
  const names = isObject(input.ExpressionAttributeNames) ? input.ExpressionAttributeNames : {};
  const values = isObject(input.ExpressionAttributeValues) ? input.ExpressionAttributeValues : {};
  if (typeof input.KeyConditionExpression === 'string') {
    for (const clause of input.KeyConditionExpression.split(/\s+AND\s+/i)) {
      const match = /^\s*\(?\s*([#\w]+)\s*=\s*(:\w+)\s*\)?\s*$/.exec(clause);
      if (match === null) continue;
      const [, nameToken = '', valueToken = ''] = match;
      const name = nameToken.startsWith('#') ? names[nameToken] : nameToken;
      if (name === partitionKey) return leadingKeyOf({ [partitionKey]: values[valueToken] }, partitionKey);
    }
  }
  if (isObject(input.KeyConditions)) {
    const condition = input.KeyConditions[partitionKey];
    if (isObject(condition) && Array.isArray(condition.AttributeValueList)) {
      return leadingKeyOf({ [partitionKey]: condition.AttributeValueList[0] }, partitionKey);
    }
  }
  return [];
}

/** Operations on one item by its key, and the field that holds the key. */
const ITEM_OPERATIONS: ReadonlyMap<string, { action: string; field: 'Key' | 'Item' }> = new Map([
  ['GetItem', { action: 'dynamodb:GetItem', field: 'Key' }],
  ['DeleteItem', { action: 'dynamodb:DeleteItem', field: 'Key' }],
  ['UpdateItem', { action: 'dynamodb:UpdateItem', field: 'Key' }],
  ['PutItem', { action: 'dynamodb:PutItem', field: 'Item' }],
] as const);

const TRANSACT_WRITE: ReadonlyMap<string, { action: string; field: 'Key' | 'Item' }> = new Map([
  ['Put', { action: 'dynamodb:PutItem', field: 'Item' }],
  ['Update', { action: 'dynamodb:UpdateItem', field: 'Key' }],
  ['Delete', { action: 'dynamodb:DeleteItem', field: 'Key' }],
  ['ConditionCheck', { action: 'dynamodb:ConditionCheckItem', field: 'Key' }],
] as const);

/** Operations on tables, authorised on the table's ARN without item keys. */
const TABLE_OPERATIONS = new Set([
  'DescribeTable',
  'CreateTable',
  'DeleteTable',
  'UpdateTable',
  'DescribeTimeToLive',
  'UpdateTimeToLive',
  'Scan',
]);

/**
 * A DynamoDB JSON request (`X-Amz-Target: DynamoDB_20120810.<Operation>`), as IAM authorises it: each
 * table an operation touches, and the partition keys of the items it names as `dynamodb:LeadingKeys`.
 */
export function dynamoAuthorization(
  target: string | undefined,
  body: Buffer,
  scope: { readonly region: string; readonly account: string; readonly partitionKey: string },
): StoreAuthorization {
  const operation = /^DynamoDB_\d+\.(\w+)$/.exec(target ?? '')?.[1];
  if (operation === undefined) return unknown(target ?? 'no target');
  let input: unknown;
  try {
    input = JSON.parse(body.toString('utf8'));
  } catch {
    return unknown(operation);
  }
  if (!isObject(input)) return unknown(operation);
  const table = (name: unknown, index?: unknown) =>
    `${tableArn(scope.region, scope.account, String(name))}${typeof index === 'string' ? `/index/${index}` : ''}`;
  const keys = (values: string[]) => ({ 'dynamodb:LeadingKeys': values });
  const item = ITEM_OPERATIONS.get(operation);
  if (item !== undefined) {
    return one(operation, {
      action: item.action,
      resource: table(input.TableName),
      context: keys(leadingKeyOf(input[item.field], scope.partitionKey)),
    });
  }
  if (operation === 'Query') {
    return one(operation, {
      action: 'dynamodb:Query',
      resource: table(input.TableName, input.IndexName),
      context: keys(queryLeadingKeys(input, scope.partitionKey)),
    });
  }
  if (TABLE_OPERATIONS.has(operation)) {
    return one(operation, { action: `dynamodb:${operation}`, resource: table(input.TableName, input.IndexName) });
  }
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    if (!isObject(input.RequestItems)) return unknown(operation);
    const requests = Object.entries(input.RequestItems).map(([name, entry]) => {
      const itemKeys =
        operation === 'BatchGetItem'
          ? isObject(entry) && Array.isArray(entry.Keys)
            ? entry.Keys
            : []
          : Array.isArray(entry)
            ? entry.map((write: unknown) =>
                isObject(write)
                  ? ((isObject(write.PutRequest) ? write.PutRequest.Item : undefined) ??
                    (isObject(write.DeleteRequest) ? write.DeleteRequest.Key : undefined))
                  : undefined,
              )
            : [];
      return {
        action: `dynamodb:${operation}`,
        resource: table(name),
        context: keys(itemKeys.flatMap((key: unknown) => leadingKeyOf(key, scope.partitionKey))),
      };
    });
    return { kind: 'known', operation, requests };
  }
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems') {
    if (!Array.isArray(input.TransactItems)) return unknown(operation);
    const requests: AuthorizationRequest[] = [];
    for (const entry of input.TransactItems as unknown[]) {
      if (!isObject(entry)) return unknown(operation);
      const [kind, part] = Object.entries(entry)[0] ?? [];
      const mapped =
        operation === 'TransactGetItems'
          ? kind === 'Get'
            ? ITEM_OPERATIONS.get('GetItem')
            : undefined
          : TRANSACT_WRITE.get(kind ?? '');
      if (mapped === undefined || !isObject(part)) return unknown(operation);
      requests.push({
        action: mapped.action,
        resource: table(part.TableName),
        context: keys(leadingKeyOf(part[mapped.field], scope.partitionKey)),
      });
    }
    return { kind: 'known', operation, requests };
  }
  return unknown(operation);
}
