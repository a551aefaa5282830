import { authenticatorFromEnv } from '@identities/aws';
import { PERMISSIONS, routeById, toHttpRequest } from '@identities/core';
import { importJWK, type JWK, jwtVerify } from 'jose';
import { apiEvent, requestHeaders } from '../lib/events.ts';
import { serveWorker } from '../lib/processes.ts';
import { round } from '../lib/stats.ts';

/**
 * Figure 4: the handlers' whole auth step (bearer parsing, JWKS lookup with the keys cached, jwtVerify
 * with pinned algorithms, issuer and audience, claims, the permission check) against a bare
 * `jwtVerify(token, key)` with the key in hand. Measured twice: for a token seen for the first time
 * (verified-token cache off) and for a repeated one (the cache as deployed). Batches alternate; the
 * figures are microseconds per verification.
 */
export interface TokenConfig {
  readonly tokens: readonly { readonly algorithm: string; readonly token: string; readonly publicJwk: JWK }[];
  readonly warmup: number;
  readonly rounds: number;
  readonly batch: number;
}

export interface TokenResult {
  readonly algorithms: readonly {
    readonly algorithm: string;
    readonly fullUs: readonly number[];
    readonly repeatUs: readonly number[];
    readonly bareUs: readonly number[];
  }[];
}

serveWorker<TokenConfig, TokenResult>(async (config) => {
  const firstSight = authenticatorFromEnv({ ...process.env, TOKEN_CACHE_SECONDS: '0' });
  const repeated = authenticatorFromEnv(process.env);
  const route = routeById('DownloadFileDocument');
  const permission = PERMISSIONS.readFiles;
  const algorithms: TokenResult['algorithms'][number][] = [];
  for (const { algorithm, token, publicJwk } of config.tokens) {
    const request = toHttpRequest(apiEvent(route, `/api/v1/people/x/fileDocuments/y/data`, requestHeaders(token)));
    const key = await importJWK(publicJwk, algorithm);
    const timed =
      (auth: typeof firstSight) =>
      async (count: number): Promise<number> => {
        const started = performance.now();
        for (let i = 0; i < count; i++) {
          const principal = await auth.authenticate(request);
          await auth.authorize(principal, permission);
        }
        return ((performance.now() - started) * 1000) / count;
      };
    const full = timed(firstSight);
    const repeat = timed(repeated);
    const bare = async (count: number): Promise<number> => {
      const started = performance.now();
      for (let i = 0; i < count; i++) await jwtVerify(token, key);
      return ((performance.now() - started) * 1000) / count;
    };
    await full(config.warmup);
    await bare(config.warmup);
    await repeat(config.warmup);
    const fullUs: number[] = [];
    const repeatUs: number[] = [];
    const bareUs: number[] = [];
    for (let pass = 0; pass < config.rounds; pass++) {
      if (pass % 2 === 0) {
        fullUs.push(await full(config.batch));
        bareUs.push(await bare(config.batch));
      } else {
        bareUs.push(await bare(config.batch));
        fullUs.push(await full(config.batch));
      }
      repeatUs.push(await repeat(config.batch));
    }
    algorithms.push({
      algorithm,
      fullUs: fullUs.map((value) => round(value, 2)),
      repeatUs: repeatUs.map((value) => round(value, 2)),
      bareUs: bareUs.map((value) => round(value, 2)),
    });
  }
  return { algorithms };
});
