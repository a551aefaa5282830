import { PERMISSIONS } from '@identities/core';
import { dataDirFrom } from '../data-dir.ts';
import { ALL_FILE_PERMISSIONS, loadDevIssuer } from '../dev-issuer.ts';
import { type Command, CommandError, help, type Io, parse, UsageError } from './io.ts';

const HELP = `Usage: identities token [--sub ID] [--permission NAME]... [--role NAME]... [--expires-in 1h]

Prints a JWT signed by the data dir's dev issuer, and nothing else, on stdout.
  --sub ID                  Subject (default dev-user)
  --permission NAME         A permission to grant; repeat for more
                            (default, without --permission or --role: "${PERMISSIONS.addFiles}" and "${PERMISSIONS.readFiles}")
  --role NAME               A role to name in the token; repeat for more
  --expires-in DURATION     Lifetime such as 30m, 1h, 7d (default 12h)
  --data-dir DIR            The data dir whose issuer signs (DATA_DIR, default .data)
A deployed stage trusts its customer's issuer only: get tokens there from that issuer.
`;

async function token(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    sub: { type: 'string' },
    permission: { type: 'string', multiple: true },
    role: { type: 'string', multiple: true },
    'expires-in': { type: 'string' },
    'data-dir': { type: 'string' },
    bucket: { type: 'string' },
    table: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return help(io, HELP);
  if (values.bucket !== undefined || values.table !== undefined) {
    throw new UsageError(
      "token is for local and on-prem dev issuers only: a deployed stage trusts its customer's issuer",
    );
  }
  const expiresIn = values['expires-in'] ?? '12h';
  if (!/^\d+\s*(s|sec|secs|m|min|mins|h|hr|hrs|d|days?|w|weeks?)?$/i.test(expiresIn)) {
    throw new UsageError(`--expires-in ${JSON.stringify(expiresIn)} is not a duration such as 30m, 1h or 7d`);
  }
  const dataDir = dataDirFrom(io.env, values['data-dir']);
  const issuer = await loadDevIssuer(dataDir, false);
  if (issuer === undefined) {
    throw new CommandError(`no dev issuer in ${dataDir}: start the server once (npm run dev) to create it`);
  }
  const noneGiven = values.permission === undefined && values.role === undefined;
  const jwt = await issuer.sign({
    subject: values.sub ?? 'dev-user',
    permissions: noneGiven ? ALL_FILE_PERMISSIONS : (values.permission ?? []),
    roles: values.role ?? [],
    expiresIn: /^\d+$/.test(expiresIn) ? `${expiresIn}s` : expiresIn,
  });
  io.out(`${jwt}\n`);
  return 0;
}

/** identities token */
export const tokenCommand: Command = { help: HELP, run: token };
