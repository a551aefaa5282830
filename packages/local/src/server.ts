import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { HeadObjectCommand, NotFound, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  type AuditSettings,
  type AuthSettings,
  auditTrailHandler,
  authenticatorOf,
  completeUploadSessionHandler,
  deleteDetectionPhotoHandler,
  deleteEnrollmentPhotoHandler,
  deleteFileDocumentHandler,
  detectionPhotoHandler,
  detectionPhotoLinkHandler,
  downloadFileDocumentHandler,
  enrollmentPhotoHandler,
  enrollmentPhotoLinkHandler,
  eraseFileDocumentsHandler,
  fileDocumentLinkHandler,
  getFileDocumentHandler,
  listFileDocumentsHandler,
  makeDocumentStore,
  makeRoleStore,
  makeS3Client,
  objectStoreOf,
  observeStorageErrors,
  readAuthSettings,
  readAuthTuning,
  type Settings,
  type StorageSettings,
  startUploadSessionHandler,
  tableOf,
  updateFileDocumentHandler,
  uploadFileDocumentHandler,
} from '@identities/aws';
import {
  type Authenticator,
  type CorsPolicy,
  corsPolicy,
  describeError,
  enrollmentPhotoKey,
  HSTS,
  LOCAL_ORIGINS,
  type Logger,
  makeLogger,
  ORPHAN_GRACE_SECONDS,
  operator,
  type Route,
  type RouteId,
  routes,
} from '@identities/core';
import { makeApiDocs } from './api-docs.ts';
import { lockDataDir, writeServerInfo } from './data-dir.ts';
import { DEV_AUDIENCE, DEV_ISSUER, type DevIssuer, JWKS_PATH, loadDevIssuer } from './dev-issuer.ts';
import { type AnyHandler, createGateway, STORAGE_UPLOAD_PATH } from './gateway.ts';
import { makeProbes } from './health.ts';
import { makeMetrics, metricsEndpoint, type ServerMetrics } from './metrics.ts';
import { STAND_IN_REGION, type StandIns, startStandIns } from './stand-ins.ts';
import { type Sweeps, startSweeps } from './sweeps.ts';
import { hostOf, loadTls, type TlsOption, type TlsReload, watchTls } from './tls.ts';

/** Storage other than the embedded stand-ins: any S3- and DynamoDB-compatible endpoints (or AWS). */
export interface ExternalStorage {
  readonly s3Endpoint: string | undefined;
  readonly dynamoEndpoint: string | undefined;
  readonly bucket: string;
  readonly table: string;
  readonly region: string;
}

/**
 * A customer's token issuer, as the settings of a function name it (JWT_*); without one the server runs
 * its own dev issuer. Files are read at start.
 */
export interface ExternalIssuer {
  readonly issuer?: string;
  readonly audience?: string;
  readonly jwksUrl?: string;
  readonly oidcIssuer?: string;
  readonly publicKeyFile?: string;
  readonly secret?: string;
  readonly algorithms?: string;
  readonly uncheckedClaims?: string;
  readonly rolesClaim?: string;
  readonly trustedCaFile?: string;
}

/** The functions' token settings for a customer's issuer: read as a function reads its environment. */
export function externalAuthSettings(issuer: ExternalIssuer, env: NodeJS.ProcessEnv = process.env): AuthSettings {
  const file = (name: string | undefined) => (name === undefined ? undefined : readFileSync(name, 'utf8'));
  return readAuthSettings({
    JWT_ISSUER: issuer.issuer,
    JWT_AUDIENCE: issuer.audience,
    JWT_JWKS_URL: issuer.jwksUrl,
    JWT_OIDC_ISSUER: issuer.oidcIssuer,
    JWT_PUBLIC_KEY: file(issuer.publicKeyFile),
    JWT_SECRET: issuer.secret,
    JWT_ALGORITHMS: issuer.algorithms,
    JWT_UNCHECKED_CLAIMS: issuer.uncheckedClaims,
    JWT_ROLES_CLAIM: issuer.rolesClaim,
    JWT_TRUSTED_CA: file(issuer.trustedCaFile),
    // Token tuning comes from the environment, as in a deployed stage.
    ...Object.fromEntries(TUNING_SETTINGS.map((name) => [name, env[name]])),
  });
}

const TUNING_SETTINGS = [
  'JWT_CLOCK_TOLERANCE_SECONDS',
  'JWT_MAX_TOKEN_LIFETIME_SECONDS',
  'ROLE_CACHE_SECONDS',
  'TOKEN_CACHE_SECONDS',
];

