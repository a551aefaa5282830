import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generatedFiles } from './openapi-files.ts';

/**
 * Writes the API description, `openapi.json` at the repository root, from the route table and the
 * schemas in packages/core/src/api, and the CLI's types generated from it: `npm run openapi`. Both are
 * committed; `npm test` fails when either is stale (test/openapi/document.test.ts).
 */
const root = fileURLToPath(new URL('..', import.meta.url));
for (const [path, text] of Object.entries(await generatedFiles())) {
  await writeFile(join(root, path), text);
  console.log(`wrote ${path}`);
}
