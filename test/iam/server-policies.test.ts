import { rm } from 'node:fs/promises';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  loadStoreCredentials,
  principalCredentials,
  readServerInfo,
  STAND_IN_REGION,
  startServer,
} from '@identities/local';
import { describe, expect, it } from 'vitest';
import { runCli } from '../../packages/local/src/cli.ts';
import { tempDir } from '../support/processes.ts';

/** Whether the enrollment photo function's key may write a document's bytes on a server's stores. */
async function photoFunctionMayWriteDocuments(storePolicies: boolean | undefined): Promise<boolean> {
  const dataDir = await tempDir('identities-iam-server-');
  const server = await startServer({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    logLevel: 'silent',
    samplePhoto: false,
    ...(storePolicies === undefined ? {} : { storePolicies }),
  });
  const info = readServerInfo(dataDir);
  const client = new S3Client({
    region: STAND_IN_REGION,
    endpoint: info?.s3Endpoint,
    forcePathStyle: true,
    credentials: principalCredentials(loadStoreCredentials(dataDir), 'EnrollmentPhoto'),
    maxAttempts: 1,
  });
  try {
    await client.send(new PutObjectCommand({ Bucket: info?.bucket, Key: 'people/p/documents/d/u', Body: 'x' }));
    return true;
  } catch (error) {
    expect((error as Error).name).toBe('AccessDenied');
    return false;
  } finally {
    client.destroy();
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('the server’s store policies', () => {
  it('hold each function to its own policy by default, and let its key do anything when turned off', async () => {
    expect(await photoFunctionMayWriteDocuments(undefined)).toBe(false);
    expect(await photoFunctionMayWriteDocuments(false)).toBe(true);
  });

  it('refuses a STORE_POLICIES that is neither on nor off, with exit code 2', async () => {
    const err: string[] = [];
    const dataDir = await tempDir('identities-iam-cli-');
    try {
      const code = await runCli(['serve', '--port', '0'], {
        out: () => undefined,
        err: (text) => err.push(text),
        env: { DATA_DIR: dataDir, STORE_POLICIES: 'maybe' },
        isTty: false,
      });
      expect(code).toBe(2);
      expect(err.join('')).toContain('STORE_POLICIES must be on or off');
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