export interface ServeOptions {
  readonly port: number;
  readonly host: string;
  readonly dataDir: string;
  readonly tls?: TlsOption;
  /**
   * A second, plain-HTTP listener beside the HTTPS one (the product's 6009), off when absent: for a
   * TLS-terminating proxy on the same host. Same gateway, limits and token precheck; no HSTS.
   */
  readonly http?: { readonly port: number; readonly host: string };
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
  /**
   * Hold every request to the embedded stores to its caller's IAM policy, as AWS would (the default);
   * `false` lets each caller's key do anything.
   */
  readonly storePolicies?: boolean;
  /**
   * Prometheus metrics at `/metrics`, off when absent: on a plain-HTTP listener of their own when a port
   * is given (loopback unless told otherwise), else on the API's listeners, where a token is required.
   */
  readonly metrics?: { readonly port?: number; readonly host?: string; readonly token?: string };
  /** The API description at `/openapi.json` and its reference page at `/docs`, off when absent. */
  readonly apiDocs?: boolean;
  /** The access trail's retention and whether photo downloads are recorded; the defaults when absent. */
  readonly audit?: AuditSettings;
}

/**
 * What one connection may hold, stated once (README, SECURITY.md): a TLS handshake within 10 s, headers
 * within 20 s and 16 KB, a whole
 * request within 10 minutes (a 200 MiB upload form at about 350 KB/s), 5 s between requests on a kept
 * connection, 60 s of silence at most, and 256 connections at once.
 */
export const SERVER_LIMITS = {
  /** A TLS client must finish its handshake within this, before any HTTP limit applies. */
  handshakeTimeoutMs: 10_000,
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
  /** The plain-HTTP listener's URL, when enabled. */
  readonly httpUrl?: string;
  /** The metrics listener's `/metrics` URL, when metrics have a port of their own. */
  readonly metricsUrl?: string;
  /** Present when the server runs its own issuer. */
  readonly devIssuer: DevIssuer | undefined;
  /** Present over HTTPS: what clients pin the certificate by, and the self-signed one's file. */
  readonly tls?: { readonly fingerprint256: string; readonly publicKeyPin: string; readonly certFile?: string };
  /**
   * Reads the certificate and key files again and serves them to new connections if they fit; resolves
   * with why not, or undefined when they do (or did not change).
   */
  reloadTls(trigger: string): Promise<string | undefined>;
  /** Stops accepting connections, lets requests in flight finish, then closes the stores. */
  close(): Promise<void>;
}

export class PortInUseError extends Error {
  override name = 'PortInUseError';
}

export const SAMPLE_FACE_ID = 'sample-face';
/**
 * Each route's handler from settings given as a value: the very wiring its function module runs at a
 * cold start with the settings of its environment (`functions/<route>.ts` is that one call).
 */
export const ROUTE_HANDLERS: Readonly<Record<RouteId, (settings: Settings) => AnyHandler>> = {
  EnrollmentPhoto: enrollmentPhotoHandler,
  DetectionPhoto: detectionPhotoHandler,
  UploadFileDocument: uploadFileDocumentHandler,
  DownloadFileDocument: downloadFileDocumentHandler,
  StartUploadSession: startUploadSessionHandler,
  CompleteUploadSession: completeUploadSessionHandler,
  AuditTrail: auditTrailHandler,
  FileDocumentLink: fileDocumentLinkHandler,
  EnrollmentPhotoLink: enrollmentPhotoLinkHandler,
  DetectionPhotoLink: detectionPhotoLinkHandler,
  DeleteEnrollmentPhoto: deleteEnrollmentPhotoHandler,
  DeleteDetectionPhoto: deleteDetectionPhotoHandler,
  ListFileDocuments: listFileDocumentsHandler,
  GetFileDocument: getFileDocumentHandler,
  UpdateFileDocument: updateFileDocumentHandler,
  DeleteFileDocument: deleteFileDocumentHandler,
  EraseFileDocuments: eraseFileDocumentsHandler,
};

function listen(server: Server, port: number, host: string): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) =>
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(`port ${port} on ${host} is already in use`) : error),
    );
    server.listen(port, host, () => resolve(server.address() as AddressInfo));
  });
}

/**
 * The local and on-prem server: the local gateway in front of the very handlers Lambda runs (each route's
 * wiring, given the server's settings as a value), with embedded or external storage and the dev or a
 * customer's issuer. In steps: take the data dir, open storage, load keys and certificate, listen, settle
 * the functions' settings, make the functions, then seed, announce and sweep.
 */
