export type { Io } from './cli/io.ts';

import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParseArgsConfig } from 'node:util';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { makeRoleStore } from '@identities/aws';
import { detectionPhotoKey, enrollmentPhotoKey, isSafeId, PERMISSIONS } from '@identities/core';
import { CommandError, type Io, parse, progressBar, UsageError } from './cli/io.ts';
import { dynamoOf, type Storage, storageOptions, withStorage } from './cli/storage.ts';
import { dataDirFrom, readServerInfo } from './data-dir.ts';
import { ALL_FILE_PERMISSIONS, loadDevIssuer } from './dev-issuer.ts';
import { type ApiTarget, downloadDocument, uploadDocument } from './document-commands.ts';
import { type RunningServer, type ServeOptions, startServer } from './server.ts';
import { presents, selfSignedFiles } from './tls.ts';

const MAX_PHOTO_BYTES = 20 * 1024 * 1024;

const USAGE = `Usage: identities <command> [options]

Commands:
  serve                      Run the API locally or on-prem (what npm run dev runs)
  token                      Print a token signed by the dev issuer of the data dir
  photo put FILE.jpg         Store a face's enrollment photo, or one of its detection photos
  photo import DIR           Import a folder of photos: DIR/<faceId>/enrollment.jpg, DIR/<faceId>/detections/<id>.jpg
  role put NAME              Create or replace a role and the permissions it grants
  role list                  List roles
  document upload FILE       Upload a person's document (multipart up to 4 MiB, an upload session above)
  document download          Download a person's document to a file

Run "identities <command> --help" for a command's options.
Storage: the server running on the data dir (DATA_DIR, default .data), or the data dir's embedded stores when
none runs; a deployed stage's with --bucket and --table (or BUCKET_NAME and TABLE_NAME) and AWS credentials.
`;

