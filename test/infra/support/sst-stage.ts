import { existsSync, rmSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bundleFunction, type FunctionBundle } from '../../../scripts/bundle.ts';

/**
 * Builds one whole stage the way `sst deploy` evaluates sst.config.ts, with Pulumi's mocks in place of
 * AWS (as SST's own component tests do): SST's globals, SST's `run()` with its stack transformations,
 * and a stand-in for the SST CLI's RPC server that bundles each function for real.
 */

export const ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const PLATFORM = join(ROOT, '.sst', 'platform');

/**
 * SST's platform and its Pulumi are loaded by path at run time: type-checking them belongs to
 * infra/tsconfig.json (their Node types differ from this project's), so only what is used is typed here.
 */
const load = (path: string): Promise<unknown> => import(pathToFileURL(join(PLATFORM, path)).href);

interface MockResourceArgs {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  id?: string;
}

interface PulumiRuntime {
  setMocks(
    mocks: {
      newResource(args: MockResourceArgs): { id: string; state: Record<string, unknown> };
      call(args: { token: string; inputs: Record<string, unknown> }): Record<string, unknown>;
    },
    project: string,
    stack: string,
    preview: boolean,
  ): Promise<void>;
  runInPulumiStack(init: () => Promise<unknown>): Promise<Record<string, unknown>>;
  getMonitor(): unknown;
  disconnect(): Promise<void>;
}

interface SstConfig {
  app(input: { stage: string }): StageBuild['app'];
  run(): Promise<Record<string, unknown>>;
}

export const REGION = 'eu-central-1';
export const ACCOUNT = '123456789012';

export interface BuiltResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string;
  /** The inputs as the provider would receive them, every Output resolved. */
  readonly inputs: Record<string, unknown>;
  readonly retainOnDelete: boolean;
  readonly protect: boolean;
}

export interface BuiltFunction extends FunctionBundle {
  readonly properties: Record<string, unknown>;
}

export interface StageBuild {
  readonly stage: string;
  /** What `app()` in sst.config.ts answered for this stage. */
  readonly app: { name: string; home: string; removal?: string; protect?: boolean };
  readonly resources: readonly BuiltResource[];
  /** The stack outputs `run()` returned. */
  readonly outputs: Record<string, unknown>;
  /** Errors the deployment would fail with (thrown by the program, or rejected in its outputs). */
  readonly failures: readonly Error[];
  /** Each function's bundle, by SST function name, with the build settings SST asked for. */
  readonly bundles: ReadonlyMap<string, BuiltFunction>;
  ofType(type: string): BuiltResource[];
  children(parent: BuiltResource, type?: string): BuiltResource[];
}

export function requirePlatform(): void {
  if (!existsSync(join(PLATFORM, 'src', 'components', 'index.ts'))) {
    throw new Error('.sst/platform is missing: run `node scripts/sst-platform.mjs` (npm run typecheck does).');
  }
}

/** Builds `stage` with these SST secrets set. Call once per test file: Pulumi's runtime is global. */
export async function buildStage(stage: string, secrets: Record<string, string>): Promise<StageBuild> {
  requirePlatform();
  const work = await mkdtemp(join(tmpdir(), `identities-stage-${stage}-`));
  const bundles = new Map<string, BuiltFunction>();
  const rpc = await startRpcStandIn(work, bundles);
  for (const name of Object.keys(process.env)) if (name.startsWith('SST_SECRET_')) delete process.env[name];
  for (const [name, value] of Object.entries(secrets)) process.env[`SST_SECRET_${name}`] = value;
  process.env.SST_SERVER = rpc.url;

  const { runtime } = (await load('node_modules/@pulumi/pulumi/index.js')) as { runtime: PulumiRuntime };
  const inputs = new Map<string, Record<string, unknown>>();
  await runtime.setMocks(
    {
      newResource: (args) => {
        inputs.set(`${args.type}::${args.name}`, unwrapSecrets(args.inputs) as Record<string, unknown>);
        return {
          id: args.id || `${args.name}-id`,
          state: { ...args.inputs, ...computedState(args.type, args.name, args.inputs) },
        };
      },
      call: (args) => invoke(args.token, args.inputs),
    },
    'identities',
    stage,
    false,
  );
  const resources = recordRegistrations(runtime);

  const failures: Error[] = [];
  let abort: (error: Error) => void = () => {};
  const aborted = new Promise<never>((_, reject) => {
    abort = reject;
  });
  const onRejection = (reason: unknown) => {
    const error = reason instanceof Error ? reason : new Error(String(reason));
    failures.push(error);
    abort(error);
  };
  // The Pulumi language host ends the program at the first rejection nobody handles, and reports it as the
  // deployment's failure: resources waiting on the failed one would never resolve. So does this.
  const previous = process.listeners('unhandledRejection');
  process.removeAllListeners('unhandledRejection');
  process.on('unhandledRejection', onRejection);
  // Pulumi handles some of those rejections later, which Node would warn about; the failure is recorded.
  process.on('rejectionHandled', () => {});

  let app: StageBuild['app'] = { name: '', home: '' };
  let outputs: Record<string, unknown> = {};
  try {
    await installGlobals(stage, work);
    const config = ((await import(pathToFileURL(join(ROOT, 'sst.config.ts')).href)) as { default: SstConfig }).default;
    app = config.app({ stage });
    Object.assign(globalThis, {
      $app: { name: app.name, stage, removal: app.removal ?? 'retain', protect: app.protect ?? false, providers: {} },
    });
    const { run } = (await load('src/auto/run.ts')) as { run(program: () => Promise<unknown>): Promise<unknown> };
    const program = runtime.runInPulumiStack(() => run(() => config.run()));
    outputs = await Promise.race([program, aborted]);
    await Promise.race([settle(runtime), aborted]);
  } catch (error) {
    if (!failures.includes(error as Error)) failures.push(error instanceof Error ? error : new Error(String(error)));
    // Collect the other rejections of the same failure.
    await new Promise((resolve) => setTimeout(resolve, 50));
  } finally {
    process.removeListener('unhandledRejection', onRejection);
    // A failed program keeps rejecting with the same failure for a while; anything else is reported.
    const known = new Set(failures.map(({ message }) => message));
    process.on('unhandledRejection', (reason, promise) => {
      if (reason instanceof Error && known.has(reason.message)) return;
      for (const listener of previous) listener(reason, promise);
    });
    if (failures.length === 0) {
      await rpc.close();
      await rm(work, { recursive: true, force: true });
    } else {
      // The failed program's leftovers may still build functions: keep serving them until the process ends.
      rpc.unref();
      process.once('exit', () => rmSync(work, { recursive: true, force: true }));
    }
  }

  const all = [...resources.values()].map((resource) => ({
    ...resource,
    inputs: inputs.get(`${resource.type}::${resource.name}`) ?? {},
  }));
  return {
    stage,
    app,
    resources: all,
    outputs,
    failures,
    bundles,
    ofType: (type) => all.filter((resource) => resource.type === type),
    children: (parent, type) =>
      all.filter((resource) => resource.parent === parent.urn && (type === undefined || resource.type === type)),
  };
}

