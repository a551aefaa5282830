import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  authenticatorFromEnv,
  dynamoSettings,
  makeDocumentStore,
  makeDynamoClient,
  makeRoleStore,
  makeS3Client,
  makeUploadSessionStore,
  objectStoreFromEnv,
} from '@identities/aws';
import {
  type Authenticator,
  corsPolicy,
  describeError,
  enrollmentPhotoKey,
  HSTS,
  LOCAL_ORIGINS,
  type Logger,
  makeLogger,
  makeSweepOrphanDocuments,
  makeSweepUploadSessions,
  type Route,
  routes,
} from '@identities/core';
import { lockDataDir, writeServerInfo } from './data-dir.ts';
import { DEV_AUDIENCE, DEV_ISSUER, type DevIssuer, JWKS_PATH, loadDevIssuer } from './dev-issuer.ts';
import { type AnyHandler, createGateway, STORAGE_UPLOAD_PATH } from './gateway.ts';
import { STAND_IN_REGION, type StandIns, standInEnv, startStandIns } from './stand-ins.ts';
import { hostOf, loadTls, type TlsOption } from './tls.ts';

/** Storage other than the embedded stand-ins: any S3- and DynamoDB-compatible endpoints (or AWS). */
export interface ExternalStorage {
  readonly s3Endpoint: string | undefined;
  readonly dynamoEndpoint: string | undefined;
  readonly bucket: string;
  readonly table: string;
  readonly region: string;
}

/** A customer's token issuer; without one the server runs its own dev issuer. */
export interface ExternalIssuer {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUrl?: string;
  readonly publicKeyFile?: string;
  readonly secret?: string;
  readonly algorithms?: string;
}

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly tls?: TlsOption;
  readonly storage?: ExternalStorage;
  readonly issuer?: ExternalIssuer;
  readonly logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Put a sample enrollment photo (face `sample-face`) in a new store, so the first curl works. */
  readonly samplePhoto?: boolean;
  /** Browser origins allowed besides `http://localhost:*` and `http://127.0.0.1:*`. */
  readonly corsOrigins?: readonly string[];
  /** Where clients reach external storage for presigned uploads, when not at its endpoint. */
  readonly s3PublicEndpoint?: string;
  /** The URL clients reach this server at, when not its own address (a name, a proxy, all interfaces). */
  readonly publicUrl?: string;
}

/** How often the server removes what expired upload sessions left behind. */
export const SWEEP_INTERVAL_MS = 60_000;
/** How often, and after how long, document objects no document points to are removed. */
export const ORPHAN_SWEEP_INTERVAL_MS = 3_600_000;
export const ORPHAN_GRACE_SECONDS = 900;

/**
 * What one connection may hold, stated once (README, SECURITY.md): headers within 20 s and 16 KB, a whole
 * request within 10 minutes (a 200 MiB upload form at about 350 KB/s), 5 s between requests on a kept
 * connection, 60 s of silence at most, and 256 connections at once.
 */
export const SERVER_LIMITS = {
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 600_000,
  keepAliveTimeoutMs: 5_000,
  idleTimeoutMs: 60_000,
  maxConnections: 256,
} as const;

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  /** Present when the server runs its own issuer. */
  readonly devIssuer: DevIssuer | undefined;
  /** Present over HTTPS: what clients pin the certificate by, and the self-signed one's file. */
  readonly tls?: { readonly fingerprint256: string; readonly publicKeyPin: string; readonly certFile?: string };
  /** Stops accepting connections, lets requests in flight finish, then closes the stores. */
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

export const SAMPLE_FACE_ID = 'sample-face';
const REPO_ROOT = new URL('../../../', import.meta.url);

/** Imports a route's function module, as Lambda does at a cold start. */
async function loadHandler(route: Route): Promise<AnyHandler> {
  const [file, name] = route.handler.split('.') as [string, string];
  const module = (await import(new URL(`${file}.ts`, REPO_ROOT).href)) as Record<string, unknown>;
  const handler = module[name];
  if (typeof handler !== 'function') throw new Error(`${route.handler} exports no handler`);
  return handler as AnyHandler;
}

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(`port ${port} on ${host} is already in use`) : error),
    );
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}

