import { writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { openApiText } from '@identities/core/api';

/**
 * Writes the API description, `openapi.json` at the repository root, from the route table and the
 * schemas in packages/core/src/api: `npm run openapi`. The file is committed; `npm test` fails when it
 * is stale (test/openapi/document.test.ts).
 */
const target = fileURLToPath(new URL('../openapi.json', import.meta.url));
await writeFile(target, openApiText());
console.log(`wrote ${target}`);