/** The options a provider would send, which Pulumi's mocks leave out of `newResource`. */
function recordRegistrations(runtime: PulumiRuntime) {
  const registered = new Map<string, Omit<BuiltResource, 'inputs'>>();
  const monitor = runtime.getMonitor() as {
    registerResource(request: RegisterRequest, callback: (error: unknown, response: unknown) => void): Promise<void>;
  };
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) =>
    register(request, (error, response) => {
      if (error === null || error === undefined) {
        const urn = (response as { getUrn(): string }).getUrn();
        registered.set(urn, {
          urn,
          type: request.getType(),
          name: request.getName(),
          parent: request.getParent(),
          retainOnDelete: request.getRetainondelete(),
          protect: request.getProtect(),
        });
      }
      callback(error, response);
    });
  return registered;
}

interface RegisterRequest {
  getType(): string;
  getName(): string;
  getParent(): string;
  getRetainondelete(): boolean;
  getProtect(): boolean;
}

/** Pulumi's wire form of a secret value; the tests look at the values themselves. */
const SECRET_SIGNATURE = ['4dabf18193072939515e22adb298388d', '1b47061264138c4ac30d75fd1eb44270'] as const;

function unwrapSecrets(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (typeof value !== 'object' || value === null) return value;
  const record = value as Record<string, unknown>;
  if (record[SECRET_SIGNATURE[0]] === SECRET_SIGNATURE[1]) return unwrapSecrets(record.value);
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, unwrapSecrets(item)]));
}

/** Waits until every resource registration, including those made inside `apply`, has gone through. */
async function settle(runtime: PulumiRuntime): Promise<void> {
  await runtime.disconnect();
  for (let i = 0; i < 5; i += 1) await new Promise((resolve) => setImmediate(resolve));
}

async function installGlobals(stage: string, work: string): Promise<void> {
  // The components read these at import time.
  Object.assign(globalThis, {
    $app: { name: 'identities', stage, removal: 'retain', protect: false, providers: {} },
    $dev: false,
    $cli: { command: 'deploy', dev: false, paths: { home: work, root: ROOT, work, platform: PLATFORM }, state: {} },
  });
  // What the SST CLI injects into sst.config.ts: the `$` helpers, `sst` and `aws`.
  Object.assign(globalThis, await load('src/shim/run.js'), {
    sst: await load('src/components/index.ts'),
    aws: await load('node_modules/@pulumi/aws/index.js'),
  });
}