export async function startServer(options: ServeOptions): Promise<RunningServer> {
  const logger: Logger = makeLogger(options.logLevel ?? 'info');
  const release = lockDataDir(options.dataDir);
  const corsOrigins = [...LOCAL_ORIGINS, ...(options.corsOrigins ?? [])];
  let standIns: StandIns | undefined;
  let server: Server | undefined;
  let httpServer: Server | undefined;
  let metricsServer: Server | undefined;
  let stopObserving: () => void = () => undefined;
  let tlsReload: TlsReload | undefined;
  try {
    if (options.metrics !== undefined && options.metrics.port === undefined && options.metrics.token === undefined) {
      throw new Error('metrics on the API listeners need a token of their own: give one, or a port of their own');
    }
    if (options.http !== undefined && options.tls === undefined) {
      throw new Error('a plain-HTTP listener is only for a server that serves HTTPS');
    }
    standIns = await openEmbeddedStorage(options, logger, corsPolicy(corsOrigins));
    if (standIns !== undefined && !standIns.principals.enforcing) {
      logger.log('warn', 'store policies are off: every function may do anything on the embedded stores');
    }
    const devIssuer = options.issuer === undefined ? await loadDevIssuer(options.dataDir) : undefined;
    const tls = await serverTls(options, logger);

    // The functions are made once their settings are known, which takes the listening address.
    let settled: (settings: Settings) => void = () => undefined;
    const functionSettings = new Promise<Settings>((resolve) => {
      settled = resolve;
    });
    // One handler per route, as one warm container each: made once, whoever asks first.
    const made = new Map<string, Promise<AnyHandler>>();
    const loadHandler = (route: Route) => {
      let handler = made.get(route.id);
      if (handler === undefined) {
        handler = functionSettings.then((settings) =>
          ROUTE_HANDLERS[route.id as RouteId](signingAs(settings, standIns, route.id)),
        );
        made.set(route.id, handler);
      }
      return handler;
    };
    let auth: Authenticator | undefined;
    let stores: ReturnType<typeof readinessStores> | undefined;
    const probes = makeProbes({
      logger,
      checks: {
        // Until the functions are made and the stores settled, the server is starting; then the token
        // signing keys must be in hand (a JWKS URL's or an OpenID provider's fetched).
        'signing-keys': async () => {
          if (auth === undefined) throw new Error('starting');
          await auth.ready();
        },
        'object-store': async () => {
          if (stores === undefined) throw new Error('starting');
          await stores.objects.head(READINESS_PROBE_KEY);
        },
        table: async () => {
          if (stores === undefined) throw new Error('starting');
          await stores.documents.get(READINESS_PROBE_ID, READINESS_PROBE_ID);
        },
      },
    });
    const metrics = options.metrics === undefined ? undefined : makeMetrics(routes);
    if (metrics !== undefined) stopObserving = observeStorageErrors((kind) => metrics.storageError(kind));
    const metricsAnswer = metrics === undefined ? undefined : metricsEndpoint(metrics, options.metrics?.token);
    const gateway = createGateway({
      operator: [
        probes,
        ...(metricsAnswer !== undefined && options.metrics?.port === undefined ? [metricsAnswer] : []),
        ...(options.apiDocs === true ? [makeApiDocs()] : []),
      ],
      routes,
      loadHandler,
      logger,
      cors: corsPolicy(corsOrigins),
      ...(standIns === undefined ? {} : { storageUploads: standIns.uploads }),
      precheck: async (request, route) => {
        if (auth === undefined) return;
        await auth.authorize(await auth.authenticate(request), route.permission);
      },
      extras: devIssuer === undefined ? {} : { [JWKS_PATH]: serveKeys(devIssuer) },
    });
    server = createListeningServer(tls, gatewayListener(gateway, tls !== undefined, logger, metrics));
    const address = await listen(server, options.port, options.host);
    tlsReload = tls === undefined ? undefined : reloadingTls(server, options.tls, tls, logger);
    const { url, publicUrl } = addresses(options, address.port, tls !== undefined, logger);
    // The same gateway, so the same routes, precheck and headers; only HSTS is HTTPS's alone.
    const listenHttp = async (http: NonNullable<ServeOptions['http']>) => {
      httpServer = createListeningServer(undefined, gatewayListener(gateway, false, logger, metrics));
      const bound = await listen(httpServer, http.port, http.host);
      const httpAddress = addresses({ ...options, host: http.host }, bound.port, false, logger).url;
      if (!LOOPBACK.includes(http.host) || ALL_INTERFACES.includes(http.host)) {
        logger.log('warn', 'plain HTTP is reachable from the network: tokens and documents cross it unencrypted', {
          url: httpAddress,
        });
      }
      return httpAddress;
    };
    const httpUrl = options.http === undefined ? undefined : await listenHttp(options.http);
    let metricsUrl: string | undefined;
    if (metricsAnswer !== undefined && options.metrics?.port !== undefined) {
      const host = options.metrics.host ?? '127.0.0.1';
      metricsServer = createListeningServer(undefined, (request, response) => {
        const pathname = (request.url ?? '').split('?')[0] ?? '';
        if (metricsAnswer(request, response, pathname)) return;
        request.resume();
        response.writeHead(404, { 'Content-Length': 0, 'X-Content-Type-Options': 'nosniff' }).end();
      });
      const bound = await listen(metricsServer, options.metrics.port, host);
      metricsUrl = `${addresses({ ...options, host }, bound.port, false, logger).url}/metrics`;
      if (!LOOPBACK.includes(host) || ALL_INTERFACES.includes(host)) {
        logger.log('warn', 'metrics are reachable from the network', { url: metricsUrl });
      }
    }

    const settings = serverSettings(options, {
      standIns,
      devIssuer,
      url,
      publicUrl,
      corsOrigins,
      https: tls !== undefined,
    });
    settled(settings);
    // Make every function now, as cold starts would: bad configuration fails here, not on a request.
    await Promise.all(routes.map(loadHandler));
    const operatorStorage = signingAs(settings, standIns, operator.id).storage;
    const table = tableOf(operatorStorage);
    stores = readinessStores(operatorStorage);
    auth = authenticatorOf(settings.auth, makeRoleStore(table.client, table.name));

    if (standIns !== undefined && options.samplePhoto !== false) await putSamplePhoto(standIns);
    writeServerInfo(options.dataDir, {
      pid: process.pid,
      url,
      s3Endpoint: settings.storage.s3Endpoint ?? '',
      dynamoEndpoint: settings.storage.dynamoEndpoint ?? '',
      bucket: settings.storage.bucket,
      table: table.name,
      region: settings.storage.region,
    });
    const sweeps = await startSweeps(
      operatorStorage,
      ORPHAN_GRACE_SECONDS,
      logger,
      metrics?.sweep,
      // External stores may be shared by several servers: another's upload may be in flight.
      standIns !== undefined,
      standIns?.versions,
    );
    return runningServer({
      tlsReload,
      server,
      httpServer,
      metricsServer,
      metricsUrl,
      stopObserving,
      address,
      url,
      httpUrl,
      devIssuer,
      tls,
      sweeps,
      standIns,
      release,
    });
  } catch (error) {
    stopObserving();
    tlsReload?.stop();
    server?.close();
    httpServer?.close();
    metricsServer?.close();
    await standIns?.close();
    release();
    throw error;
  }
}

