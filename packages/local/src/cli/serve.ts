import { ConfigError, listEnv, parseLogLevel, parseOrigins } from '@identities/aws';
import { PERMISSIONS } from '@identities/core';
import { dataDirFrom } from '../data-dir.ts';
import { ALL_FILE_PERMISSIONS } from '../dev-issuer.ts';
import { type RunningServer, type ServeOptions, startServer } from '../server.ts';
import { type Command, help, type Io, parse, UsageError } from './io.ts';
import { routePath } from './route-urls.ts';

const HELP = `Usage: identities serve [options]

Runs the API: the local gateway in front of the Lambda handlers, on HTTP or HTTPS.
  --port N                  Port (PORT, default 5009)
  --host ADDRESS            Address to listen on (HOST, default 127.0.0.1; 0.0.0.0 for all)
  --data-dir DIR            Where embedded data, keys and certificates live (DATA_DIR, default .data)
  --tls-cert FILE           Serve HTTPS with this certificate (PEM) ...
  --tls-key FILE            ... and this private key (PEM)
  --tls-self-signed         Serve HTTPS with a self-signed certificate kept in the data dir
  --s3-endpoint URL         Use this S3-compatible endpoint instead of the embedded store
  --dynamodb-endpoint URL   Use this DynamoDB-compatible endpoint instead of the embedded store
  --bucket NAME             Bucket on external storage (required with external storage)
  --table NAME              Table on external storage (required with external storage)
  --region NAME             Region for external storage (AWS_REGION)
  --jwt-issuer ISS          Trust tokens of this issuer instead of the dev issuer (JWT_ISSUER) ...
  --jwt-audience AUD        ... for this audience, comma-separated list (JWT_AUDIENCE) ...
  --jwt-jwks-url URL        ... signed with keys from this JWKS URL (JWT_JWKS_URL), or
  --jwt-public-key FILE     ... with this PEM public key, or
                            ... with the HS256 secret in the JWT_SECRET environment variable
  --jwt-algorithms LIST     Allowed algorithms, comma-separated (default: the key's own, or RS256,ES256)
  --log-level LEVEL         debug, info, warn, error or silent (LOG_LEVEL, default info)
  --no-sample               Do not add the sample photo (face "sample-face") to new embedded storage
  --cors-origin ORIGIN      Also allow this browser origin (repeatable; CORS_ALLOWED_ORIGINS, comma-separated);
                            http://localhost:* and http://127.0.0.1:* are always allowed
  --s3-public-endpoint URL  Where clients reach external storage for presigned uploads (default: --s3-endpoint)
  --public-url URL          The URL clients reach this server at (PUBLIC_URL), for presigned upload URLs
                            with embedded storage; set it with --host 0.0.0.0 (default: the listening address)
`;

