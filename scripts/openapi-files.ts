import { openApiDocument, openApiText } from '@identities/core/api';
import openapiTS, { astToString } from 'openapi-typescript';

/** What `npm run openapi` writes, relative to the repository root; a test holds both to a fresh build. */
export const OPENAPI_FILE = 'openapi.json';
export const CLI_TYPES_FILE = 'packages/local/src/cli/api-types.ts';

const CLI_TYPES_HEADER = `// Generated from openapi.json by npm run openapi (openapi-typescript): do not edit.
// The CLI's requests are typed by it (cli/api-client.ts), so a contract change the CLI does not follow fails its type-check.

`;

/** The files generated from the route table and the schemas, by path. */
export async function generatedFiles(): Promise<Record<string, string>> {
  const document = openApiDocument();
  const types = astToString(await openapiTS(JSON.parse(openApiText(document)), { exportType: false }));
  return { [OPENAPI_FILE]: openApiText(document), [CLI_TYPES_FILE]: `${CLI_TYPES_HEADER}${types}` };
}
