import { readFile } from 'node:fs/promises';
import { policyTable } from '@identities/local';
import { describe, expect, it } from 'vitest';

describe('the README', () => {
  it('shows the very statements each principal gets', async () => {
    const readme = await readFile(new URL('../../README.md', import.meta.url), 'utf8');
    const shown = /<!-- policies:start -->\n([\s\S]*?)\n<!-- policies:end -->/.exec(readme)?.[1];
    // On a change of access in the route table, paste this table between the markers.
    expect(shown).toBe(policyTable());
  });
});