async function serve(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-self-signed': { type: 'boolean' },
    's3-endpoint': { type: 'string' },
    'dynamodb-endpoint': { type: 'string' },
    bucket: { type: 'string' },
    table: { type: 'string' },
    region: { type: 'string' },
    'jwt-issuer': { type: 'string' },
    'jwt-audience': { type: 'string' },
    'jwt-jwks-url': { type: 'string' },
    'jwt-public-key': { type: 'string' },
    'jwt-algorithms': { type: 'string' },
    'log-level': { type: 'string' },
    'no-sample': { type: 'boolean' },
    'cors-origin': { type: 'string', multiple: true },
    's3-public-endpoint': { type: 'string' },
    'public-url': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return help(io, HELP);
  const options = serveOptions(values, io.env);
  const server = await startServer(options);
  printBanner(
    io,
    server.url,
    options,
    server.tls,
    server.devIssuer === undefined ? undefined : await server.devIssuer.sign({ permissions: ALL_FILE_PERMISSIONS }),
  );
  await new Promise<void>((resolve) => {
    const stop = (signal: string) => {
      io.err(`\n${signal}: finishing requests in flight and closing the stores...\n`);
      server.close().then(resolve, resolve);
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
  io.err('Stopped.\n');
  return 0;
}

type ServeValues = Partial<Record<string, string | boolean | string[] | undefined>>;

function serveOptions(values: ServeValues, env: NodeJS.ProcessEnv): ServeOptions {
  const text = (name: string, envName?: string) => {
    const value = values[name];
    return typeof value === 'string' ? value : envName === undefined ? undefined : env[envName] || undefined;
  };
  const port = Number(text('port', 'PORT') ?? 5009);
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new UsageError(`--port ${text('port', 'PORT')} is not a port`);
  const certFile = text('tls-cert');
  const keyFile = text('tls-key');
  if ((certFile === undefined) !== (keyFile === undefined))
    throw new UsageError('give --tls-cert and --tls-key together');
  if (certFile !== undefined && values['tls-self-signed'])
    throw new UsageError('choose --tls-cert/--tls-key or --tls-self-signed');
  const tls =
    certFile !== undefined && keyFile !== undefined
      ? { certFile, keyFile }
      : values['tls-self-signed']
        ? ('self-signed' as const)
        : undefined;

  const s3Endpoint = text('s3-endpoint');
  const dynamoEndpoint = text('dynamodb-endpoint');
  const bucket = text('bucket');
  const table = text('table');
  const external = [s3Endpoint, dynamoEndpoint, bucket, table].some((value) => value !== undefined);
  let storage: ServeOptions['storage'];
  if (external) {
    const region = text('region', 'AWS_REGION') ?? env.AWS_DEFAULT_REGION;
    if (bucket === undefined || table === undefined || region === undefined) {
      throw new UsageError('external storage needs --bucket, --table and --region (or AWS_REGION)');
    }
    storage = { s3Endpoint, dynamoEndpoint, bucket, table, region };
  }

  const issuerName = text('jwt-issuer', 'JWT_ISSUER');
  let issuer: ServeOptions['issuer'];
  if (issuerName !== undefined) {
    const audience = text('jwt-audience', 'JWT_AUDIENCE');
    if (audience === undefined) throw new UsageError('--jwt-issuer needs --jwt-audience');
    const jwksUrl = text('jwt-jwks-url', 'JWT_JWKS_URL');
    const publicKeyFile = text('jwt-public-key');
    const secret = env.JWT_SECRET || undefined;
    if ([jwksUrl, publicKeyFile, secret].filter((value) => value !== undefined).length !== 1) {
      throw new UsageError('--jwt-issuer needs exactly one of --jwt-jwks-url, --jwt-public-key or JWT_SECRET');
    }
    const algorithms = text('jwt-algorithms', 'JWT_ALGORITHMS');
    issuer = {
      issuer: issuerName,
      audience,
      ...(jwksUrl === undefined ? {} : { jwksUrl }),
      ...(publicKeyFile === undefined ? {} : { publicKeyFile }),
      ...(secret === undefined ? {} : { secret }),
      ...(algorithms === undefined ? {} : { algorithms }),
    };
  }
  const publicUrl = text('public-url', 'PUBLIC_URL');
  if (publicUrl !== undefined && !/^https?:\/\/[^/\s]+\/?$/.test(publicUrl)) {
    throw new UsageError(`--public-url ${publicUrl} is not a URL such as https://server.example:5009`);
  }
  // The settings reader's own checks, so the server and the functions agree on what is valid.
  const logLevel = asUsage(() => parseLogLevel(text('log-level', 'LOG_LEVEL') ?? 'info', '--log-level'));
  const corsOrigins = asUsage(() =>
    parseOrigins(
      [...((values['cors-origin'] as string[] | undefined) ?? []), ...(listEnv(env, 'CORS_ALLOWED_ORIGINS') ?? [])],
      '--cors-origin',
    ),
  );
  return {
    port,
    host: text('host', 'HOST') ?? '127.0.0.1',
    dataDir: dataDirFrom(env, text('data-dir')),
    ...(tls === undefined ? {} : { tls }),
    ...(storage === undefined ? {} : { storage }),
    ...(issuer === undefined ? {} : { issuer }),
    logLevel,
    samplePhoto: values['no-sample'] !== true,
    corsOrigins,
    ...(text('s3-public-endpoint') === undefined ? {} : { s3PublicEndpoint: text('s3-public-endpoint') as string }),
    ...(publicUrl === undefined ? {} : { publicUrl }),
  };
}

/** A setting the settings reader refuses is a usage error here: exit 2 with its message. */
function asUsage<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    if (error instanceof ConfigError) throw new UsageError(error.message);
    throw error;
  }
}

function printBanner(
  io: Io,
  url: string,
  options: ServeOptions,
  tls: RunningServer['tls'],
  devToken: string | undefined,
): void {
  // The self-signed certificate names 127.0.0.1, so curl verifies it against itself: no -k needed.
  const trust = tls?.certFile === undefined ? '' : ` --cacert "${tls.certFile}"`;
  const lines = [
    `Identities Photos & Documents is listening on ${url}`,
    `Data: ${options.dataDir}${options.storage === undefined ? ' (embedded S3 and DynamoDB)' : ` (bucket ${options.storage.bucket}, table ${options.storage.table})`}`,
  ];
  if (tls !== undefined) {
    lines.push(
      '',
      `TLS certificate${tls.certFile === undefined ? '' : ` (self-signed, ${tls.certFile})`}:`,
      `  SHA-256 fingerprint: ${tls.fingerprint256}`,
      `  Public-key pin:      ${tls.publicKeyPin}`,
      ...(tls.certFile === undefined
        ? [`  Pin it:      curl --pinnedpubkey '${tls.publicKeyPin}' ${url}/...`]
        : [
            `  Trust it:    curl --cacert "${tls.certFile}" ${url}/...`,
            `  Or pin it:   curl --pinnedpubkey '${tls.publicKeyPin}' -k ${url}/...`,
          ]),
    );
  }
  if (devToken !== undefined) {
    lines.push(
      '',
      `Token (dev issuer, 12 h, "${PERMISSIONS.addFiles}" and "${PERMISSIONS.readFiles}"):`,
      devToken,
      '',
      'Try it:',
      `curl -s${trust} "${url}${routePath('EnrollmentPhoto', { faceId: 'sample-face' })}" -H "Authorization: Bearer ${devToken}" -o enrollment.jpg`,
      '',
      'More tokens: npx identities token --help. Stop with Ctrl+C.',
    );
  }
  io.out(`${lines.join('\n')}\n`);
}

/** identities serve */
export const serveCommand: Command = { help: HELP, run: serve };