/** What readiness reads: a key and an item no one writes, so an answer of "absent" is the store answering. */
const READINESS_PROBE_KEY = enrollmentPhotoKey('readiness-probe');
const READINESS_PROBE_ID = '00000000-0000-4000-8000-000000000000';

function readinessStores(storage: StorageSettings) {
  const table = tableOf(storage);
  return { objects: objectStoreOf(storage), documents: makeDocumentStore(table.client, table.name) };
}

/** The embedded S3 and DynamoDB, unless the server was pointed at external stores. */
function openEmbeddedStorage(options: ServeOptions, logger: Logger, cors: CorsPolicy): Promise<StandIns | undefined> {
  if (options.storage !== undefined) return Promise.resolve(undefined);
  return startStandIns({
    dataDir: options.dataDir,
    bucket: 'identities',
    table: 'identities',
    logger,
    cors,
    enforcePolicies: options.storePolicies ?? true,
  });
}

/**
 * The settings with the embedded stores' key of one principal (a route's function, the operator): each
 * signs as itself, so the stores hold each to its own policy, as IAM holds each function to its role.
 */
function signingAs(settings: Settings, standIns: StandIns | undefined, principal: string): Settings {
  if (standIns === undefined) return settings;
  return { ...settings, storage: { ...settings.storage, credentials: standIns.principals.of(principal).credentials } };
}