/**
 * The local and on-prem server: the local gateway in front of the very handler modules Lambda runs,
 * with embedded or external storage and the dev or a customer's issuer.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const logger: Logger = makeLogger(options.logLevel ?? 'info');
  const release = lockDataDir(options.dataDir);
  let standIns: StandIns | undefined;
  let server: Server | undefined;
  const corsOrigins = [...LOCAL_ORIGINS, ...(options.corsOrigins ?? [])];
  const cors = corsPolicy(corsOrigins);
  try {
    standIns =
      options.storage === undefined
        ? await startStandIns({
            dataDir: options.dataDir,
            bucket: 'identities',
            table: 'identities',
            logger,
            cors,
          })
        : undefined;
    const devIssuer = options.issuer === undefined ? await loadDevIssuer(options.dataDir) : undefined;
    const tls =
      options.tls === undefined
        ? undefined
        : await loadTls(options.tls, options.dataDir, [options.host, hostOf(options.publicUrl)]);
    if (tls?.replaced !== undefined) {
      logger.log('warn', 'replaced the self-signed certificate', { reason: tls.replaced, certFile: tls.certFile });
    }

    // Set once the functions' settings are in place, before the first function loads.
    let auth: Authenticator | undefined;
    const gateway = createGateway({
      routes,
      loadHandler,
      logger,
      cors,
      ...(standIns === undefined ? {} : { storageUploads: standIns.uploads }),
      precheck: async (request, route) => {
        if (auth === undefined) return;
        await auth.authorize(await auth.authenticate(request), route.permission);
      },
      extras:
        devIssuer === undefined
          ? {}
          : {
              [JWKS_PATH]: (_: IncomingMessage, response: ServerResponse) => {
                response.writeHead(200, {
                  'Content-Type': 'application/json',
                  'Cache-Control': 'max-age=300',
                  'X-Content-Type-Options': 'nosniff',
                });
                response.end(JSON.stringify(devIssuer.jwks));
              },
            },
    });
    const listener = (request: IncomingMessage, response: ServerResponse) => {
      if (tls !== undefined) response.setHeader('Strict-Transport-Security', HSTS);
      gateway(request, response).catch((error: unknown) => {
        logger.log('error', 'gateway failed', { error: describeError(error) });
        response.destroy();
      });
    };
    const serverOptions = {
      maxHeaderSize: SERVER_LIMITS.maxHeaderBytes,
      headersTimeout: SERVER_LIMITS.headersTimeoutMs,
      requestTimeout: SERVER_LIMITS.requestTimeoutMs,
      keepAliveTimeout: SERVER_LIMITS.keepAliveTimeoutMs,
    };
    server =
      tls === undefined
        ? createHttpServer(serverOptions, listener)
        : createHttpsServer(
            {
              ...serverOptions,
              cert: tls.cert,
              key: tls.key,
              minVersion: 'TLSv1.2',
              // TLS 1.2 with forward secrecy and AEAD only (TLS 1.3's suites all are): no CBC, CCM or ARIA.
              ciphers: [
                'TLS_AES_128_GCM_SHA256',
                'TLS_AES_256_GCM_SHA384',
                'TLS_CHACHA20_POLY1305_SHA256',
                'ECDHE-ECDSA-AES128-GCM-SHA256',
                'ECDHE-RSA-AES128-GCM-SHA256',
                'ECDHE-ECDSA-AES256-GCM-SHA384',
                'ECDHE-RSA-AES256-GCM-SHA384',
                'ECDHE-ECDSA-CHACHA20-POLY1305',
                'ECDHE-RSA-CHACHA20-POLY1305',
              ].join(':'),
              honorCipherOrder: true,
            },
            listener,
          );
    server.maxConnections = SERVER_LIMITS.maxConnections;
    server.timeout = SERVER_LIMITS.idleTimeoutMs;
    // A client that asks before sending its body gets the go-ahead only once the gateway has checked it.
    server.on('checkContinue', listener);
    const address = await listen(server, options.port, options.host);
    const scheme = tls === undefined ? 'http' : 'https';
    const loopback = ['0.0.0.0', '::', '127.0.0.1', 'localhost', '::1'].includes(options.host);
    const displayHost = loopback ? '127.0.0.1' : options.host.includes(':') ? `[${options.host}]` : options.host;
    const url = `${scheme}://${displayHost}:${address.port}`;
    const publicUrl = options.publicUrl?.replace(/\/$/, '') ?? url;
    if (options.publicUrl === undefined && ['0.0.0.0', '::'].includes(options.host)) {
      logger.log(
        'warn',
        'listening on all interfaces: set --public-url so presigned upload URLs reach remote clients',
        {
          url,
        },
      );
    }

    const storageEnv =
      standIns !== undefined
        ? standInEnv(standIns)
        : {
            AWS_REGION: options.storage?.region ?? '',
            BUCKET_NAME: options.storage?.bucket ?? '',
            TABLE_NAME: options.storage?.table ?? '',
            S3_ENDPOINT: options.storage?.s3Endpoint ?? '',
            DYNAMODB_ENDPOINT: options.storage?.dynamoEndpoint ?? '',
          };
    const publicStorage =
      standIns !== undefined ? `${publicUrl}${STORAGE_UPLOAD_PATH}` : (options.s3PublicEndpoint ?? '');
    Object.assign(process.env, storageEnv, issuerEnv(options.issuer, devIssuer, url, tls === undefined && loopback), {
      LOG_LEVEL: options.logLevel ?? 'info',
      CORS_ALLOWED_ORIGINS: corsOrigins.join(','),
      S3_PUBLIC_ENDPOINT: publicStorage,
    });
    // Load every function now, as cold starts would: bad configuration fails here, not on a request.
    await Promise.all(routes.map(loadHandler));
    const table = dynamoSettings(process.env);
    const dynamo = makeDynamoClient(table);
    auth = authenticatorFromEnv(process.env, makeRoleStore(dynamo, table.table));

    if (standIns !== undefined && options.samplePhoto !== false) await putSamplePhoto(standIns);
    writeServerInfo(options.dataDir, {
      pid: process.pid,
      url,
      s3Endpoint: standIns?.s3Endpoint ?? options.storage?.s3Endpoint ?? '',
      dynamoEndpoint: standIns?.dynamoEndpoint ?? options.storage?.dynamoEndpoint ?? '',
      bucket: standIns?.bucket ?? options.storage?.bucket ?? '',
      table: standIns?.table ?? options.storage?.table ?? '',
      region: standIns === undefined ? (options.storage?.region ?? '') : STAND_IN_REGION,
    });

    const objects = objectStoreFromEnv(process.env);
    const sweepSessions = makeSweepUploadSessions({
      sessions: makeUploadSessionStore(dynamo, table.table),
      objects,
      logger,
    });
    const sweepOrphans = makeSweepOrphanDocuments({
      objects,
      documents: makeDocumentStore(dynamo, table.table),
      logger,
    });
    const guarded = (work: () => Promise<unknown>) => () =>
      work().catch((error: unknown) => logger.log('warn', 'sweep failed', { error: describeError(error) }));
    // Nothing is in flight in a server that has just taken its data dir: any orphan is a crash's.
    await guarded(() => Promise.all([sweepSessions(), sweepOrphans(0)]))();
    const sweepers = [
      setInterval(guarded(sweepSessions), SWEEP_INTERVAL_MS),
      setInterval(
        guarded(() => sweepOrphans(ORPHAN_GRACE_SECONDS)),
        ORPHAN_SWEEP_INTERVAL_MS,
      ),
    ];
    for (const sweeper of sweepers) sweeper.unref();

    const running = server;
    const stores = standIns;
    let closing: Promise<void> | undefined;
    return {
      url,
      port: address.port,
      devIssuer,
      ...(tls === undefined
        ? {}
        : {
            tls: {
              fingerprint256: tls.fingerprint256,
              publicKeyPin: tls.publicKeyPin,
              ...(tls.certFile === undefined ? {} : { certFile: tls.certFile }),
            },
          }),
      close() {
        closing ??= (async () => {
          for (const sweeper of sweepers) clearInterval(sweeper);
          const drained = new Promise<void>((resolve) => running.close(() => resolve()));
          running.closeIdleConnections();
          const deadline = setTimeout(() => running.closeAllConnections(), 10_000);
          await drained;
          clearTimeout(deadline);
          await stores?.close();
          release();
        })();
        return closing;
      },
    };
  } catch (error) {
    server?.close();
    await standIns?.close();
    release();
    throw error;
  }
}

function issuerEnv(
  issuer: ExternalIssuer | undefined,
  devIssuer: DevIssuer | undefined,
  url: string,
  jwksByUrl: boolean,
): Record<string, string> {
  const keys = { JWT_JWKS_URL: '', JWT_JWKS: '', JWT_PUBLIC_KEY: '', JWT_SECRET: '', JWT_ALGORITHMS: '' };
  if (issuer === undefined) {
    // The dev issuer's keys are fetched from this server's JWKS URL, the production code path; over
    // HTTPS with a self-signed certificate, or on a non-loopback address, they are handed over directly.
    const jwks = JSON.stringify(devIssuer?.jwks ?? { keys: [] });
    return {
      ...keys,
      JWT_ISSUER: DEV_ISSUER,
      JWT_AUDIENCE: DEV_AUDIENCE,
      ...(jwksByUrl ? { JWT_JWKS_URL: `${url}${JWKS_PATH}` } : { JWT_JWKS: jwks }),
    };
  }
  return {
    ...keys,
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    JWT_JWKS_URL: issuer.jwksUrl ?? '',
    JWT_PUBLIC_KEY: issuer.publicKeyFile === undefined ? '' : readFileSync(issuer.publicKeyFile, 'utf8'),
    JWT_SECRET: issuer.secret ?? '',
    JWT_ALGORITHMS: issuer.algorithms ?? '',
  };
}

/** An S3 client of the embedded store, signing with the install's key. */
function storeClient(standIns: StandIns): S3Client {
  return makeS3Client({ region: STAND_IN_REGION, endpoint: standIns.s3Endpoint, credentials: standIns.credentials });
}

async function putSamplePhoto(standIns: StandIns): Promise<void> {
  const client = storeClient(standIns);
  const key = enrollmentPhotoKey(SAMPLE_FACE_ID);
  try {
    await client.send(new HeadObjectCommand({ Bucket: standIns.bucket, Key: key }));
  } catch (error) {
    if (!(error instanceof NotFound)) throw error;
    const body = await readFile(new URL('../assets/sample-face.jpg', import.meta.url));
    await client.send(
      new PutObjectCommand({ Bucket: standIns.bucket, Key: key, Body: body, ContentType: 'image/jpeg' }),
    );
  } finally {
    client.destroy();
  }
}
