import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Holds observed responses to the API description: each response to a documented operation must have
 * a documented status, its documented headers, a documented content type and, for JSON, a body its
 * schema accepts. Responses to paths the description does not name (probes, storage, a test's own
 * servers) are not its business.
 */

export interface ObservedResponse {
  readonly method: string;
  /** The request target as sent (path and query). */
  readonly url: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | readonly string[] | number | undefined>>;
  /** The body's bytes, or its first bytes when `bodyBytes` says it was longer. */
  readonly body: Buffer;
  readonly bodyBytes: number;
}

type Json = { readonly [key: string]: unknown };

interface Operation {
  readonly operationId: string;
  readonly responses: Readonly<Record<string, Response>>;
}
interface Response {
  readonly headers?: Readonly<Record<string, { readonly required?: boolean; readonly schema: Json }>>;
  readonly content?: Readonly<Record<string, { readonly schema?: Json }>>;
}
interface Document {
  readonly paths: Readonly<Record<string, Readonly<Record<string, Operation>>>>;
  readonly components: { readonly schemas: Readonly<Record<string, Json>> };
}

const COMPONENTS_ID = 'urn:identities:components';

/** Points the description's `#/components/schemas/X` references at the components schema ajv holds. */
function retarget<T>(schema: T): T {
  return JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', `"${COMPONENTS_ID}#/$defs/`)) as T;
}

function mediaTypeMatches(range: string, actual: string): boolean {
  if (range === '*/*') return true;
  if (range.endsWith('/*')) return actual.startsWith(range.slice(0, -1));
  return range === actual;
}

const isJson = (mediaType: string) => mediaType === 'application/json' || mediaType.endsWith('+json');

function headerValue(headers: ObservedResponse['headers'], name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() !== lower || value === undefined) continue;
    return Array.isArray(value) ? value.join(', ') : String(value);
  }
  return undefined;
}

export interface ContractValidator {
  /** What is wrong with the response, one sentence each; empty when it keeps to the description. */
  violations(observed: ObservedResponse): string[];
}

export function contractValidator(document: unknown): ContractValidator {
  const doc = document as Document;
  const ajv = new Ajv2020({ strict: true, allErrors: true });
  addFormats(ajv);
  ajv.addSchema({ $id: COMPONENTS_ID, $defs: retarget(doc.components.schemas) });
  const compiled = new Map<Json, ValidateFunction>();
  const compile = (schema: Json) => {
    let validate = compiled.get(schema);
    if (validate === undefined) {
      validate = ajv.compile(retarget(schema));
      compiled.set(schema, validate);
    }
    return validate;
  };
  const templates = Object.keys(doc.paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
  }));

  return {
    violations(observed) {
      const path = observed.url.split('?')[0] ?? '';
      const template = templates.find((candidate) => candidate.pattern.test(path))?.template;
      if (template === undefined) return [];
      const operation = doc.paths[template]?.[observed.method.toLowerCase()];
      if (operation === undefined) return [];
      const where = `${observed.method} ${path} (${operation.operationId}) answered ${observed.status}`;
      const response = operation.responses[String(observed.status)];
      if (response === undefined) {
        return [`${where}: that status is not documented (documented: ${Object.keys(operation.responses).join(', ')})`];
      }
      const problems: string[] = [];
      for (const [name, header] of Object.entries(response.headers ?? {})) {
        const value = headerValue(observed.headers, name);
        if (value === undefined) {
          if (header.required === true) problems.push(`${where}: the ${name} header is missing`);
          continue;
        }
        const validate = compile(header.schema);
        if (!validate(value))
          problems.push(`${where}: ${name}: ${JSON.stringify(value)} ${ajv.errorsText(validate.errors)}`);
      }
      if (observed.method === 'HEAD') return problems;
      const contentType = headerValue(observed.headers, 'content-type')?.split(';')[0]?.trim().toLowerCase();
      if (response.content === undefined) {
        if (observed.bodyBytes > 0)
          problems.push(`${where}: a body of ${observed.bodyBytes} bytes where none is documented`);
        return problems;
      }
      if (contentType === undefined) return [...problems, `${where}: no Content-Type`];
      const documented = Object.keys(response.content);
      const range = documented.find((candidate) => mediaTypeMatches(candidate, contentType));
      if (range === undefined) {
        return [...problems, `${where}: Content-Type ${contentType} is not one of ${documented.join(', ')}`];
      }
      const schema = response.content[range]?.schema;
      if (!isJson(contentType) || schema === undefined) return problems;
      if (observed.body.length < observed.bodyBytes) return [...problems, `${where}: JSON body too large to check`];
      let body: unknown;
      try {
        body = JSON.parse(observed.body.toString('utf8'));
      } catch {
        return [...problems, `${where}: the ${contentType} body is not JSON`];
      }
      const validate = compile(schema);
      if (!validate(body)) problems.push(`${where}: ${ajv.errorsText(validate.errors, { dataVar: 'body' })}`);
      return problems;
    },
  };
}