const apiOptions = {
  'api-url': { type: 'string' },
  token: { type: 'string' },
  insecure: { type: 'boolean', short: 'k' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options'];

const API_HELP = `  --api-url URL             The API (IDENTITIES_API_URL; default: the server running on the data dir)
  --token JWT               Bearer token (IDENTITIES_TOKEN; default: a dev token from the data dir's issuer)
  -k, --insecure            Do not verify the server's certificate, for this command only (the certificate
                            of the server running on the data dir is verified without it)
  --data-dir DIR            The local data dir (DATA_DIR, default .data)`;

const HELP: Record<string, string> = {
  'document upload': `Usage: identities document upload --person-id ID --name NAME [--description TEXT] [--public-id ID] FILE

Uploads FILE as the person's document: through the multipart endpoint up to 4 MiB, through an upload
session above (up to 200 MiB, with a progress bar on a terminal). Prints the document id.
  --person-id ID            The person (GUID)
  --name NAME               Display name
  --description TEXT        Optional description
  --public-id ID            The document id to use (default: the server picks a GUID)
  --content-type TYPE       Default: from the file's extension
${API_HELP}
`,
  'document download': `Usage: identities document download --person-id ID --document-id ID -o FILE

Downloads a person's document to FILE, written whole or not at all.
  --person-id ID            The person (GUID)
  --document-id ID          The document id
  -o, --output FILE         Where to write it
${API_HELP}
`,
  serve: `Usage: identities serve [options]

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
`,
  token: `Usage: identities token [--sub ID] [--permission NAME]... [--role NAME]... [--expires-in 1h]

Prints a JWT signed by the data dir's dev issuer, and nothing else, on stdout.
  --sub ID                  Subject (default dev-user)
  --permission NAME         A permission to grant; repeat for more
                            (default, without --permission or --role: "${PERMISSIONS.addFiles}" and "${PERMISSIONS.readFiles}")
  --role NAME               A role to name in the token; repeat for more
  --expires-in DURATION     Lifetime such as 30m, 1h, 7d (default 12h)
  --data-dir DIR            The data dir whose issuer signs (DATA_DIR, default .data)
A deployed stage trusts its customer's issuer only: get tokens there from that issuer.
`,
  'photo put': `Usage: identities photo put --face-id ID [--detection-id ID] FILE.jpg

Stores FILE.jpg as the face's enrollment photo, or as one of its detection photos. Refuses a non-JPEG.
  --face-id ID              The face (letters, digits, ".", "_", "~", "-"; at most 128)
  --detection-id ID         Store a detection photo with this id instead of the enrollment photo
  --data-dir DIR | --bucket NAME --table NAME [--region NAME]   Where to store (see "identities --help")
`,
  'photo import': `Usage: identities photo import DIR

Imports every DIR/<faceId>/enrollment.jpg and DIR/<faceId>/detections/<detectionId>.jpg, with a progress bar
on a terminal and a summary line. Exits 1 if any photo could not be imported.
  --data-dir DIR | --bucket NAME --table NAME [--region NAME]   Where to store (see "identities --help")
`,
  'role put': `Usage: identities role put NAME --permission NAME [--permission NAME]...

Creates or replaces a role. Tokens naming the role (claims role, roles, or the long-form role claim) get its
permissions within the role cache time (ROLE_CACHE_SECONDS, default 60 s).
  --data-dir DIR | --bucket NAME --table NAME [--region NAME]   Where to store (see "identities --help")
`,
  'role list': `Usage: identities role list [--json]

Lists roles and their permissions.
  --json                    One JSON array instead of lines
  --data-dir DIR | --bucket NAME --table NAME [--region NAME]   Where to read (see "identities --help")
`,
};

function isJpeg(bytes: Buffer): boolean {
  return bytes.length >= 4 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

async function readPhoto(file: string): Promise<Buffer> {
  const info = await stat(file).catch(() => undefined);
  if (info === undefined || !info.isFile()) throw new CommandError(`${file}: no such file`);
  if (info.size > MAX_PHOTO_BYTES) throw new CommandError(`${file}: larger than ${MAX_PHOTO_BYTES} bytes`);
  const bytes = await readFile(file);
  if (!isJpeg(bytes)) throw new CommandError(`${file}: not a JPEG`);
  return bytes;
}

const putPhoto = (storage: Storage, key: string, body: Buffer) =>
  storage.s3.send(new PutObjectCommand({ Bucket: storage.bucket, Key: key, Body: body, ContentType: 'image/jpeg' }));

async function photoPut(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    args,
    { ...storageOptions, 'face-id': { type: 'string' }, 'detection-id': { type: 'string' } },
    1,
  );
  if (values.help) return help(io, 'photo put');
  const faceId = values['face-id'];
  const detectionId = values['detection-id'];
  const file = positionals[0];
  if (faceId === undefined) throw new UsageError('--face-id is required');
  if (file === undefined) throw new UsageError('name the JPEG file to store');
  if (!isSafeId(faceId)) throw new UsageError(`--face-id ${JSON.stringify(faceId)} is not a valid id`);
  if (detectionId !== undefined && !isSafeId(detectionId)) {
    throw new UsageError(`--detection-id ${JSON.stringify(detectionId)} is not a valid id`);
  }
  const bytes = await readPhoto(file);
  const key = detectionId === undefined ? enrollmentPhotoKey(faceId) : detectionPhotoKey(faceId, detectionId);
  await withStorage(io, values, (storage) => putPhoto(storage, key, bytes));
  io.err(
    `Stored ${detectionId === undefined ? 'the enrollment photo' : `detection photo ${detectionId}`} of face ${faceId} (${bytes.length} bytes).\n`,
  );
  return 0;
}

interface Found {
  readonly file: string;
  readonly key: string;
  readonly kind: 'enrollment' | 'detection';
}

async function findPhotos(dir: string): Promise<{ found: Found[]; skipped: string[] }> {
  const found: Found[] = [];
  const skipped: string[] = [];
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => {
    throw new CommandError(`${dir}: no such directory`);
  });
  for (const face of entries) {
    if (!face.isDirectory()) continue;
    if (!isSafeId(face.name)) {
      skipped.push(`${face.name}/ (not a valid face id)`);
      continue;
    }
    const faceDir = join(dir, face.name);
    const enrollment = join(faceDir, 'enrollment.jpg');
    if (
      await stat(enrollment).then(
        (info) => info.isFile(),
        () => false,
      )
    ) {
      found.push({ file: enrollment, key: enrollmentPhotoKey(face.name), kind: 'enrollment' });
    }
    const detections = await readdir(join(faceDir, 'detections'), { withFileTypes: true }).catch(() => []);
    for (const detection of detections) {
      const id = detection.name.replace(/\.jpg$/, '');
      if (!detection.isFile() || !detection.name.endsWith('.jpg')) continue;
      if (!isSafeId(id)) {
        skipped.push(`${face.name}/detections/${detection.name} (not a valid detection id)`);
        continue;
      }
      found.push({
        file: join(faceDir, 'detections', detection.name),
        key: detectionPhotoKey(face.name, id),
        kind: 'detection',
      });
    }
  }
  return { found, skipped };
}

async function photoImport(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, storageOptions, 1);
  if (values.help) return help(io, 'photo import');
  const dir = positionals[0];
  if (dir === undefined) throw new UsageError('name the folder to import');
  const { found, skipped } = await findPhotos(dir);
  const failed: string[] = [...skipped];
  const counts = { enrollment: 0, detection: 0 };
  let done = 0;
  await withStorage(io, values, async (storage) => {
    const queue = [...found];
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        try {
          await putPhoto(storage, next.key, await readPhoto(next.file));
          counts[next.kind]++;
        } catch (error) {
          failed.push(
            `${next.file} (${error instanceof CommandError ? error.message.replace(`${next.file}: `, '') : String(error)})`,
          );
        }
        done++;
        if (io.isTty) io.err(progressBar(done, found.length));
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
  });
  if (io.isTty && found.length > 0) io.err('\n');
  for (const line of failed) io.err(`skipped ${line}\n`);
  io.out(
    `Imported ${counts.enrollment + counts.detection} photos (${counts.enrollment} enrollment, ${counts.detection} detection); ${failed.length} skipped.\n`,
  );
  return failed.length === 0 ? 0 : 1;
}