/** Attributes the provider computes, in the formats AWS uses, so that ARNs in policies can be checked. */
function computedState(type: string, name: string, inputs: Record<string, unknown>): Record<string, unknown> {
  const physical = typeof inputs.name === 'string' ? inputs.name : name;
  switch (type) {
    case 'aws:s3/bucket:Bucket': {
      const bucket = typeof inputs.bucket === 'string' ? inputs.bucket : physical.toLowerCase();
      return { bucket, arn: `arn:aws:s3:::${bucket}` };
    }
    case 'aws:dynamodb/table:Table':
      return { name: physical, arn: `arn:aws:dynamodb:${REGION}:${ACCOUNT}:table/${physical}` };
    case 'aws:lambda/function:Function': {
      const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physical}`;
      return {
        name: physical,
        arn,
        qualifiedArn: `${arn}:$LATEST`,
        publish: inputs.publish ?? false,
        invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${arn}/invocations`,
        responseStreamingInvokeArn: `arn:aws:apigateway:${REGION}:lambda:path/2021-11-15/functions/${arn}/response-streaming-invocations`,
      };
    }
    case 'aws:apigateway/restApi:RestApi':
      return {
        name: physical,
        rootResourceId: `${name}-root`,
        executionArn: `arn:aws:execute-api:${REGION}:${ACCOUNT}:${name}-id`,
      };
    case 'aws:apigateway/domainName:DomainName':
      return {
        regionalDomainName: `d-${name.toLowerCase()}.execute-api.${REGION}.amazonaws.com`,
        regionalZoneId: 'Z2FDTNDATAQYW2',
      };
    case 'aws:acm/certificate:Certificate':
      return {
        arn: `arn:aws:acm:${REGION}:${ACCOUNT}:certificate/${name}`,
        domainValidationOptions: [
          {
            domainName: inputs.domainName,
            resourceRecordName: `_validation.${String(inputs.domainName)}.`,
            resourceRecordType: 'CNAME',
            resourceRecordValue: '_validation.acm-validations.aws.',
          },
        ],
      };
    case 'sst:aws:HostedZoneLookup':
    case 'pulumi-nodejs:dynamic:Resource':
      return { zoneId: 'Z0000000000TEST', base64: 'AAAA' };
    default:
      return {
        arn: `arn:aws:${type.split(':')[1]?.split('/')[0] ?? 'x'}:${REGION}:${ACCOUNT}:${physical}`,
        name: physical,
      };
  }
}

/** The provider functions SST calls; getPolicyDocument renders its JSON as the AWS provider does. */
function invoke(token: string, args: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case 'aws:index/getPartition:getPartition':
      return { partition: 'aws', dnsSuffix: 'amazonaws.com', id: 'aws' };
    case 'aws:index/getRegion:getRegion':
      return { name: REGION, region: REGION, id: REGION };
    case 'aws:index/getCallerIdentity:getCallerIdentity':
      return { accountId: ACCOUNT, arn: `arn:aws:iam::${ACCOUNT}:user/test`, userId: 'TEST', id: ACCOUNT };
    case 'aws:iam/getPolicyDocument:getPolicyDocument':
      return { json: JSON.stringify(policyDocument(args)), statements: args.statements };
    default:
      return args;
  }
}

interface PolicyStatementInput {
  effect?: string;
  actions?: string[];
  resources?: string[];
  principals?: { type: string; identifiers: string[] }[];
  conditions?: { test: string; variable: string; values: string[] }[];
}

function policyDocument(args: Record<string, unknown>) {
  const statements = (args.statements ?? []) as PolicyStatementInput[];
  return {
    Version: '2012-10-17',
    Statement: statements.map((statement) => ({
      Effect: statement.effect ?? 'Allow',
      ...(statement.actions ? { Action: statement.actions } : {}),
      ...(statement.resources ? { Resource: statement.resources } : {}),
      ...(statement.principals
        ? { Principal: Object.fromEntries(statement.principals.map((p) => [p.type, p.identifiers])) }
        : {}),
      ...(statement.conditions
        ? {
            Condition: Object.fromEntries(
              statement.conditions.map((condition) => [condition.test, { [condition.variable]: condition.values }]),
            ),
          }
        : {}),
    })),
  };
}

/** The SST CLI's RPC server, for the calls a deploy makes: the bootstrap bucket and each function's build. */
async function startRpcStandIn(work: string, bundles: Map<string, BuiltFunction>) {
  const server: Server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', async () => {
      const { method, params } = JSON.parse(body) as { method: string; params: [Record<string, unknown>] };
      const reply = (payload: unknown) => response.writeHead(200).end(JSON.stringify(payload));
      try {
        reply({ result: await answer(method, params[0]) });
      } catch (error) {
        reply({ error: error instanceof Error ? error.message : String(error) });
      }
    });
  });
  const answer = async (method: string, args: Record<string, unknown>) => {
    switch (method) {
      case 'Provider.Aws.Bootstrap':
        return { asset: 'sst-asset-test', state: 'sst-state-test', assetEcrRegistryId: '', assetEcrUrl: '' };
      case 'Runtime.Build': {
        const functionId = String(args.functionID);
        const out = join(work, 'artifacts', `${functionId}-src`);
        const bundle = await bundleFunction(ROOT, String(args.handler), out);
        bundles.set(functionId, { ...bundle, properties: (args.properties ?? {}) as Record<string, unknown> });
        return { handler: bundle.handler, out, errors: [], sourcemaps: [] };
      }
      default:
        throw new Error(`rpc: can't find method ${method}`);
    }
  };
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    unref: () => server.unref(),
  };
}
