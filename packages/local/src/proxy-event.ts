import { randomUUID } from 'node:crypto';
import type { Route } from '@identities/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';

export interface ProxyEventInput {
  readonly route: Route;
  readonly method: string;
  /** The request path as sent, still percent-encoded (REST APIs deliver `path` that way). */
  readonly path: string;
  /** Header names as the client sent them, each with every value it was sent with. */
  readonly headers: Readonly<Record<string, readonly string[]>>;
  readonly query?: Readonly<Record<string, readonly string[]>>;
  readonly body?: Buffer;
  readonly sourceIp?: string;
  /** How the client reached the gateway; API Gateway tells functions in X-Forwarded-* headers. */
  readonly scheme?: 'http' | 'https';
  readonly port?: number;
  /** The gateway's id for the request, when it has answered anything for it already. */
  readonly requestId?: string;
}

/**
 * Builds the event API Gateway's REST API (payload 1.0, Lambda proxy) sends: `headers` with the last
 * value of each header and `multiValueHeaders` with all, names in the client's case; path parameters
 * decoded; a body base64-encoded, as binary media types `*\/*` make every body.
 */
export function proxyEvent(input: ProxyEventInput): APIGatewayProxyEvent {
  const pathParameters = matchPath(input.route.path, input.path);
  const sourceIp = input.sourceIp ?? '127.0.0.1';
  const multiValueHeaders: Record<string, readonly string[]> = {
    ...input.headers,
    // API Gateway sets these itself, replacing what a client sent.
    'X-Forwarded-For': [sourceIp],
    'X-Forwarded-Proto': [input.scheme ?? 'https'],
    'X-Forwarded-Port': [String(input.port ?? (input.scheme === 'http' ? 80 : 443))],
  };
  for (const name of Object.keys(input.headers)) {
    if (/^x-forwarded-(for|proto|port)$/i.test(name)) delete multiValueHeaders[name];
  }
  // Built from entries, never by assignment: a name such as `__proto__` stays an ordinary key.
  const headers = lastValues(multiValueHeaders);
  const query = input.query ?? {};
  const queryStringParameters = lastValues(query);
  const hasBody = input.body !== undefined && input.body.length > 0;
  const requestId = input.requestId ?? randomUUID();
  return {
    resource: input.route.path,
    path: input.path,
    httpMethod: input.method,
    headers,
    multiValueHeaders: Object.fromEntries(
      Object.entries(multiValueHeaders).map(([name, values]) => [name, [...values]]),
    ),
    queryStringParameters: Object.keys(queryStringParameters).length > 0 ? queryStringParameters : null,
    multiValueQueryStringParameters:
      Object.keys(query).length > 0
        ? Object.fromEntries(Object.entries(query).map(([name, values]) => [name, [...values]]))
        : null,
    pathParameters: pathParameters ?? null,
    stageVariables: null,
    body: hasBody ? (input.body as Buffer).toString('base64') : null,
    isBase64Encoded: hasBody,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: null,
      protocol: 'HTTP/1.1',
      httpMethod: input.method,
      identity: {
        accessKey: null,
        accountId: null,
        apiKey: null,
        apiKeyId: null,
        caller: null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp,
        user: null,
        userAgent: headers['User-Agent'] ?? headers['user-agent'] ?? null,
        userArn: null,
      },
      path: input.path,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: input.route.id,
      resourcePath: input.route.path,
    },
  };
}

function lastValues(multi: Readonly<Record<string, readonly string[]>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(multi).flatMap(([name, values]) => {
      const last = values.at(-1);
      return last === undefined ? [] : [[name, last]];
    }),
  );
}

/**
 * Matches a request path against a route's resource path. Parameters match one encoded segment each
 * and are then percent-decoded, as API Gateway does; undefined when the path does not match.
 */
export function matchPath(template: string, path: string): Record<string, string> | undefined {
  const want = template.split('/');
  const got = path.split('/');
  if (want.length !== got.length) return undefined;
  const parameters: Record<string, string> = {};
  for (const [index, part] of want.entries()) {
    const segment = got[index] ?? '';
    const name = /^\{(\w+)\}$/.exec(part)?.[1];
    if (name === undefined) {
      if (segment !== part) return undefined;
      continue;
    }
    if (segment === '') return undefined;
    try {
      parameters[name] = decodeURIComponent(segment);
    } catch {
      return undefined;
    }
  }
  return parameters;
}
