import type { Route } from '@identities/core';
import type { BuiltResource, StageBuild } from './sst-stage.ts';

/** Reads a built stage the way AWS would see it: methods by path, their functions, roles and policies. */

export interface DeployedRoute {
  readonly method: string;
  readonly path: string;
  readonly integration: BuiltResource;
  readonly lambda: BuiltResource;
  readonly role: BuiltResource;
  readonly logGroup: BuiltResource;
}

export interface PolicyStatement {
  readonly effect: string;
  readonly actions: string[];
  readonly resources: string[];
  readonly conditions: Record<string, Record<string, string[]>>;
}

export const T = {
  method: 'aws:apigateway/method:Method',
  resource: 'aws:apigateway/resource:Resource',
  restApi: 'aws:apigateway/restApi:RestApi',
  integration: 'aws:apigateway/integration:Integration',
  lambda: 'aws:lambda/function:Function',
  role: 'aws:iam/role:Role',
  logGroup: 'aws:cloudwatch/logGroup:LogGroup',
  bucket: 'aws:s3/bucket:Bucket',
  table: 'aws:dynamodb/table:Table',
} as const;

export function text(resource: BuiltResource, key: string): string {
  const value = resource.inputs[key];
  if (typeof value !== 'string') throw new Error(`${resource.name}.${key} is not a string: ${JSON.stringify(value)}`);
  return value;
}

/** Every method the REST API answers, with the full path API Gateway routes to it. */
export function methods(build: StageBuild): { method: string; path: string; resource: BuiltResource }[] {
  const api = only(build.ofType(T.restApi));
  const resources = new Map(build.ofType(T.resource).map((resource) => [`${resource.name}-id`, resource]));
  const pathOf = (resourceId: string): string => {
    if (resourceId === `${api.name}-root`) return '';
    const resource = resources.get(resourceId);
    if (resource === undefined) throw new Error(`unknown API resource ${resourceId}`);
    return `${pathOf(text(resource, 'parentId'))}/${text(resource, 'pathPart')}`;
  };
  return build.ofType(T.method).map((resource) => ({
    method: text(resource, 'httpMethod'),
    path: pathOf(text(resource, 'resourceId')),
    resource,
  }));
}

/** The methods served by a function, each with its integration and the function's role and log group. */
export function deployedRoutes(build: StageBuild): DeployedRoute[] {
  const integrations = build.ofType(T.integration);
  const lambdas = new Map(build.ofType(T.lambda).map((lambda) => [text(lambda, 'name'), lambda]));
  return methods(build)
    .filter(({ method }) => method !== 'OPTIONS')
    .map(({ method, path, resource }) => {
      const integration = only(
        integrations.filter(
          ({ inputs }) => inputs.resourceId === resource.inputs.resourceId && inputs.httpMethod === method,
        ),
      );
      // The integration invokes `.../functions/arn:aws:lambda:<region>:<account>:function:<name>/...`.
      const name = /:function:([^/:]+)/.exec(text(integration, 'uri'))?.[1];
      const lambda = name === undefined ? undefined : lambdas.get(name);
      if (lambda === undefined) throw new Error(`${method} ${path} invokes no function of this stage`);
      const fn = build.resources.find((candidate) => candidate.urn === lambda.parent);
      if (fn === undefined) throw new Error(`function ${name} has no component`);
      return {
        method,
        path,
        integration,
        lambda,
        role: only(build.children(fn, T.role)),
        logGroup: only(build.children(fn, T.logGroup)),
      };
    });
}

export function inlineStatements(role: BuiltResource): PolicyStatement[] {
  const policies = (role.inputs.inlinePolicies ?? []) as { policy: string }[];
  return policies.flatMap(({ policy }) =>
    (JSON.parse(policy) as { Statement: Record<string, unknown>[] }).Statement.map((statement) => ({
      effect: String(statement.Effect),
      actions: list(statement.Action),
      resources: list(statement.Resource),
      conditions: (statement.Condition ?? {}) as Record<string, Record<string, string[]>>,
    })),
  );
}

export function environmentOf(lambda: BuiltResource): Record<string, string> {
  return ((lambda.inputs.environment as { variables?: Record<string, string> } | undefined)?.variables ?? {}) as Record<
    string,
    string
  >;
}

export function only<T>(items: readonly T[]): T {
  if (items.length !== 1) throw new Error(`expected exactly one, found ${items.length}`);
  return items[0] as T;
}

function list(value: unknown): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : [value]).map(String);
}

/** What the route table says the API answers: each route's method, and HEAD where the route has it. */
export function routeMethods(routes: readonly Route[]): string[] {
  return routes.flatMap(({ method, path, head }) => [`${method} ${path}`, ...(head ? [`HEAD ${path}`] : [])]).sort();
}

/** The route a method belongs to: its own method, or HEAD on a route that answers HEAD. */
export function routeOf(routes: readonly Route[], method: string, path: string): Route {
  const route = routes.find(
    (candidate) => candidate.path === path && (candidate.method === method || (method === 'HEAD' && candidate.head)),
  );
  if (route === undefined) throw new Error(`no route in the route table for ${method} ${path}`);
  return route;
}
