import { ConfigError, listEnv, parseLogLevel, parseOrigins, readAuditSettings } from '@identities/aws';
import { PERMISSIONS } from '@identities/core';
import { dataDirFrom } from '../data-dir.ts';
import { ALL_FILE_PERMISSIONS } from '../dev-issuer.ts';
import { externalAuthSettings, type RunningServer, type ServeOptions, startServer } from '../server.ts';
import { type Command, help, type Io, parse, UsageError } from './io.ts';
import { routePath } from './route-urls.ts';
import { readSecretFile } from './secret-file.ts';

const HELP = `Usage: identities serve [options]

Runs the API: the local gateway in front of the Lambda handlers, on HTTP or HTTPS.
  --port N                  Port (PORT, default 5009)
  --host ADDRESS            Address to listen on (HOST, default 127.0.0.1; 0.0.0.0 for all)
  --data-dir DIR            Where embedded data, keys and certificates live (DATA_DIR, default .data)
  --tls-cert FILE           Serve HTTPS with this certificate (PEM) ...
  --tls-key FILE            ... and this private key (PEM)
  --tls-self-signed         Serve HTTPS with a self-signed certificate kept in the data dir
  --http-port N             Also serve plain HTTP on this port (HTTP_PORT; the product's is 6009; off by
                            default), for a TLS-terminating proxy; needs HTTPS on --port
  --http-host ADDRESS       Address of the plain-HTTP listener (HTTP_HOST, default 127.0.0.1)
  --s3-endpoint URL         Use this S3-compatible endpoint instead of the embedded store
  --dynamodb-endpoint URL   Use this DynamoDB-compatible endpoint instead of the embedded store
  --bucket NAME             Bucket on external storage (required with external storage)
  --table NAME              Table on external storage (required with external storage)
  --region NAME             Region for external storage (AWS_REGION)
  --jwt-issuer ISS          Trust tokens of this issuer instead of the dev issuer (JWT_ISSUER) ...
  --jwt-audience AUD        ... for this audience, comma-separated list (JWT_AUDIENCE) ...
  --jwt-jwks-url URL        ... signed with keys from this JWKS URL (JWT_JWKS_URL), or
  --jwt-public-key FILE     ... with this PEM public key, or
  --jwt-secret-file FILE    ... with the HS256 secret in this file (JWT_SECRET_FILE; owner-only), or
                            ... with the HS256 secret in the JWT_SECRET environment variable
  --jwt-oidc-issuer URL     Trust this OpenID provider instead, keys found by discovery (JWT_OIDC_ISSUER)
  --jwt-unchecked-claims L  iss, aud or iss,aud: the issuer sets no such claim (JWT_UNCHECKED_CLAIMS)
  --jwt-roles-claim PATH    The claim holding roles, e.g. realm_access.roles (JWT_ROLES_CLAIM)
  --jwt-trusted-ca FILE     CA certificates (PEM) trusted for the JWKS URL or discovery (JWT_TRUSTED_CA_FILE)
  --jwt-algorithms LIST     Allowed algorithms, comma-separated (default: the key's own, or RS256,ES256)
  --log-level LEVEL         debug, info, warn, error or silent (LOG_LEVEL, default info)
  --no-sample               Do not add the sample photo (face "sample-face") to new embedded storage
  --no-store-policies       Let every function's key do anything on the embedded stores (STORE_POLICIES=off);
                            by default each request is held to its function's IAM policy, as on AWS
  --cors-origin ORIGIN      Also allow this browser origin (repeatable; CORS_ALLOWED_ORIGINS, comma-separated);
                            http://localhost:* and http://127.0.0.1:* are always allowed
  --s3-public-endpoint URL  Where clients reach external storage for presigned uploads (default: --s3-endpoint)
  --public-url URL          The URL clients reach this server at (PUBLIC_URL), for presigned upload URLs
                            with embedded storage; set it with --host 0.0.0.0 (default: the listening address)
  --metrics                 Serve Prometheus metrics at /metrics (METRICS=on; off by default): on the API's
                            listeners, which needs a metrics token, or on --metrics-port
  --metrics-port N          Serve /metrics on a plain-HTTP port of its own instead (METRICS_PORT; implies --metrics)
  --metrics-host ADDRESS    Address of the metrics port (METRICS_HOST, default 127.0.0.1)
  --metrics-token-file FILE Require "Authorization: Bearer <token>" for /metrics, the token in this owner-only
                            file (METRICS_TOKEN_FILE), or in the METRICS_TOKEN environment variable
  --api-docs                Serve the API description at /openapi.json and its reference page at /docs
                            (API_DOCS=on; off by default; npm run dev turns it on)
  --audit-retention-days N  Keep access-trail events N days (AUDIT_RETENTION_DAYS, 1 to 3650, default 400)
  --audit-photo-downloads   Record every photo download in the access trail too (AUDIT_PHOTO_DOWNLOADS=on;
                            off by default)
`;

