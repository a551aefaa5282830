import { PERMISSIONS } from '@identities/core';
import { dataDirFrom } from '../data-dir.ts';
import { ALL_FILE_PERMISSIONS, loadDevIssuer, signIdentitiesServerToken } from '../dev-issuer.ts';
import { type Command, CommandError, help, type Io, parse, UsageError } from './io.ts';
import { readSecretFile } from './secret-file.ts';

const HELP = `Usage: identities token [--sub ID] [--permission NAME]... [--role NAME]... [--expires-in 1h]
       identities token --identities-server [--name NAME] [--nameid ID] [--email ADDRESS] [--role NAME]...
                        [--iss ISSUER] [--aud AUDIENCE] [--secret-file FILE] [--expires-in 1h]

Prints a JWT, and nothing else, on stdout. By default it is signed by the data dir's dev issuer:
  --sub ID                  Subject (default dev-user)
  --permission NAME         A permission to grant; repeat for more
                            (default, without --permission or --role: "${PERMISSIONS.addFiles}" and "${PERMISSIONS.readFiles}")
  --role NAME               A role to name in the token; repeat for more
  --expires-in DURATION     Lifetime such as 30m, 1h, 7d (default 12h)
  --data-dir DIR            The data dir whose issuer signs (DATA_DIR, default .data)

With --identities-server it is shaped as the customer's Identities server issues them (HS256, claims
unique_name, nameid, email, role, nbf, exp, iat; iss and aud only when given), for a server started
with the same secret (JWT_SECRET or --jwt-secret-file):
  --name NAME               unique_name (default dev-user)
  --nameid ID               nameid (none by default, as for users the server writes none for)
  --email ADDRESS           email
  --role NAME               A role; one is written as a string, several as an array
  --iss ISSUER, --aud AUD   iss and aud (none by default)
  --secret-file FILE        The HS256 secret, in a file only its owner can read (JWT_SECRET_FILE);
                            otherwise the JWT_SECRET environment variable. Never on the command line.
A deployed stage trusts its customer's issuer only: get tokens there from that issuer.
`;

const DURATION = /^(\d+)\s*(s|sec|secs|m|min|mins|h|hr|hrs|d|days?|w|weeks?)?$/i;
const UNIT_SECONDS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 };

async function token(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    sub: { type: 'string' },
    permission: { type: 'string', multiple: true },
    role: { type: 'string', multiple: true },
    'expires-in': { type: 'string' },
    'data-dir': { type: 'string' },
    'identities-server': { type: 'boolean' },
    name: { type: 'string' },
    nameid: { type: 'string' },
    email: { type: 'string' },
    iss: { type: 'string' },
    aud: { type: 'string' },
    'secret-file': { type: 'string' },
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
  const duration = DURATION.exec(expiresIn);
  if (duration === null) {
    throw new UsageError(`--expires-in ${JSON.stringify(expiresIn)} is not a duration such as 30m, 1h or 7d`);
  }
  if (values['identities-server']) {
    if (values.sub !== undefined || values.permission !== undefined) {
      throw new UsageError(
        'the Identities server writes no sub or permissions: use --name, --nameid and --role (permissions come from the roles)',
      );
    }
    const secretFile = values['secret-file'] ?? (io.env.JWT_SECRET_FILE || undefined);
    const secret =
      secretFile === undefined ? io.env.JWT_SECRET || undefined : readSecretFile(secretFile, '--secret-file');
    if (secret === undefined) throw new UsageError('--identities-server needs the secret: JWT_SECRET or --secret-file');
    if (new TextEncoder().encode(secret).length < 32)
      throw new UsageError('the HS256 secret must be at least 32 bytes');
    const unit = (duration[2] ?? 's')[0]?.toLowerCase() ?? 's';
    const jwt = await signIdentitiesServerToken(secret, {
      name: values.name ?? 'dev-user',
      ...(values.nameid === undefined ? {} : { nameId: values.nameid }),
      ...(values.email === undefined ? {} : { email: values.email }),
      roles: values.role ?? [],
      ...(values.iss === undefined ? {} : { issuer: values.iss }),
      ...(values.aud === undefined ? {} : { audience: values.aud }),
      expiresInSeconds: Number(duration[1]) * (UNIT_SECONDS[unit] ?? 1),
    });
    io.out(`${jwt}\n`);
    return 0;
  }
  const foreign = ['name', 'nameid', 'email', 'iss', 'aud', 'secret-file'].filter(
    (name) => values[name as keyof typeof values] !== undefined,
  );
  if (foreign.length > 0) {
    throw new UsageError(`--${foreign.join(', --')} shape an Identities server token: add --identities-server`);
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
