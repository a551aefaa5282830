import {
  ALLOWED_REQUEST_HEADERS,
  EXPOSED_HEADERS,
  HSTS,
  integrationTimeoutSeconds,
  PREFLIGHT_MAX_AGE_SECONDS,
  type Route,
  routes,
} from '@identities/core/infra';
import { jwtEnvironment } from './auth.ts';
import { functionArgs } from './functions.ts';
import type { Domain } from './stage-settings.ts';
import { stage } from './stages.ts';

/**
 * The REST API (only REST APIs stream Lambda responses), one function per route of the route table.
 * Regional endpoint: a streamed response may idle for 5 minutes there, 30 seconds on an edge endpoint.
 */

/** The CORS rules the functions follow (packages/core), for what API Gateway answers itself. */
const CORS = {
  allowHeaders: ALLOWED_REQUEST_HEADERS,
  exposeHeaders: EXPOSED_HEADERS,
  maxAgeSeconds: PREFLIGHT_MAX_AGE_SECONDS,
} as const;

/** Built after the routes, but the deployment must include them: see `transform.deployment`. */
const corsResources: $util.Resource[] = [];

export const api = new sst.aws.ApiGatewayV1('Api', {
  endpoint: { type: 'regional' },
  ...(stage.domain === undefined ? {} : { domain: domainArgs(stage.domain) }),
  // SST's CORS allows any origin; the preflight below allows the customer's web app only.
  cors: false,
  accessLog: { retention: stage.logRetention },
  transform: {
    // API Gateway passes every body through as bytes: uploads arrive base64-encoded, never mangled.
    api: { binaryMediaTypes: ['*/*'] },
    deployment: (args, opts) => {
      opts.dependsOn = corsResources;
      args.triggers = $resolve([args.triggers ?? {}]).apply(([triggers]) => ({
        ...triggers,
        cors: JSON.stringify({ origin: stage.webOrigin ?? null, ...CORS }),
      }));
    },
  },
});

function domainArgs(domain: Domain) {
  // Another product owns the host's API Gateway domain: add our base path to it.
  // (SST's type asks for `name` here too, which its own check then rejects.)
  if (domain.sharedDomain) return { nameId: domain.name, path: domain.path } as sst.aws.ApiGatewayV1DomainArgs;
  // DNS outside Route 53: the operator points the host at the API's regional domain name.
  if (domain.certificateArn !== undefined) {
    return { name: domain.name, path: domain.path, cert: domain.certificateArn, dns: false as const };
  }
  // The certificate is validated, and the host aliased, in the Route 53 zone that holds the host.
  return { name: domain.name, path: domain.path };
}

/** Every route of the route table, each with its own function, which also answers HEAD where the route says. */
export const apiRoutes = routes.map((route) => {
  const fn = new sst.aws.Function(route.id, functionFor(route));
  const methods = route.head ? [route.method, 'HEAD'] : [route.method];
  const [resourceId] = methods.map(
    (method) =>
      api.route(`${method} ${route.path}`, fn.arn, {
        name: method === route.method ? route.id : `${route.id}${method}`,
        streaming: route.response === 'stream',
        transform: { integration: { timeoutMilliseconds: integrationTimeoutMs(route) } },
      }).nodes.integration.resourceId,
  );
  if (resourceId === undefined) throw new Error(`route ${route.id} has no method`);
  return { route, fn, methods, resourceId };
});

function functionFor(route: Route): sst.aws.FunctionArgs {
  return functionArgs({
    ...route,
    description: `${route.method} ${route.path}`,
    streaming: route.response === 'stream',
    environment: {
      ...jwtEnvironment,
      ...(stage.webOrigin === undefined ? {} : { CORS_ALLOWED_ORIGINS: stage.webOrigin }),
      AUDIT_RETENTION_DAYS: String(stage.audit.retentionDays),
      AUDIT_PHOTO_DOWNLOADS: stage.audit.photoDownloads ? 'on' : 'off',
    },
  });
}

/**
 * A streamed response may run as long as its function (API Gateway allows up to 15 minutes); a buffered
 * one is cut at API Gateway's default 29 seconds (the platform's limits, core's platform.ts).
 */
function integrationTimeoutMs(route: Route): number {
  return integrationTimeoutSeconds(route) * 1000;
}

if (stage.webOrigin !== undefined) corsResources.push(...corsForOrigin(stage.webOrigin));
corsResources.push(...gatewayResponses(stage.webOrigin));

/**
 * API Gateway answers preflights on every path (a MOCK integration, no function invoked), and adds CORS
 * headers to the errors it answers itself (throttling, a missing route). It cannot add headers to a Lambda
 * proxy response: the functions add theirs, for the origins in CORS_ALLOWED_ORIGINS.
 */