async function rolePut(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, { ...storageOptions, permission: { type: 'string', multiple: true } }, 1);
  if (values.help) return help(io, 'role put');
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
  if (values.help) return help(io, 'role list');
  const roles = await withStorage(io, values, (storage) => makeRoleStore(dynamoOf(storage), storage.table).list());
  if (values.json) io.out(`${JSON.stringify(roles, null, 2)}\n`);
  else if (roles.length === 0) io.err('No roles.\n');
  else for (const role of roles) io.out(`${role.name}: ${role.permissions.join(', ')}\n`);
  return 0;
}

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
  if (values.help) return help(io, 'token');
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
  if (values.help) return help(io, 'serve');
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
  const logLevel = text('log-level', 'LOG_LEVEL') ?? 'info';
  if (!['debug', 'info', 'warn', 'error', 'silent'].includes(logLevel))
    throw new UsageError(`--log-level ${logLevel} is not a level`);
  return {
    port,
    host: text('host', 'HOST') ?? '127.0.0.1',
    dataDir: dataDirFrom(env, text('data-dir')),
    ...(tls === undefined ? {} : { tls }),
    ...(storage === undefined ? {} : { storage }),
    ...(issuer === undefined ? {} : { issuer }),
    logLevel: logLevel as ServeOptions['logLevel'],
    samplePhoto: values['no-sample'] !== true,
    corsOrigins: [
      ...((values['cors-origin'] as string[] | undefined) ?? []),
      ...(env.CORS_ALLOWED_ORIGINS?.split(',')
        .map((origin) => origin.trim())
        .filter(Boolean) ?? []),
    ],
    ...(text('s3-public-endpoint') === undefined ? {} : { s3PublicEndpoint: text('s3-public-endpoint') as string }),
    ...(publicUrl === undefined ? {} : { publicUrl }),
  };
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
      `curl -s${trust} "${url}/api/v1/people/enrollmentPhoto/sample-face" -H "Authorization: Bearer ${devToken}" -o enrollment.jpg`,
      '',
      'More tokens: npx identities token --help. Stop with Ctrl+C.',
    );
  }
  io.out(`${lines.join('\n')}\n`);
}

