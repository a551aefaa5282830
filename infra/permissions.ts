import type { StorageAccess } from '@identities/core/infra';

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
}

/**
 * Object actions, each granted on a key prefix. Bucket-level actions have no key to scope them by, so
 * none may be asked for, but listing: that is granted on the bucket limited by an `s3:prefix` condition.
 */
const OBJECT_ACTIONS = new Set(['s3:GetObject', 's3:PutObject', 's3:DeleteObject']);

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
 * The statements a route's function gets, derived from the route table's `access`: object actions on
 * `<bucket>/<prefix>*`, item actions on the table restricted to items whose partition key matches.
 */
export function statementsFor<R>(routeId: string, access: StorageAccess, targets: AccessTargets<R>): Statement<R>[] {
  const objects = access.objects.map(({ actions, prefix }) => {
    checkActions(routeId, actions, OBJECT_ACTIONS);
    checkPrefix(routeId, prefix);
    return { actions: [...actions], resources: [targets.objectsUnder(prefix)] };
  });
  const items = access.items.map(({ actions, partitionKeys }) => {
    checkActions(routeId, actions, ITEM_ACTIONS);
    if (partitionKeys === '' || partitionKeys === '*') {
      throw new Error(`Route ${routeId}: DynamoDB access must be limited to a partition key pattern.`);
    }
    return {
      actions: [...actions],
      resources: [targets.table],
      conditions: [{ test: 'ForAllValues:StringLike', variable: 'dynamodb:LeadingKeys', values: [partitionKeys] }],
    };
  });
  const listing = (access.listing ?? []).map((prefix) => {
    checkPrefix(routeId, prefix);
    return {
      actions: ['s3:ListBucket'],
      resources: [targets.bucket],
      conditions: [{ test: 'StringLike', variable: 's3:prefix', values: [`${prefix}*`] }],
    };
  });
  return [...objects, ...listing, ...items];
}

function checkPrefix(routeId: string, prefix: string): void {
  if (prefix === '' || !prefix.endsWith('/') || /[*?]/.test(prefix)) {
    throw new Error(`Route ${routeId}: S3 prefix "${prefix}" must be a literal folder ending in "/".`);
  }
}

function checkActions(routeId: string, actions: readonly string[], allowed: ReadonlySet<string>): void {
  if (actions.length === 0) throw new Error(`Route ${routeId}: an access entry without actions.`);
  for (const action of actions) {
    if (!allowed.has(action)) {
      throw new Error(`Route ${routeId}: "${action}" is not one of ${[...allowed].join(', ')}.`);
    }
  }
}