async function serverTls(options: ServeOptions, logger: Logger) {
  if (options.tls === undefined) return undefined;
  const tls = await loadTls(options.tls, options.dataDir, [options.host, hostOf(options.publicUrl)]);
  if (tls.replaced !== undefined) {
    logger.log('warn', 'replaced the self-signed certificate', { reason: tls.replaced, certFile: tls.certFile });
  }
  return tls;
}

/** The dev issuer's public keys, at its JWKS URL. */
function serveKeys(devIssuer: DevIssuer) {
  return (_: IncomingMessage, response: ServerResponse) => {
    response.writeHead(200, {
      'Content-Type': 'application/json',
      'Cache-Control': 'max-age=300',
      'X-Content-Type-Options': 'nosniff',
    });
    response.end(JSON.stringify(devIssuer.jwks));
  };
}

function gatewayListener(
  gateway: ReturnType<typeof createGateway>,
  https: boolean,
  logger: Logger,
  metrics?: ServerMetrics,
) {
  return (request: IncomingMessage, response: ServerResponse) => {
    metrics?.observe(request, response);
    if (https) response.setHeader('Strict-Transport-Security', HSTS);
    gateway(request, response).catch((error: unknown) => {
      logger.log('error', 'gateway failed', { error: describeError(error) });
      response.destroy();
    });
  };
}

/** What every TLS context of the server is made with, at start and at each certificate reload. */
const TLS_CONTEXT = {
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
} as const;

/**
 * Reloads the certificate and key files when they change (and on `reloadTls`, which `serve` calls on
 * SIGHUP): new handshakes get the new pair, connections already open keep theirs; a pair that does not
 * fit is logged and the old one kept.
 */
function reloadingTls(
  server: Server,
  option: TlsOption | undefined,
  tls: { cert: string; key: string },
  logger: Logger,
) {
  if (option === undefined || option === 'self-signed') return undefined;
  return watchTls(option, tls, {
    apply(material, trigger) {
      (server as HttpsServer).setSecureContext({ ...TLS_CONTEXT, cert: material.cert, key: material.key });
      logger.log('info', 'reloaded the TLS certificate', {
        trigger,
        fingerprint256: material.fingerprint256,
        publicKeyPin: material.publicKeyPin,
      });
    },
    rejected(reason, trigger) {
      logger.log('warn', 'kept the TLS certificate: its replacement will not do', { reason, trigger });
    },
  });
}

/** An HTTP or HTTPS server with every limit of SERVER_LIMITS set explicitly. */
function createListeningServer(
  tls: { readonly cert: string; readonly key: string } | undefined,
  listener: (request: IncomingMessage, response: ServerResponse) => void,
): Server {
  const serverOptions = {
    maxHeaderSize: SERVER_LIMITS.maxHeaderBytes,
    headersTimeout: SERVER_LIMITS.headersTimeoutMs,
    requestTimeout: SERVER_LIMITS.requestTimeoutMs,
    keepAliveTimeout: SERVER_LIMITS.keepAliveTimeoutMs,
  };
  const server =
    tls === undefined
      ? createHttpServer(serverOptions, listener)
      : createHttpsServer(
          {
            ...serverOptions,
            cert: tls.cert,
            key: tls.key,
            handshakeTimeout: SERVER_LIMITS.handshakeTimeoutMs,
            ...TLS_CONTEXT,
          },
          listener,
        );
  server.maxConnections = SERVER_LIMITS.maxConnections;
  server.timeout = SERVER_LIMITS.idleTimeoutMs;
  // A client that asks before sending its body gets the go-ahead only once the gateway has checked it.
  server.on('checkContinue', listener);
  return server;
}

const ALL_INTERFACES = ['0.0.0.0', '::'];
const LOOPBACK = [...ALL_INTERFACES, '127.0.0.1', 'localhost', '::1'];

/** The URL the server is reached at here, and the one clients use (presigned upload URLs name it). */
function addresses(options: ServeOptions, port: number, https: boolean, logger: Logger) {
  const { host } = options;
  const displayHost = LOOPBACK.includes(host) ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  const url = `${https ? 'https' : 'http'}://${displayHost}:${port}`;
  if (options.publicUrl === undefined && ALL_INTERFACES.includes(host)) {
    logger.log('warn', 'listening on all interfaces: set --public-url so presigned upload URLs reach remote clients', {
      url,
    });
  }
  return { url, publicUrl: options.publicUrl?.replace(/\/$/, '') ?? url };
}

/**
 * The functions' settings, as a value: the embedded or external stores, the dev issuer or the
 * customer's, this server's CORS origins and log level; token tuning (clock tolerance, caches, the
 * longest lifetime) from the environment, as in a deployed stage.
 */
