import type { StorageAccess } from './routes.ts';

/**
 * The IAM statements a function (or the operator) gets, built from the route table's `access`: the
 * infrastructure attaches them to each function's role, and the local stores enforce the very same
 * statements, so a policy too tight for its code fails in `npm test`, not in the cloud.
 */

/** One IAM statement, in the shape `sst.aws.Function` takes in `permissions`; `R` is a resource ARN. */
export interface Statement<R> {
  readonly actions: string[];
  readonly resources: R[];
  readonly conditions?: { test: string; variable: string; values: string[] }[];
}

/**
 * How to name the resources: the objects under a key prefix (`<bucket ARN>/<prefix>*`), the bucket itself
 * (for listing), the table.
 */
export interface AccessTargets<R> {
  readonly objectsUnder: (prefix: string) => R;
  readonly bucket: R;
  readonly table: R;
  /** One of the table's indexes (`<table ARN>/index/<name>`): IAM authorises a Query on it there. */
  readonly index: (name: string) => R;
}

/**
 * Object actions, each granted on a key prefix. Bucket-level actions have no key to scope them by, so
 * none may be asked for, but listing: that is granted on the bucket limited by an `s3:prefix` condition.
 */
const OBJECT_ACTIONS = new Set([
  's3:GetObject',
  's3:PutObject',
  's3:DeleteObject',
  's3:GetObjectVersion',
  's3:DeleteObjectVersion',
]);

/**
 * Item actions that always name a partition key. `dynamodb:LeadingKeys` under `ForAllValues` holds
 * vacuously for a request without one (a Scan, a PartiQL statement), so only these may be granted.
 */
const ITEM_ACTIONS = new Set([
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:ConditionCheckItem',
  'dynamodb:Query',
  'dynamodb:BatchGetItem',
  'dynamodb:BatchWriteItem',
]);

/**
 * The statements of one principal, derived from its `access`: object actions on `<bucket>/<prefix>*`,
 * listing on the bucket limited by `s3:prefix`, item actions on the table restricted to items whose
 * partition key matches (`dynamodb:LeadingKeys`), and a whole-table Scan only where `scans` says so.
 */
export function statementsFor<R>(principal: string, access: StorageAccess, targets: AccessTargets<R>): Statement<R>[] {
  const objects = access.objects.map(({ actions, prefix }) => {
    checkActions(principal, actions, OBJECT_ACTIONS);
    checkPrefix(principal, prefix);
    return { actions: [...actions], resources: [targets.objectsUnder(prefix)] };
  });
  const listingOf = (action: string) => (pattern: string) => ({
    actions: [action],
    resources: [targets.bucket],
    conditions: [{ test: 'StringLike', variable: 's3:prefix', values: [listingPattern(principal, pattern)] }],
  });
  const listing = (access.listing ?? []).map(listingOf('s3:ListBucket'));
  const versionListing = (access.versionListing ?? []).map(listingOf('s3:ListBucketVersions'));
  const items = access.items.map(({ actions, partitionKeys, index }) => {
    checkActions(principal, actions, ITEM_ACTIONS);
    if (partitionKeys === '' || partitionKeys === '*') {
      throw new Error(`Route ${principal}: DynamoDB access must be limited to a partition key pattern.`);
    }
    if (index !== undefined && actions.some((action) => action !== 'dynamodb:Query')) {
      throw new Error(`Route ${principal}: only dynamodb:Query is granted on an index.`);
    }
    return {
      actions: [...actions],
      resources: [index === undefined ? targets.table : targets.index(index)],
      conditions: [{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: [partitionKeys] }],
    };
  });
  const scans = access.scans === true ? [{ actions: ['dynamodb:Scan'], resources: [targets.table] }] : [];
  return [...objects, ...listing, ...versionListing, ...items, ...scans];
}

/** The ARNs of one stage's (or one install's) bucket and table. */
export interface StorageArns {
  readonly bucket: string;
  readonly table: string;
}

export const bucketArn = (bucket: string) => `arn:aws:s3:::${bucket}`;
export const tableArn = (region: string, account: string, table: string) =>
  `arn:aws:dynamodb:${region}:${account}:table/${table}`;

/** The statements with plain ARNs: what the local stores enforce, and what the README shows. */
export function policyFor(principal: string, access: StorageAccess, arns: StorageArns): Statement<string>[] {
  return statementsFor(principal, access, {
    objectsUnder: (prefix) => `${arns.bucket}/${prefix}*`,
    bucket: arns.bucket,
    table: arns.table,
    index: (name) => `${arns.table}/index/${name}`,
  });
}

/** A listing grant: a folder (`people/`, anything under it) or a key pattern within one (`faces/*\/enrollment.jpg`). */
function listingPattern(principal: string, pattern: string): string {
  if (pattern.endsWith('/')) {
    checkPrefix(principal, pattern);
    return `${pattern}*`;
  }
  const folder = /^[^*?]+\//.exec(pattern)?.[0];
  if (folder === undefined || pattern.endsWith('*')) {
    throw new Error(
      `Route ${principal}: listing "${pattern}" must be a literal folder ending in "/", or a key pattern within one.`,
    );
  }
  return pattern;
}

function checkPrefix(principal: string, prefix: string): void {
  if (prefix === '' || !prefix.endsWith('/') || /[*?]/.test(prefix)) {
    throw new Error(`Route ${principal}: S3 prefix "${prefix}" must be a literal folder ending in "/".`);
  }
}

function checkActions(principal: string, actions: readonly string[], allowed: ReadonlySet<string>): void {
  if (actions.length === 0) throw new Error(`Route ${principal}: an access entry without actions.`);
  for (const action of actions) {
    if (!allowed.has(action)) {
      throw new Error(`Route ${principal}: "${action}" is not one of ${[...allowed].join(', ')}.`);
    }
  }
}
