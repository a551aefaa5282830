import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { standInEnv, startStandIns } from '@identities/local';
import type { JSONWebKeySet } from 'jose';

/**
 * What every figure runs against, in a process of its own as the real services are: the embedded S3
 * and DynamoDB stand-ins, and the token issuer's JWKS URL. The parent sends the scratch dir and the
 * key set; this process answers with the environment the functions read.
 */
interface Config {
  readonly scratchDir: string;
  readonly bucket: string;
  readonly table: string;
  readonly jwks: JSONWebKeySet;
}

process.once('message', async (message: { config: Config }) => {
  const { scratchDir, bucket, table, jwks } = message.config;
  const standIns = await startStandIns({ scratchDir, bucket, table });
  const body = JSON.stringify(jwks);
  const issuer = createServer((_, response) => {
    response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'max-age=600' });
    response.end(body);
  });
  await new Promise<void>((resolve) => issuer.listen(0, '127.0.0.1', resolve));
  const { port } = issuer.address() as AddressInfo;
  const stop = async () => {
    issuer.closeAllConnections();
    issuer.close();
    await standIns.close();
    process.exit(0);
  };
  process.once('disconnect', stop);
  process.once('SIGTERM', stop);
  process.send?.({
    type: 'ready',
    env: standInEnv(standIns),
    jwksUrl: `http://127.0.0.1:${port}/.well-known/jwks.json`,
  });
});
