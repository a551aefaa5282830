import { bucketArn, jobs, operator, policyFor, routes, type StorageAccess, tableArn } from '@identities/core/infra';
import { principalCredentials, type StoreCredentials } from './credentials.ts';
import type { PolicyStatement } from './iam.ts';

/** The account the embedded stores' ARNs name: no AWS account, so the placeholder AWS's tools use. */
export const LOCAL_ACCOUNT = '000000000000';

/** Who calls the embedded stores: a route's function, the job, the operator, or the install itself. */
export interface Principal {
  readonly name: string;
  readonly credentials: StoreCredentials;
  /**
   * The statements its requests are authorised against; absent for the install's own key (it creates
   * the table, as an account's administrator would) and for every principal when enforcement is off.
   */
  readonly policy: readonly PolicyStatement[] | undefined;
}

export interface Principals {
  /** The install's own key: creates the table; never handed to a function, the CLI or the sweeps. */
  readonly install: Principal;
  /** A route's or the job's function, or `Operator`. */
  of(name: string): Principal;
  byAccessKey(accessKeyId: string): Principal | undefined;
  /** Whether requests are authorised against the principals' policies. */
  readonly enforcing: boolean;
}

/** Every principal with a stated policy: each route's function, each job, the operator. */
export const PRINCIPAL_ACCESS: ReadonlyMap<string, StorageAccess> = new Map<string, StorageAccess>([
  ...routes.map((route) => [route.id, route.access] as const),
  ...jobs.map((job) => [job.id, job.access] as const),
  [operator.id, operator.access],
]);

/** The statements a principal gets on an install's bucket and table: the ones `infra/` attaches. */
export function localPolicy(
  name: string,
  storage: { readonly bucket: string; readonly table: string; readonly region: string },
  access: StorageAccess | undefined = PRINCIPAL_ACCESS.get(name),
): PolicyStatement[] {
  if (access === undefined) throw new Error(`no principal ${name}`);
  return policyFor(name, access, {
    bucket: bucketArn(storage.bucket),
    table: tableArn(storage.region, LOCAL_ACCOUNT, storage.table),
  });
}

/**
 * The install's principals, their keys derived from its key. `policies` replaces some principals'
 * statements, read at each request (a test taking one statement away to see its route fail).
 */
export function makePrincipals(options: {
  readonly install: StoreCredentials;
  readonly bucket: string;
  readonly table: string;
  readonly region: string;
  readonly enforce: boolean;
  readonly policies?: ReadonlyMap<string, readonly PolicyStatement[]>;
}): Principals {
  const install: Principal = { name: 'install', credentials: options.install, policy: undefined };
  const own = new Map([...PRINCIPAL_ACCESS.keys()].map((name) => [name, localPolicy(name, options)] as const));
  const keys = new Map([...own.keys()].map((name) => [name, principalCredentials(options.install, name)] as const));
  const principal = (name: string): Principal => {
    const credentials = keys.get(name);
    if (credentials === undefined) throw new Error(`no principal ${name}`);
    const policy = options.policies?.get(name) ?? own.get(name);
    return { name, credentials, policy: options.enforce ? policy : undefined };
  };
  const names = new Map([...keys].map(([name, credentials]) => [credentials.accessKeyId, name] as const));
  return {
    install,
    enforcing: options.enforce,
    of: principal,
    byAccessKey(accessKeyId) {
      if (accessKeyId === install.credentials.accessKeyId) return install;
      const name = names.get(accessKeyId);
      return name === undefined ? undefined : principal(name);
    },
  };
}

/**
 * Every principal's statements as a Markdown table, with the ARNs' variable parts as placeholders: what
 * the README shows, built by the same function that builds the policies (a test holds the two together).
 */
export function policyTable(): string {
  const rows = [...PRINCIPAL_ACCESS].flatMap(([name, access]) =>
    policyFor(name, access, {
      bucket: 'arn:aws:s3:::<bucket>',
      table: 'arn:aws:dynamodb:<region>:<account>:table/<table>',
    }).map((statement, index) => {
      const condition = (statement.conditions ?? [])
        .map(({ test, variable, values }) => `\`${test}\` \`${variable}\`: ${values.map((v) => `\`${v}\``).join(', ')}`)
        .join('; ');
      const actions = statement.actions.map((action) => `\`${action}\``).join(', ');
      const resources = statement.resources.map((resource) => `\`${resource}\``).join(', ');
      return `| ${index === 0 ? `\`${name}\`` : ''} | ${actions} | ${resources} | ${condition} |`;
    }),
  );
  return ['| Principal | Actions | Resource | Condition |', '|---|---|---|---|', ...rows].join('\n');
}
