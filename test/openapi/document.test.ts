import { readFile } from 'node:fs/promises';
import { type Route, routes } from '@identities/core';
import { ApiDescriptionError, OPERATIONS, openApiDocument, openApiText } from '@identities/core/api';
import { Validator } from '@seriousme/openapi-schema-validator';
import { describe, expect, it } from 'vitest';
import { generatedFiles } from '../../scripts/openapi-files.ts';

const committed = () => readFile(new URL('../../openapi.json', import.meta.url), 'utf8');

describe('the API description (openapi.json)', () => {
  it('is what npm run openapi generates from the route table, and so are the CLI types: regenerate them when this fails', async () => {
    expect(await committed(), 'openapi.json is stale: run npm run openapi and commit it').toBe(openApiText());
    for (const [path, text] of Object.entries(await generatedFiles())) {
      const file = await readFile(new URL(`../../${path}`, import.meta.url), 'utf8');
      expect(file === text, `${path} is stale: run npm run openapi and commit it`).toBe(true);
    }
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(await committed()));
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(validator.version).toBe('3.1');
  });

  it('describes every route of the table, with HEAD where the route answers it, and its permission', () => {
    const document = openApiDocument();
    // Several routes may share a path (GET, PATCH and DELETE of one document): its item holds each one's methods.
    const methodsByPath = new Map<string, string[]>();
    for (const route of routes) {
      const item = document.paths[route.path] as Record<string, { 'x-permission': unknown; description: string }>;
      const methods = [route.method.toLowerCase(), ...(route.head ? ['head'] : [])];
      for (const method of methods) {
        const operation = item[method];
        expect(operation, `${method} ${route.path}`).toBeDefined();
        expect(operation?.['x-permission']).toBe(route.permission);
        expect(operation?.description).toContain(route.permission ?? 'any authenticated user');
      }
      methodsByPath.set(route.path, [...(methodsByPath.get(route.path) ?? []), ...methods]);
    }
    for (const [path, methods] of methodsByPath) {
      expect(Object.keys(document.paths[path] as object).sort(), path).toEqual(methods.sort());
    }
    expect(Object.keys(document.paths).sort()).toEqual([...methodsByPath.keys()].sort());
  });

  it('fails for a route without schemas, saying where to add them', () => {
    const template = routes[0] as Route;
    const added: Route = { ...template, id: 'ListDocuments', path: '/api/v1/people/{personId}/fileDocuments' };
    expect(() => openApiDocument([...routes, added])).toThrow(ApiDescriptionError);
    expect(() => openApiDocument([...routes, added])).toThrow(
      /Route ListDocuments has no API description: add its entry, keyed "ListDocuments", to OPERATIONS in packages\/core\/src\/api\/operations\.ts/,
    );
  });

  it('takes query parameters from the entry, beside the path parameters from the table', () => {
    const template = routes[0] as Route;
    const described = OPERATIONS.EnrollmentPhoto;
    if (described === undefined) throw new Error('EnrollmentPhoto has no entry');
    const withQuery = {
      ...described,
      query: { limit: { description: 'At most this many.', schema: { type: 'integer' } } },
    };
    const document = openApiDocument([template], { EnrollmentPhoto: withQuery });
    const operation = document.paths[template.path]?.get as {
      parameters: { name: string; in: string; required: boolean }[];
    };
    expect(operation.parameters.map(({ name, in: where, required }) => ({ name, where, required }))).toEqual([
      { name: 'faceId', where: 'path', required: true },
      { name: 'limit', where: 'query', required: false },
    ]);
  });

  it('fails for an entry whose route is gone, and for a path parameter nobody described', () => {
    expect(() => openApiDocument(routes.slice(1))).toThrow(/describes routes the table has not: EnrollmentPhoto/);
    const template = routes[0] as Route;
    const odd: Route = { ...template, path: '/api/v1/people/enrollmentPhoto/{faceUuid}' };
    expect(() => openApiDocument([odd, ...routes.slice(1)], OPERATIONS)).toThrow(
      /Path parameter \{faceUuid\} of EnrollmentPhoto has no description: add it to PARAMETERS/,
    );
  });

  it('states the bearer JWT scheme for every operation and documents 401 everywhere', () => {
    const document = openApiDocument();
    expect(document.components.securitySchemes.bearer).toMatchObject({
      type: 'http',
      scheme: 'bearer',
      bearerFormat: 'JWT',
    });
    expect(document.security).toEqual([{ bearer: [] }]);
    for (const item of Object.values(document.paths)) {
      for (const operation of Object.values(item) as { responses: Record<string, unknown> }[]) {
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['401', '500', '502', '503', '504']));
      }
    }
  });
});