async function serve(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    port: { type: 'string' },
    host: { type: 'string' },
    'data-dir': { type: 'string' },
    'tls-cert': { type: 'string' },
    'tls-key': { type: 'string' },
    'tls-self-signed': { type: 'boolean' },
    'http-port': { type: 'string' },
    'http-host': { type: 'string' },
    's3-endpoint': { type: 'string' },
    'dynamodb-endpoint': { type: 'string' },
    bucket: { type: 'string' },
    table: { type: 'string' },
    region: { type: 'string' },
    'jwt-issuer': { type: 'string' },
    'jwt-audience': { type: 'string' },
    'jwt-jwks-url': { type: 'string' },
    'jwt-public-key': { type: 'string' },
    'jwt-secret-file': { type: 'string' },
    'jwt-oidc-issuer': { type: 'string' },
    'jwt-unchecked-claims': { type: 'string' },
    'jwt-roles-claim': { type: 'string' },
    'jwt-trusted-ca': { type: 'string' },
    'jwt-algorithms': { type: 'string' },
    'log-level': { type: 'string' },
    'no-sample': { type: 'boolean' },
    'no-store-policies': { type: 'boolean' },
    'cors-origin': { type: 'string', multiple: true },
    's3-public-endpoint': { type: 'string' },
    'public-url': { type: 'string' },
    metrics: { type: 'boolean' },
    'metrics-port': { type: 'string' },
    'metrics-host': { type: 'string' },
    'metrics-token-file': { type: 'string' },
    'api-docs': { type: 'boolean' },
    'audit-retention-days': { type: 'string' },
    'audit-photo-downloads': { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (values.help) return help(io, HELP);
  const options = serveOptions(values, io.env);
  const server = await startServer(options);
  printBanner(
    io,
    server.url,
    server.httpUrl,
    server.metricsUrl,
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
    // SIGHUP: the certificate and key files again (they are watched as well); the reload logs its outcome.
    if (options.tls !== undefined && options.tls !== 'self-signed') {
      process.on('SIGHUP', () => void server.reloadTls('SIGHUP'));
    }
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

  const issuer = issuerOptions(text, env);
  const httpPortText = text('http-port', 'HTTP_PORT');
  let http: ServeOptions['http'];
  if (httpPortText !== undefined) {
    const httpPort = Number(httpPortText);
    if (!Number.isInteger(httpPort) || httpPort < 0 || httpPort > 65535) {
      throw new UsageError(`--http-port ${httpPortText} is not a port`);
    }
    if (tls === undefined) {
      throw new UsageError('--http-port adds plain HTTP beside HTTPS: give --tls-cert/--tls-key or --tls-self-signed');
    }
    http = { port: httpPort, host: text('http-host', 'HTTP_HOST') ?? '127.0.0.1' };
  } else if (text('http-host') !== undefined) {
    throw new UsageError('--http-host needs --http-port');
  }
  const metrics = metricsOptions(values, text, env);
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
  const audit = asUsage(() =>
    readAuditSettings({
      AUDIT_RETENTION_DAYS: text('audit-retention-days', 'AUDIT_RETENTION_DAYS'),
      AUDIT_PHOTO_DOWNLOADS: values['audit-photo-downloads'] === true ? 'on' : env.AUDIT_PHOTO_DOWNLOADS,
    }),
  );
  return {
    port,
    host: text('host', 'HOST') ?? '127.0.0.1',
    dataDir: dataDirFrom(env, text('data-dir')),
    ...(tls === undefined ? {} : { tls }),
    ...(http === undefined ? {} : { http }),
    ...(storage === undefined ? {} : { storage }),
    ...(issuer === undefined ? {} : { issuer }),
    logLevel,
    samplePhoto: values['no-sample'] !== true,
    storePolicies: storePolicies(values['no-store-policies'] === true, env.STORE_POLICIES),
    corsOrigins,
    ...(text('s3-public-endpoint') === undefined ? {} : { s3PublicEndpoint: text('s3-public-endpoint') as string }),
    ...(publicUrl === undefined ? {} : { publicUrl }),
    ...(metrics === undefined ? {} : { metrics }),
    ...(apiDocsOn(values['api-docs'] === true, env.API_DOCS) ? { apiDocs: true } : {}),
    audit,
  };
}

/** The reference page and description: asked for by flag or `API_DOCS=on`. */
function apiDocsOn(flag: boolean, setting: string | undefined): boolean {
  if (setting !== undefined && setting !== 'on' && setting !== 'off') {
    throw new UsageError(`API_DOCS must be on or off, not ${setting}`);
  }
  return flag || setting === 'on';
}

/**
 * Metrics, when asked for: on a port of their own (loopback by default), or on the API's listeners
 * behind a token of their own. The token comes from the environment or an owner-only file, never from
 * the command line.
 */
function metricsOptions(
  values: ServeValues,
  text: (name: string, envName?: string) => string | undefined,
  env: NodeJS.ProcessEnv,
): ServeOptions['metrics'] {
  const switched = env.METRICS === undefined || env.METRICS === '' ? undefined : env.METRICS;
  if (switched !== undefined && !['on', 'off'].includes(switched)) {
    throw new UsageError(`METRICS=${switched}: say on or off`);
  }
  const portText = text('metrics-port', 'METRICS_PORT');
  const enabled = values.metrics === true || switched === 'on' || portText !== undefined;
  const host = text('metrics-host', 'METRICS_HOST');
  const tokenFile = text('metrics-token-file', 'METRICS_TOKEN_FILE');
  const tokenEnv = env.METRICS_TOKEN || undefined;
  if (!enabled) {
    if (host !== undefined || tokenFile !== undefined || tokenEnv !== undefined) {
      throw new UsageError('the metrics settings need --metrics (or METRICS=on) or --metrics-port');
    }
    return undefined;
  }
  if (tokenFile !== undefined && tokenEnv !== undefined) {
    throw new UsageError('give the metrics token once: METRICS_TOKEN or --metrics-token-file');
  }
  const token = tokenFile === undefined ? tokenEnv : readSecretFile(tokenFile, '--metrics-token-file');
  if (token !== undefined && (token.length < 16 || /\s/.test(token))) {
    throw new UsageError('the metrics token must be at least 16 characters, without spaces');
  }
  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535)
      throw new UsageError(`--metrics-port ${portText} is not a port`);
  } else if (host !== undefined) {
    throw new UsageError('--metrics-host needs --metrics-port');
  }
  if (port === undefined && token === undefined) {
    throw new UsageError(
      'metrics on the API listeners need a token: give --metrics-token-file (or METRICS_TOKEN), or --metrics-port',
    );
  }
  return {
    ...(port === undefined ? {} : { port, host: host ?? '127.0.0.1' }),
    ...(token === undefined ? {} : { token }),
  };
}

