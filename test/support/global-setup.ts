import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PRINCIPAL_ACCESS, type StoreCredentials, standInEnv, startStandIns } from '@identities/local';
import { exportJWK, generateKeyPair, type JWK } from 'jose';
import type { TestProject } from 'vitest/node';

export const ISSUER = 'https://issuer.test.example';
export const AUDIENCE = 'identities-api';

declare module 'vitest' {
  export interface ProvidedContext {
    env: Record<string, string>;
    signingKey: JWK;
    /** Each function's, the job's and the operator's own key to the stand-ins. */
    principalKeys: Record<string, StoreCredentials>;
  }
}

/**
 * One pair of stand-ins and one signing key for the whole run; every test file uses its own ids. The
 * run has a temporary folder of its own, which every test file (TMPDIR) and the processes they start
 * use: removed when the run ends, so a run leaves nothing in the system's temporary folder, even when a
 * test fails half-way.
 */
export default async function setup(project: TestProject) {
  const runDir = await mkdtemp(join(tmpdir(), 'identities-run-'));
  const scratchDir = await mkdtemp(join(runDir, 'stand-ins-'));
  const standIns = await startStandIns({ scratchDir, bucket: 'identities-test', table: 'identities-test' });
  const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = { ...(await exportJWK(publicKey)), kid: 'test-key', alg: 'ES256', use: 'sig' };
  project.provide('signingKey', { ...(await exportJWK(privateKey)), kid: 'test-key', alg: 'ES256' });
  // The run's own access (arranging and checking data) signs with the install's key; each function
  // signs with its own (test/support/functions.ts), held to the policy infra/ attaches to it.
  project.provide(
    'principalKeys',
    Object.fromEntries([...PRINCIPAL_ACCESS.keys()].map((name) => [name, standIns.principals.of(name).credentials])),
  );
  project.provide('env', {
    ...standInEnv(standIns),
    JWT_ISSUER: ISSUER,
    JWT_AUDIENCE: AUDIENCE,
    JWT_JWKS: JSON.stringify({ keys: [publicJwk] }),
    LOG_LEVEL: 'silent',
    TMPDIR: runDir,
  });
  return async () => {
    await standIns.close();
    await rm(runDir, { recursive: true, force: true });
  };
}
