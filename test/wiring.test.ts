import { readFile } from 'node:fs/promises';
import { routes } from '@identities/core';
import { isStreamingHandler, ROUTE_HANDLERS } from '@identities/local';
import { describe, expect, it } from 'vitest';

describe('the functions and the local server', () => {
  it('run the same wiring for every route: the function module is one call of it', async () => {
    for (const route of routes) {
      const wiring = ROUTE_HANDLERS[route.id];
      expect(wiring, route.id).toBeTypeOf('function');
      const [file, name] = route.handler.split('.') as [string, string];
      const source = await readFile(new URL(`../${file}.ts`, import.meta.url), 'utf8');
      expect(source, route.id).toContain(`export const ${name} = ${wiring.name}(readSettings(process.env));`);
      const module = (await import(new URL(`../${file}.ts`, import.meta.url).href)) as Record<string, unknown>;
      expect(isStreamingHandler(module[name]), route.id).toBe(route.response === 'stream');
    }
  });
});