function serverSettings(
  options: ServeOptions,
  context: {
    readonly standIns: StandIns | undefined;
    readonly devIssuer: DevIssuer | undefined;
    readonly url: string;
    readonly publicUrl: string;
    readonly corsOrigins: readonly string[];
    readonly https: boolean;
  },
): Settings {
  const { standIns, devIssuer } = context;
  const external = options.storage;
  const storage: StorageSettings =
    standIns !== undefined
      ? {
          region: STAND_IN_REGION,
          bucket: standIns.bucket,
          table: standIns.table,
          s3Endpoint: standIns.s3Endpoint,
          dynamoEndpoint: standIns.dynamoEndpoint,
          s3PublicEndpoint: `${context.publicUrl}${STORAGE_UPLOAD_PATH}`,
          credentials: standIns.credentials,
        }
      : {
          region: external?.region ?? '',
          bucket: external?.bucket ?? '',
          table: external?.table,
          s3Endpoint: external?.s3Endpoint,
          dynamoEndpoint: external?.dynamoEndpoint,
          s3PublicEndpoint: options.s3PublicEndpoint,
        };
  const tuning = readAuthTuning(process.env);
  const issuer = options.issuer;
  const auth: AuthSettings =
    issuer === undefined
      ? {
          issuer: DEV_ISSUER,
          audience: [DEV_AUDIENCE],
          // The dev issuer's keys are fetched from this server's JWKS URL, the production code path; over
          // HTTPS (a self-signed certificate), or on a non-loopback address, they are handed over directly.
          keys:
            !context.https && LOOPBACK.includes(options.host)
              ? { jwksUrl: new URL(`${context.url}${JWKS_PATH}`) }
              : { jwks: devIssuer?.jwks ?? { keys: [] } },
          algorithms: undefined,
          ...tuning,
        }
      : externalAuthSettings(issuer);
  return {
    storage,
    auth,
    logLevel: options.logLevel ?? 'info',
    corsOrigins: context.corsOrigins,
    ...(options.audit === undefined ? {} : { audit: options.audit }),
  };
}

function runningServer(parts: {
  readonly tlsReload: TlsReload | undefined;
  readonly server: Server;
  readonly httpServer: Server | undefined;
  readonly metricsServer: Server | undefined;
  readonly metricsUrl: string | undefined;
  readonly stopObserving: () => void;
  readonly address: AddressInfo;
  readonly url: string;
  readonly httpUrl: string | undefined;
  readonly devIssuer: DevIssuer | undefined;
  readonly tls: Awaited<ReturnType<typeof serverTls>>;
  readonly sweeps: Sweeps;
  readonly standIns: StandIns | undefined;
  readonly release: () => void;
}): RunningServer {
  const { server, httpServer, metricsServer, tls, sweeps, standIns, release } = parts;
  let closing: Promise<void> | undefined;
  return {
    url: parts.url,
    port: parts.address.port,
    ...(parts.httpUrl === undefined ? {} : { httpUrl: parts.httpUrl }),
    ...(parts.metricsUrl === undefined ? {} : { metricsUrl: parts.metricsUrl }),
    devIssuer: parts.devIssuer,
    ...(tls === undefined
      ? {}
      : {
          tls: {
            fingerprint256: tls.fingerprint256,
            publicKeyPin: tls.publicKeyPin,
            ...(tls.certFile === undefined ? {} : { certFile: tls.certFile }),
          },
        }),
    reloadTls(trigger) {
      return parts.tlsReload?.reload(trigger) ?? Promise.resolve('the server reads no certificate files');
    },
    close() {
      closing ??= (async () => {
        sweeps.stop();
        parts.stopObserving();
        parts.tlsReload?.stop();
        const listeners = [server, httpServer, metricsServer].filter((one) => one !== undefined);
        const drained = Promise.all(listeners.map((one) => new Promise<void>((resolve) => one.close(() => resolve()))));
        for (const one of listeners) one.closeIdleConnections();
        const deadline = setTimeout(() => {
          for (const one of listeners) one.closeAllConnections();
        }, 10_000);
        await drained;
        clearTimeout(deadline);
        await standIns?.close();
        release();
      })();
      return closing;
    },
  };
}

/** An S3 client of the embedded store, signing as the operator. */
function storeClient(standIns: StandIns): S3Client {
  return makeS3Client({
    region: STAND_IN_REGION,
    endpoint: standIns.s3Endpoint,
    credentials: standIns.principals.of(operator.id).credentials,
  });
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