/** The API to call: named by options, or the server running on the data dir with a dev token. */
async function apiTarget(
  io: Io,
  values: { 'api-url'?: string; token?: string; insecure?: boolean; 'data-dir'?: string },
): Promise<ApiTarget> {
  const dataDir = dataDirFrom(io.env, values['data-dir']);
  const running = readServerInfo(dataDir);
  const url = values['api-url'] ?? io.env.IDENTITIES_API_URL ?? running?.url;
  if (url === undefined) {
    throw new UsageError(`no server runs on ${dataDir}: start one (npm run dev) or name the API with --api-url`);
  }
  let token = values.token ?? io.env.IDENTITIES_TOKEN;
  if (token === undefined) {
    const issuer = await loadDevIssuer(dataDir, false);
    if (issuer === undefined) throw new UsageError('give a token with --token or IDENTITIES_TOKEN');
    token = await issuer.sign({ permissions: ALL_FILE_PERMISSIONS, subject: 'identities-cli', expiresIn: '10m' });
  }
  const insecure = values.insecure === true;
  // The server running on the data dir, when it serves the data dir's self-signed certificate, is verified
  // against that certificate alone: no -k needed. Any other certificate (one given with --tls-cert, while
  // an older self-signed one stays in the data dir) must chain to a trusted CA.
  const selfSigned =
    !insecure && running !== undefined && url === running.url && url.startsWith('https:')
      ? await readFile(selfSignedFiles(dataDir).certFile, 'utf8').catch(() => undefined)
      : undefined;
  const ca = selfSigned !== undefined && (await presents(url, selfSigned)) ? selfSigned : undefined;
  return { url, token, insecure, ...(ca === undefined ? {} : { ca }) };
}

async function documentUpload(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(
    args,
    {
      ...apiOptions,
      'person-id': { type: 'string' },
      name: { type: 'string' },
      description: { type: 'string' },
      'public-id': { type: 'string' },
      'content-type': { type: 'string' },
    },
    1,
  );
  if (values.help) return help(io, 'document upload');
  const file = positionals[0];
  const personId = values['person-id'];
  const name = values.name;
  if (personId === undefined || name === undefined || file === undefined) {
    throw new UsageError('give --person-id, --name and the FILE to upload');
  }
  const target = await apiTarget(io, values);
  let shown = -1;
  const documentId = await uploadDocument(
    target,
    {
      personId,
      name,
      description: values.description,
      publicId: values['public-id'],
      file,
      contentType: values['content-type'],
    },
    io.isTty
      ? (sent, total) => {
          const percent = Math.floor((sent / total) * 100);
          if (percent === shown) return;
          shown = percent;
          io.err(
            `${progressBar(sent, total).replace(/\d+\/\d+$/, '')}${(sent / 1048576).toFixed(1)}/${(total / 1048576).toFixed(1)} MiB`,
          );
        }
      : undefined,
  );
  if (shown >= 0) io.err('\n');
  io.out(`${documentId}\n`);
  return 0;
}

async function documentDownload(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    ...apiOptions,
    'person-id': { type: 'string' },
    'document-id': { type: 'string' },
    output: { type: 'string', short: 'o' },
  });
  if (values.help) return help(io, 'document download');
  const personId = values['person-id'];
  const documentId = values['document-id'];
  const output = values.output;
  if (personId === undefined || documentId === undefined || output === undefined) {
    throw new UsageError('give --person-id, --document-id and -o FILE');
  }
  const size = await downloadDocument(await apiTarget(io, values), personId, documentId, output);
  io.err(`Saved ${size} bytes to ${output}.\n`);
  return 0;
}

function help(io: Io, command: string): number {
  io.out(HELP[command] ?? USAGE);
  return 0;
}

/** Runs one CLI invocation; returns the exit code. */
export async function runCli(argv: readonly string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        io.out(USAGE);
        return command === undefined ? 2 : 0;
      case 'serve':
        return await serve(rest, io);
      case 'token':
        return await token(rest, io);
      case 'photo':
      case 'role':
      case 'document': {
        const [sub, ...args] = rest;
        const handlers: Record<string, (args: string[], io: Io) => Promise<number>> = {
          photo: { put: photoPut, import: photoImport },
          role: { put: rolePut, list: roleList },
          document: { upload: documentUpload, download: documentDownload },
        }[command];
        const run = sub === undefined ? undefined : handlers[sub];
        if (run === undefined) {
          if (sub === '--help' || sub === '-h') return help(io, `${command} ${Object.keys(handlers)[0]}`);
          throw new UsageError(`"${command}" takes one of: ${Object.keys(handlers).join(', ')}`);
        }
        return await run(args, io);
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      const usage = command === undefined ? 'identities --help' : `identities ${command} --help`;
      io.err(`identities: ${error.message}\nRun "${usage}" for usage.\n`);
      return 2;
    }
    io.err(`identities: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}
