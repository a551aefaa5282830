import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveCommand } from '../../packages/local/src/cli/serve.ts';

/** deploy/identities.service: hardened, verified by systemd itself where it is installed. */

const UNIT = join(import.meta.dirname, '../../deploy/identities.service');

/** The unit's directives, continuation lines joined, as systemd reads them. */
async function directives(): Promise<Map<string, string[]>> {
  const text = (await readFile(UNIT, 'utf8')).replace(/\\\n\s*/g, ' ');
  const found = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    const match = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
    if (match === null) continue;
    const [, name = '', value = ''] = match;
    found.set(name, [...(found.get(name) ?? []), value]);
  }
  return found;
}

const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;

describe('the systemd unit', () => {
  it('runs as a user of its own with the hardening systemd offers, writing only the data dir', async () => {
    const unit = await directives();
    const one = (name: string) => unit.get(name)?.at(-1);
    expect(one('User')).toBe('identities');
    expect(one('NoNewPrivileges')).toBe('yes');
    expect(one('ProtectSystem')).toBe('strict');
    expect(one('ProtectHome')).toBe('yes');
    expect(one('PrivateTmp')).toBe('yes');
    expect(one('CapabilityBoundingSet')).toBe('');
    expect(one('UMask')).toBe('0077');
    expect(one('ReadWritePaths')).toBe('/var/lib/identities');
    expect(one('ExecStart')).toContain('--data-dir /var/lib/identities');
    expect(one('ExecReload')).toBe('/bin/kill -HUP $MAINPID');
  });

  it('starts the server with options the serve command has', async () => {
    const start = (await directives()).get('ExecStart')?.at(-1) ?? '';
    expect(start).toMatch(/identities\.js serve /);
    const flags = start.match(/--[a-z0-9-]+/g) ?? [];
    expect(flags.length).toBeGreaterThan(3);
    for (const flag of flags) expect(serveCommand.help).toContain(`${flag} `);
  });

  it.runIf(hasSystemdAnalyze)('passes systemd-analyze verify without a warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'service-unit-'));
    try {
      // The unit names /usr/bin/node; this machine's node stands in wherever it is installed.
      const text = (await readFile(UNIT, 'utf8')).replace('/usr/bin/node', process.execPath);
      const copy = join(dir, 'identities.service');
      await writeFile(copy, text);
      const verified = spawnSync('systemd-analyze', ['verify', copy], { encoding: 'utf8' });
      expect(verified.stderr.trim()).toBe('');
      expect(verified.status).toBe(0);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
