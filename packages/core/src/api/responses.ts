import {
  BadGatewayError,
  ForbiddenError,
  GatewayTimeoutError,
  RangeNotSatisfiableError,
  ServiceUnavailableError,
  UnauthorizedError,
} from '../errors.ts';
import { problemResponse } from '../lambda-adapter.ts';
import type { Permission } from '../routes.ts';
import { ref, type Schema } from './schemas.ts';

/** The pieces of an OpenAPI 3.1 operation this service describes, as plain data. */
export interface HeaderDescription {
  readonly description: string;
  readonly required?: boolean;
  readonly schema: Schema;
}

export interface Example {
  readonly summary?: string;
  readonly value: unknown;
}

export interface MediaTypeDescription {
  readonly schema?: Schema;
  readonly examples?: Readonly<Record<string, Example>>;
  readonly encoding?: Readonly<Record<string, { readonly contentType: string }>>;
}

export interface ResponseDescription {
  readonly description: string;
  readonly headers?: Readonly<Record<string, HeaderDescription>>;
  readonly content?: Readonly<Record<string, MediaTypeDescription>>;
}

export type Responses = Readonly<Record<string, ResponseDescription>>;

const EXAMPLE_REQUEST_ID = 'c6a1f0de-2b8e-4c59-9a57-5c2f8f7d4e11';

export const PROBLEM_JSON = 'application/problem+json';

const header = (description: string, schema: Schema = { type: 'string' }, required = true): HeaderDescription => ({
  description,
  required,
  schema,
});

/** Response headers, described once. */
export const HEADERS = {
  ETag: header('Strong entity tag of the bytes; send it back in If-None-Match or If-Range.', {
    type: 'string',
    pattern: '^"[^"]*"$',
  }),
  CacheControl: header('How the response may be cached.'),
  AcceptRanges: header('Single byte ranges are served.', { type: 'string', const: 'bytes' }),
  ContentLength: header('Size of the body in bytes (of the whole representation for HEAD).', {
    type: 'string',
    pattern: '^[0-9]+$',
  }),
  ContentRange: header('The range sent, and the whole size.', {
    type: 'string',
    pattern: '^bytes [0-9]+-[0-9]+/[0-9]+$',
  }),
  UnsatisfiedRange: header('The whole size, for a range that starts past its end.', {
    type: 'string',
    pattern: '^bytes \\*/[0-9]+$',
  }),
  ContentDisposition: header(
    'Always an attachment, with an ASCII `filename` and the exact UTF-8 name as `filename*` (RFC 6266).',
    { type: 'string', pattern: '^attachment' },
  ),
  NoSniff: header('Browsers never guess another type.', { type: 'string', const: 'nosniff' }),
  Location: header("Where the document's data is downloaded, relative to the request URL."),
  WwwAuthenticate: header('The scheme to authenticate with (RFC 6750).', { type: 'string', pattern: '^Bearer ' }),
  RetryAfter: header('Seconds to wait before retrying.', { type: 'string', pattern: '^[0-9]+$' }),
  Link: header('The next page (RFC 8288), relative to the request URL: `<…?limit=…&cursor=…>; rel="next"`.', {
    type: 'string',
    pattern: '^<[^>]+>; rel="next"$',
  }),
} as const;

/** The problem+json body `problemResponse` sends for this error: examples come from the code that answers. */
function problemExample(error: unknown): Example {
  const response = problemResponse(error, EXAMPLE_REQUEST_ID);
  const value = JSON.parse(String(response.body)) as { detail: string };
  return { summary: value.detail, value };
}

function exampleName(error: unknown, index: number): string {
  const base = error instanceof Error && error.constructor !== Error ? error.constructor.name : 'InternalError';
  return index === 0 ? base : `${base}${index + 1}`;
}

/** A problem+json response with one example per error the operation can throw for this status. */
export function problem(
  description: string,
  errors: readonly unknown[],
  headers: Readonly<Record<string, HeaderDescription>> = {},
): ResponseDescription {
  const examples: Record<string, Example> = {};
  errors.forEach((error, index) => {
    let name = exampleName(error, 0);
    if (Object.hasOwn(examples, name)) name = exampleName(error, index);
    examples[name] = problemExample(error);
  });
  return {
    description,
    headers: { 'X-Content-Type-Options': HEADERS.NoSniff, ...headers },
    content: { [PROBLEM_JSON]: { schema: ref('Problem'), examples } },
  };
}

