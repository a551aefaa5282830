import { join } from 'node:path';
import { AUDIENCE, BUCKET, type Fixture, ISSUER, TABLE } from '../fixture.ts';
import { baseEnv, freePort, type ServerProcess, startServerProcess } from '../lib/processes.ts';

/**
 * The local gateway as users run it (`identities serve`), on external storage (the stand-ins) and a
 * customer's issuer (the JWKS URL), logging at info as a deployed stage does.
 */
export async function startGateway(
  fixture: Fixture,
  workDir: string,
  execArgv: readonly string[],
): Promise<ServerProcess> {
  const { storageEnv } = fixture;
  const port = await freePort();
  const args = [
    'packages/local/bin/identities.js',
    'serve',
    ...['--port', String(port), '--data-dir', join(workDir, 'gateway-data')],
    ...['--s3-endpoint', storageEnv.S3_ENDPOINT ?? '', '--dynamodb-endpoint', storageEnv.DYNAMODB_ENDPOINT ?? ''],
    ...['--bucket', BUCKET, '--table', TABLE, '--region', storageEnv.AWS_REGION ?? ''],
    ...['--jwt-issuer', ISSUER, '--jwt-audience', AUDIENCE, '--jwt-jwks-url', fixture.jwksUrl],
    ...['--log-level', 'info'],
  ];
  return startServerProcess(args, {
    env: baseEnv({
      AWS_ACCESS_KEY_ID: storageEnv.AWS_ACCESS_KEY_ID ?? '',
      AWS_SECRET_ACCESS_KEY: storageEnv.AWS_SECRET_ACCESS_KEY ?? '',
    }),
    port,
    logFile: join(workDir, 'gateway.log'),
    execArgv,
  });
}

/** The baseline server of figures 6 and 7 (raw-server.ts), loaded the same way as the gateway (tsx). */
export async function startRawServer(
  fixture: Fixture,
  workDir: string,
  execArgv: readonly string[],
): Promise<ServerProcess> {
  const port = await freePort();
  return startServerProcess(['bench/servers/raw-server.ts'], {
    env: baseEnv({ ...fixture.storageEnv, PORT: String(port) }),
    port,
    logFile: join(workDir, 'raw-server.log'),
    execArgv: ['--import', 'tsx', ...execArgv],
  });
}
