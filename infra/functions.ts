import type { StorageAccess } from '@identities/core/infra';
import { statementsFor } from './permissions.ts';
import { stage } from './stages.ts';
import { bucket, table } from './storage.ts';

/** What every function of a stage is built from: a route's or a scheduled job's entry in the route table. */
export interface FunctionSpec {
  readonly id: string;
  readonly handler: string;
  readonly description: string;
  readonly memoryMb: number;
  readonly timeoutSeconds: number;
  readonly access: StorageAccess;
  readonly streaming: boolean;
  readonly environment: Record<string, $util.Input<string>>;
}

/** One function: current Node.js on arm64, its own log group, and exactly the access its entry states. */
export function functionArgs(spec: FunctionSpec): sst.aws.FunctionArgs {
  return {
    handler: spec.handler,
    description: spec.description,
    streaming: spec.streaming,
    runtime: 'nodejs24.x',
    architecture: 'arm64',
    memory: `${spec.memoryMb} MB`,
    timeout: `${spec.timeoutSeconds} seconds`,
    logging: { retention: stage.logRetention },
    environment: {
      BUCKET_NAME: bucket.name,
      // Only functions that touch items know the table.
      ...(spec.access.items.length > 0 ? { TABLE_NAME: table.name } : {}),
      ...spec.environment,
      LOG_LEVEL: 'info',
    },
    // Least privilege from the route table, instead of `link`, which would grant s3:* and dynamodb:*.
    permissions: statementsFor(spec.id, spec.access, {
      objectsUnder: (prefix) => $interpolate`${bucket.arn}/${prefix}*`,
      bucket: bucket.arn,
      table: table.arn,
      index: (name) => $interpolate`${table.arn}/index/${name}`,
    }),
    // As SST bundles by default, stated because scripts/bundle.ts measures the same bundles.
    nodejs: { format: 'esm', minify: true, sourcemap: false },
    transform: {
      // Only Lambda may assume the role. (SST 4.17 also trusts the account root, meant for `sst dev` only.)
      role: { assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: 'lambda.amazonaws.com' }) },
    },
  };
}