/** API Gateway's own JSON answer (`{"message": ...}`), which the local gateway gives too. */
function gatewayMessage(message: string): MediaTypeDescription {
  return { schema: ref('GatewayMessage'), examples: { [message.replace(/\W+/g, '')]: { value: { message } } } };
}

/** Merges two descriptions of one status: their headers and media types, and each media type's examples. */
export function mergeResponses(a: ResponseDescription, b: ResponseDescription): ResponseDescription {
  const content: Record<string, MediaTypeDescription> = { ...a.content };
  for (const [type, media] of Object.entries(b.content ?? {})) {
    const existing = content[type];
    content[type] =
      existing === undefined ? media : { ...existing, examples: { ...existing.examples, ...media.examples } };
  }
  const headers = { ...a.headers, ...b.headers };
  return {
    description: [...new Set([a.description, b.description].filter((text) => text !== ''))].join(' '),
    ...(Object.keys(headers).length === 0 ? {} : { headers }),
    ...(Object.keys(content).length === 0 ? {} : { content }),
  };
}

/**
 * What every operation can answer besides its own statuses: a refused token, a missing permission, and
 * the failures of the service, its dependencies and API Gateway.
 */
export function commonResponses(route: {
  readonly method: string;
  readonly permission: Permission | null;
}): Record<string, ResponseDescription> {
  const responses: Record<string, ResponseDescription> = {
    '401': problem(
      'The bearer token is missing or invalid.',
      [new UnauthorizedError('A bearer token is required.'), new UnauthorizedError('The token has expired.')],
      { 'WWW-Authenticate': HEADERS.WwwAuthenticate },
    ),
  };
  if (route.permission !== null) {
    responses['403'] = problem(`The caller lacks the "${route.permission}" permission.`, [
      new ForbiddenError(`This operation needs the "${route.permission}" permission.`),
    ]);
  }
  // A method that carries a body meets API Gateway's payload limit before the function.
  if (['POST', 'PUT', 'PATCH'].includes(route.method)) {
    responses['413'] = {
      description: "The request is larger than API Gateway's limit (10 MB, or 6 MB once base64-encoded for Lambda).",
      content: {
        'application/json': {
          ...gatewayMessage('Request Too Long'),
          examples: {
            ...gatewayMessage('Request Too Long').examples,
            ...gatewayMessage('Request Entity Too Large').examples,
          },
        },
      },
    };
  }
  responses['500'] = problem('An unexpected failure; quote the requestId.', [new Error('unexpected')]);
  responses['502'] = mergeResponses(problem('A dependency failed.', [new BadGatewayError('storage failed')]), {
    description: '',
    content: { 'application/json': gatewayMessage('Internal server error') },
  });
  responses['503'] = problem(
    'Storage or the token signing keys are throttling or unreachable; retry after the time given.',
    [new ServiceUnavailableError('unavailable')],
    { 'Retry-After': HEADERS.RetryAfter },
  );
  responses['504'] = mergeResponses(
    problem('A dependency did not answer in time.', [new GatewayTimeoutError('slow')]),
    {
      description: '',
      content: { 'application/json': gatewayMessage('Endpoint request timed out') },
    },
  );
  return responses;
}

/** The responses of a download (GET and HEAD): whole, one range, not modified, unsatisfiable range. */
export function downloadResponses(options: {
  readonly what: string;
  readonly content: Readonly<Record<string, MediaTypeDescription>>;
  readonly attachment: boolean;
  readonly notFound: ResponseDescription;
}): Record<string, ResponseDescription> {
  const headers = {
    ETag: HEADERS.ETag,
    'Cache-Control': HEADERS.CacheControl,
    'Accept-Ranges': HEADERS.AcceptRanges,
    'Content-Length': HEADERS.ContentLength,
    'X-Content-Type-Options': HEADERS.NoSniff,
    ...(options.attachment ? { 'Content-Disposition': HEADERS.ContentDisposition } : {}),
  };
  return {
    '200': { description: `The ${options.what}.`, headers, content: options.content },
    '206': {
      description: `One range of the ${options.what} (a single \`bytes=\` range; If-Range must match the ETag).`,
      headers: { ...headers, 'Content-Range': HEADERS.ContentRange },
      content: options.content,
    },
    '304': {
      description: 'If-None-Match matched the current ETag: no body.',
      headers: { ETag: HEADERS.ETag, 'Cache-Control': HEADERS.CacheControl },
    },
    '404': options.notFound,
    '416': problem('The range starts past the end.', [new RangeNotSatisfiableError(1024)], {
      'Content-Range': HEADERS.UnsatisfiedRange,
    }),
  };
}