function corsForOrigin(origin: string): $util.Resource[] {
  const paths = new Map<string, { resourceId: $util.Output<string>; methods: string[]; id: string }>();
  for (const { route, methods, resourceId } of apiRoutes) {
    const entry = paths.get(route.path);
    if (entry === undefined) paths.set(route.path, { resourceId, methods: [...methods], id: route.id });
    else entry.methods.push(...methods);
  }
  const quoted = (value: string) => `'${value}'`;
  const preflightHeaders = (methods: string[]) => ({
    'method.response.header.Access-Control-Allow-Origin': quoted(origin),
    'method.response.header.Access-Control-Allow-Methods': quoted([...methods, 'OPTIONS'].join(',')),
    'method.response.header.Access-Control-Allow-Headers': quoted(CORS.allowHeaders.join(',')),
    'method.response.header.Access-Control-Max-Age': quoted(String(CORS.maxAgeSeconds)),
    'method.response.header.Vary': quoted('Origin'),
    'method.response.header.X-Content-Type-Options': quoted('nosniff'),
  });
  const resources: $util.Resource[] = [];
  for (const { resourceId, methods, id } of paths.values()) {
    const headers = preflightHeaders(methods);
    const method = new aws.apigateway.Method(`ApiCors${id}Method`, {
      restApi: api.nodes.api.id,
      resourceId,
      httpMethod: 'OPTIONS',
      authorization: 'NONE',
    });
    const methodResponse = new aws.apigateway.MethodResponse(`ApiCors${id}MethodResponse`, {
      restApi: api.nodes.api.id,
      resourceId,
      httpMethod: method.httpMethod,
      statusCode: '204',
      responseParameters: Object.fromEntries(Object.keys(headers).map((name) => [name, true])),
    });
    const integration = new aws.apigateway.Integration(`ApiCors${id}Integration`, {
      restApi: api.nodes.api.id,
      resourceId,
      httpMethod: method.httpMethod,
      type: 'MOCK',
      // With binary media type */* a mock integration must treat the (empty) body as text.
      contentHandling: 'CONVERT_TO_TEXT',
      requestTemplates: { 'application/json': '{"statusCode": 204}' },
    });
    const integrationResponse = new aws.apigateway.IntegrationResponse(
      `ApiCors${id}IntegrationResponse`,
      {
        restApi: api.nodes.api.id,
        resourceId,
        httpMethod: method.httpMethod,
        statusCode: methodResponse.statusCode,
        responseParameters: headers,
      },
      { dependsOn: [integration] },
    );
    resources.push(method, methodResponse, integration, integrationResponse);
  }
  return resources;
}

/**
 * The answers API Gateway gives itself (a missing route, throttling, a failed integration) carry the
 * headers every response of this API carries, and the web app's CORS headers where there is one.
 */
function gatewayResponses(origin: string | undefined): $util.Resource[] {
  const quoted = (value: string) => `'${value}'`;
  return ['4XX', '5XX'].map(
    (type) =>
      new aws.apigateway.Response(`ApiGateway${type}Response`, {
        restApiId: api.nodes.api.id,
        responseType: `DEFAULT_${type}`,
        responseParameters: {
          'gatewayresponse.header.X-Content-Type-Options': quoted('nosniff'),
          'gatewayresponse.header.Strict-Transport-Security': quoted(HSTS),
          ...(origin === undefined
            ? {}
            : {
                'gatewayresponse.header.Access-Control-Allow-Origin': quoted(origin),
                'gatewayresponse.header.Access-Control-Expose-Headers': quoted(CORS.exposeHeaders.join(',')),
                'gatewayresponse.header.Vary': quoted('Origin'),
              }),
        },
      }),
  );
}

api.deploy();

const apiStage = api.nodes.stage;
if (apiStage === undefined) throw new Error('the API has no stage after deploy()');

/** Throttling for the whole stage; detailed metrics per method. No execution logs: they never expire. */
new aws.apigateway.MethodSettings('ApiMethodSettings', {
  restApi: api.nodes.api.id,
  stageName: apiStage.stageName,
  methodPath: '*/*',
  settings: {
    throttlingRateLimit: stage.throttle.rateLimit,
    throttlingBurstLimit: stage.throttle.burstLimit,
    metricsEnabled: true,
    loggingLevel: 'OFF',
    dataTraceEnabled: false,
  },
});

/** Where the seed's curl examples point: `https://<customer>.econnectcloud.com/identities`. */
export const baseUrl =
  stage.domain === undefined ? api.url : $interpolate`https://${stage.domain.name}/${stage.domain.path}`;
