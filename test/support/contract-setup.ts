import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { contractValidator, type ObservedResponse } from './contract.ts';
import { CONTRACT_RECORDS_ENV, readRecords, recordResponses } from './contract-recorder.ts';

// Every response a test file receives from the API, from a server in its own process or one it started
// (processes.ts passes the folder on), is held to the committed openapi.json when the file is done: an
// undocumented status, header, content type or body fails the file.

const folder = mkdtempSync(join(tmpdir(), 'contract-'));
process.env[CONTRACT_RECORDS_ENV] = folder;
const observed: ObservedResponse[] = [];
recordResponses((response) => observed.push(response));

afterAll(() => {
  const responses = [...observed, ...readRecords(folder)];
  rmSync(folder, { recursive: true, force: true });
  if (responses.length === 0) return;
  const document = JSON.parse(readFileSync(new URL('../../openapi.json', import.meta.url), 'utf8')) as unknown;
  const validator = contractValidator(document);
  const violations = responses.flatMap((response) => validator.violations(response));
  if (violations.length > 0) {
    throw new Error(`Responses that openapi.json does not describe:\n${[...new Set(violations)].join('\n')}`);
  }
});
