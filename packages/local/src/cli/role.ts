import { makeRoleStore } from '@identities/aws';
import { PERMISSIONS } from '@identities/core';
import { type CommandGroup, help, type Io, parse, UsageError } from './io.ts';
import { dynamoOf, storageOptions, withStorage } from './storage.ts';

const PUT_HELP = `Usage: identities role put NAME --permission NAME [--permission NAME]...

Creates or replaces a role. Tokens naming the role (claims role, roles, or the long-form role claim) get its
permissions within the role cache time (ROLE_CACHE_SECONDS, default 60 s).
  --data-dir DIR | --bucket NAME --table NAME [--region NAME]   Where to store (see "identities --help")
`;

const LIST_HELP = `Usage: identities role list [--json]

Lists roles and their permissions.
  --json                    One JSON array instead of lines
  --data-dir DIR | --bucket NAME --table NAME [--region NAME]   Where to read (see "identities --help")
`;

async function rolePut(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { ...storageOptions, permission: { type: 'string', multiple: true } }, 1);
  if (values.help) return help(io, PUT_HELP);
  const name = positionals[0]?.trim();
  if (name === undefined || name === '') throw new UsageError('name the role');
  if (name.length > 128) throw new UsageError('a role name has at most 128 characters');
  const permissions = [...new Set(values.permission ?? [])];
  if (permissions.length === 0) throw new UsageError('give at least one --permission');
  const known = Object.values(PERMISSIONS) as string[];
  for (const permission of permissions.filter((p) => !known.includes(p))) {
    io.err(`note: "${permission}" is not a permission this API checks (it checks: ${known.join(', ')})\n`);
  }
  await withStorage(io, values, async (storage) => {
    const roles = makeRoleStore(dynamoOf(storage), storage.table);
    await roles.put({ name, permissions });
  });
  io.err(`Role "${name}" grants: ${permissions.join(', ')}.\n`);
  return 0;
}

async function roleList(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, { ...storageOptions, json: { type: 'boolean' } });
  if (values.help) return help(io, LIST_HELP);
  const roles = await withStorage(io, values, (storage) => makeRoleStore(dynamoOf(storage), storage.table).list());
  if (values.json) io.out(`${JSON.stringify(roles, null, 2)}\n`);
  else if (roles.length === 0) io.err('No roles.\n');
  else for (const role of roles) io.out(`${role.name}: ${role.permissions.join(', ')}\n`);
  return 0;
}

/** identities role put | list */
export const roleCommands: CommandGroup = {
  put: { help: PUT_HELP, run: rolePut },
  list: { help: LIST_HELP, run: roleList },
};