/**
 * The customer's issuer, when any of its settings is given: issuer and audience (or the explicit
 * statement that its tokens carry neither), and exactly one key source. The HS256 secret comes from
 * the environment or a file, never from the command line, where other users could read it.
 */
function issuerOptions(
  text: (name: string, envName?: string) => string | undefined,
  env: NodeJS.ProcessEnv,
): ServeOptions['issuer'] {
  const given = {
    issuer: text('jwt-issuer', 'JWT_ISSUER'),
    oidcIssuer: text('jwt-oidc-issuer', 'JWT_OIDC_ISSUER'),
    uncheckedClaims: text('jwt-unchecked-claims', 'JWT_UNCHECKED_CLAIMS'),
  };
  if (Object.values(given).every((value) => value === undefined)) return undefined;
  const jwksUrl = text('jwt-jwks-url', 'JWT_JWKS_URL');
  const publicKeyFile = text('jwt-public-key');
  const secretFile = text('jwt-secret-file', 'JWT_SECRET_FILE');
  const secretEnv = env.JWT_SECRET || undefined;
  if (secretFile !== undefined && secretEnv !== undefined) {
    throw new UsageError('give the HS256 secret once: JWT_SECRET or --jwt-secret-file');
  }
  const secret = secretFile === undefined ? secretEnv : readSecretFile(secretFile);
  const keys = [jwksUrl, publicKeyFile, secret].filter((value) => value !== undefined).length;
  if (given.oidcIssuer !== undefined && keys > 0) {
    throw new UsageError(
      '--jwt-oidc-issuer finds its keys by discovery: drop --jwt-jwks-url, --jwt-public-key and the secret',
    );
  }
  if (given.oidcIssuer === undefined && keys !== 1) {
    throw new UsageError(
      'a customer issuer needs exactly one of --jwt-jwks-url, --jwt-public-key or JWT_SECRET (or --jwt-secret-file), or --jwt-oidc-issuer',
    );
  }
  const issuer = {
    ...given,
    audience: text('jwt-audience', 'JWT_AUDIENCE'),
    jwksUrl,
    publicKeyFile,
    secret,
    algorithms: text('jwt-algorithms', 'JWT_ALGORITHMS'),
    rolesClaim: text('jwt-roles-claim', 'JWT_ROLES_CLAIM'),
    trustedCaFile: text('jwt-trusted-ca', 'JWT_TRUSTED_CA_FILE'),
  };
  const options = Object.fromEntries(Object.entries(issuer).filter(([, value]) => value !== undefined));
  // Checked now, as the functions will check them, so a bad setting is exit 2 with its message.
  asUsage(() => {
    try {
      externalAuthSettings(options);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new UsageError((error as Error).message);
      throw error;
    }
  });
  return options;
}

/** STORE_POLICIES: `on` (the default) or `off`; `--no-store-policies` turns them off whatever it says. */
function storePolicies(off: boolean, setting: string | undefined): boolean {
  if (off) return false;
  if (setting === undefined || setting === '' || setting === 'on') return true;
  if (setting === 'off') return false;
  throw new UsageError(`STORE_POLICIES must be on or off, not ${setting}`);
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
  httpUrl: string | undefined,
  metricsUrl: string | undefined,
  options: ServeOptions,
  tls: RunningServer['tls'],
  devToken: string | undefined,
): void {
  // The self-signed certificate names 127.0.0.1, so curl verifies it against itself: no -k needed.
  const trust = tls?.certFile === undefined ? '' : ` --cacert "${tls.certFile}"`;
  const lines = [
    `Identities Photos & Documents is listening on ${url}`,
    ...(httpUrl === undefined ? [] : [`Plain HTTP (for a TLS-terminating proxy): ${httpUrl}`]),
    ...(metricsUrl === undefined ? [] : [`Metrics: ${metricsUrl}`]),
    ...(options.apiDocs === true ? [`API reference: ${url}/docs (description: ${url}/openapi.json)`] : []),
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
