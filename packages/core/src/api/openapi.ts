import { PERMISSIONS, type Route, routes } from '../routes.ts';
import { OPERATIONS, type OperationDescription, PARAMETERS } from './operations.ts';
import { commonResponses, mergeResponses, type ResponseDescription } from './responses.ts';
import { type Schema, schemas } from './schemas.ts';

/** Where a route's schemas go, as the failures name it. */
export const OPERATIONS_FILE = 'packages/core/src/api/operations.ts';

export const API_VERSION = '1.0.0';

/** A route the description cannot be made for, with what to do about it. */
export class ApiDescriptionError extends Error {
  override readonly name = 'ApiDescriptionError';
}

const parameterNames = (path: string) => [...path.matchAll(/\{(\w+)\}/g)].map((match) => match[1] as string);

function permissionText(route: Route): string {
  return route.permission === null
    ? 'Permission: any authenticated user.'
    : `Permission: **${route.permission}** (category Identities).`;
}

/** The responses of HEAD: GET's statuses and headers, without bodies for the successes. */
function headResponses(responses: Record<string, ResponseDescription>): Record<string, ResponseDescription> {
  return Object.fromEntries(
    Object.entries(responses).map(([status, response]) => {
      if (!status.startsWith('2')) return [status, response];
      const { content: _content, ...rest } = response;
      return [status, { ...rest, description: `${response.description} Headers only.` }];
    }),
  );
}

function sortedByStatus(responses: Record<string, ResponseDescription>): Record<string, ResponseDescription> {
  return Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b)));
}

function operationOf(route: Route, description: OperationDescription, method: Route['method'] | 'HEAD') {
  const responses: Record<string, ResponseDescription> = { ...description.responses };
  for (const [status, common] of Object.entries(commonResponses(route))) {
    const own = responses[status];
    responses[status] = own === undefined ? common : mergeResponses(own, common);
  }
  const parameters = parameterNames(route.path).map((name) => {
    const parameter = PARAMETERS[name];
    if (parameter === undefined) {
      throw new ApiDescriptionError(
        `Path parameter {${name}} of ${route.id} has no description: add it to PARAMETERS in ${OPERATIONS_FILE}.`,
      );
    }
    return { name, in: 'path', required: true, ...parameter };
  });
  for (const [name, parameter] of Object.entries(description.query ?? {})) {
    parameters.push({ name, in: 'query', required: parameter.required ?? false, ...parameter });
  }
  const head = method === 'HEAD';
  return {
    operationId: head ? `${route.id}Head` : route.id,
    tags: [description.tag],
    summary: head ? `${description.summary} Headers only (HEAD).` : description.summary,
    description: `${description.description}\n\n${permissionText(route)}`,
    'x-permission': route.permission,
    'x-route-id': route.id,
    'x-streamed': route.response === 'stream',
    ...(parameters.length === 0 ? {} : { parameters }),
    ...(description.requestBody === undefined ? {} : { requestBody: { required: true, ...description.requestBody } }),
    responses: sortedByStatus(head ? headResponses(responses) : responses),
  };
}

/**
 * The OpenAPI 3.1 description of the API, from the route table and `OPERATIONS`. Throws an
 * `ApiDescriptionError` naming the file to edit when a route has no description.
 */
export function openApiDocument(table: readonly Route[] = routes, operations = OPERATIONS) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of table) {
    const description = Object.hasOwn(operations, route.id)
      ? operations[route.id as keyof typeof operations]
      : undefined;
    if (description === undefined) {
      throw new ApiDescriptionError(
        `Route ${route.id} has no API description: add its entry, keyed "${route.id}", to OPERATIONS in ${OPERATIONS_FILE}, then run npm run openapi.`,
      );
    }
    const item = paths[route.path] ?? {};
    paths[route.path] = item;
    item[route.method.toLowerCase()] = operationOf(route, description, route.method);
    if (route.head) item.head = operationOf(route, description, 'HEAD');
  }
  const known = new Set(table.map((route) => route.id));
  const stray = Object.keys(operations).filter((id) => !known.has(id));
  if (stray.length > 0) {
    throw new ApiDescriptionError(
      `OPERATIONS in ${OPERATIONS_FILE} describes routes the table has not: ${stray.join(', ')}.`,
    );
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'Identities Photos & Documents',
      version: API_VERSION,
      description: [
        "Retrieve face images and manage the file documents attached to a person. Every request carries a JWT bearer token; the permission each operation needs beyond it is stated on the operation (and in `x-permission`), named as in the Identities web app's roles (System → System settings → Roles).",
        '',
        `Permissions: ${Object.values(PERMISSIONS).join(', ')}.`,
        '',
        'Errors are RFC 9457 problem+json bodies; a limit or failure of API Gateway itself answers `{"message": ...}`.',
      ].join('\n'),
    },
    servers: [
      { url: 'https://customername.econnectcloud.com/identities', description: 'Cloud' },
      {
        url: 'https://{host}:5009',
        description: 'On-prem',
        variables: { host: { default: 'localhost', description: 'The server host or IP address.' } },
      },
    ],
    security: [{ bearer: [] }],
    tags: [
      { name: 'Photos', description: 'Face photos: enrollment and detection images.' },
      { name: 'File documents', description: 'Files attached to a person: upload and download.' },
    ],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description: "A JWT from the customer's identity provider (or, locally, `identities token`).",
        },
      },
      schemas: schemas as Record<string, Schema>,
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;

/** The committed file's text: stable key order as built, two-space indent, a final newline. */
export function openApiText(document: OpenApiDocument = openApiDocument()): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
