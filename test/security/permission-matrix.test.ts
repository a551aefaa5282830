import { randomUUID } from 'node:crypto';
import { authenticatorFromEnv } from '@identities/aws';
import {
  type Authenticator,
  bufferedHandler,
  type Endpoint,
  localKeySet,
  makeAuthenticator,
  makeLogger,
  PERMISSIONS,
  type Permission,
  type Route,
  routes,
  streamingHandler,
} from '@identities/core';
import { importJWK, SignJWT } from 'jose';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { type ApiResponse, apiEvent, invoke } from '../support/lambda.ts';
import { newPersonId, roleStore } from '../support/storage.ts';
import { AUDIENCE, bearer, ISSUER, token } from '../support/tokens.ts';
import { expectProblem } from './support.ts';

type Handler = Parameters<typeof invoke>[0];

function isHandler(value: unknown): value is Handler {
  return typeof value === 'function';
}

/** The route's real Lambda handler, found the way the infrastructure finds it: `module.export`. */
async function handlerOf(route: Route): Promise<Handler> {
  const dot = route.handler.lastIndexOf('.');
  const module: Record<string, unknown> = await import(
    new URL(`../../${route.handler.slice(0, dot)}.ts`, import.meta.url).href
  );
  const handler = module[route.handler.slice(dot + 1)];
  if (!isHandler(handler)) throw new Error(`${route.handler} exports no handler`);
  return handler;
}

/** A concrete path for the route: a GUID for person ids, an id that names nothing for the others. */
const pathOf = (route: Route) =>
  route.path.replace(/\{(\w+)\}/g, (_, name: string) => (name === 'personId' ? newPersonId() : `none-${randomUUID()}`));

/** The route's request, with no body: whatever the route answers, it must be past authorisation. */
function eventFor(route: Route, method: string, authorization: string) {
  const event = apiEvent({ method: route.method, path: pathOf(route), headers: bearer(authorization) });
  return { ...event, httpMethod: method };
}

const suffix = randomUUID();
const ROLES = {
  reader: { name: `Reader ${suffix}`, permissions: [PERMISSIONS.readFiles] },
  adder: { name: `Adder ${suffix}`, permissions: [PERMISSIONS.addFiles] },
  both: { name: `Clerk ${suffix}`, permissions: [PERMISSIONS.addFiles, PERMISSIONS.readFiles] },
  other: { name: `Unrelated ${suffix}`, permissions: ['Read Identity Photos'] },
  deleter: { name: `Deleter ${suffix}`, permissions: [PERMISSIONS.deleteFiles] },
  mutator: { name: `Mutator ${suffix}`, permissions: [PERMISSIONS.mutateIdentity] },
} as const;
beforeAll(() => Promise.all(Object.values(ROLES).map((role) => roleStore.put(role))));

interface Caller {
  readonly claims: Record<string, unknown>;
  /** What the caller holds, by token or by role. */
  readonly granted: readonly Permission[];
}

const CALLERS: Readonly<Record<string, Caller>> = {
  'no permission': { claims: {}, granted: [] },
  'an empty permissions claim': { claims: { permissions: [] }, granted: [] },
  'read only': { claims: { permissions: [PERMISSIONS.readFiles] }, granted: [PERMISSIONS.readFiles] },
  'add only': { claims: { permissions: [PERMISSIONS.addFiles] }, granted: [PERMISSIONS.addFiles] },
  both: {
    claims: { permissions: [PERMISSIONS.addFiles, PERMISSIONS.readFiles] },
    granted: [PERMISSIONS.addFiles, PERMISSIONS.readFiles],
  },
  'both, as one space-separated string': {
    claims: { permissions: `${PERMISSIONS.addFiles} ${PERMISSIONS.readFiles}` },
    granted: [PERMISSIONS.addFiles, PERMISSIONS.readFiles],
  },
  'delete only': { claims: { permissions: [PERMISSIONS.deleteFiles] }, granted: [PERMISSIONS.deleteFiles] },
  'delete through a role': { claims: { roles: [ROLES.deleter.name] }, granted: [PERMISSIONS.deleteFiles] },
  'mutate only': { claims: { permissions: [PERMISSIONS.mutateIdentity] }, granted: [PERMISSIONS.mutateIdentity] },
  'mutate through a role': { claims: { role: ROLES.mutator.name }, granted: [PERMISSIONS.mutateIdentity] },
  'every permission, as one space-separated string': {
    claims: { permissions: Object.values(PERMISSIONS).join(' ') },
    granted: Object.values(PERMISSIONS),
  },
  'read through a role': { claims: { role: ROLES.reader.name }, granted: [PERMISSIONS.readFiles] },
  'add through a role': { claims: { roles: [ROLES.adder.name] }, granted: [PERMISSIONS.addFiles] },
  'both through a role (long-form claim)': {
    claims: { 'http://schemas.microsoft.com/ws/2008/06/identity/claims/role': ROLES.both.name },
    granted: [PERMISSIONS.addFiles, PERMISSIONS.readFiles],
  },
  'a role without file permissions': { claims: { role: ROLES.other.name }, granted: [] },
  'a role that does not exist': { claims: { role: `Missing ${suffix}` }, granted: [] },
  'permission names in the wrong case': {
    claims: { permissions: [PERMISSIONS.addFiles.toLowerCase(), PERMISSIONS.readFiles.toUpperCase()] },
    granted: [],
  },
};

const allowed = (route: Route, granted: readonly Permission[]) =>
  route.permission === null || granted.includes(route.permission);

/** Every method each route answers: its own, and HEAD where it serves downloads. */
const methodsOf = (route: Route) => (route.head ? [route.method, 'HEAD'] : [route.method]);

function expectPastAuthorization(response: ApiResponse) {
  expect(response.statusCode).not.toBe(401);
  expect(response.statusCode).not.toBe(403);
  expect(response.statusCode).toBeLessThan(500);
}

describe('permission matrix over every route of the route table', () => {
  const rows = routes.flatMap((route) =>
    methodsOf(route).flatMap((method) =>
      Object.entries(CALLERS).map(([caller, { claims, granted }]) => {
        const passes = allowed(route, granted);
        const expectation = passes ? 'is let through (neither 401, 403 nor 5xx)' : 'answers 403';
        return [method, route.path, caller, expectation, { route, claims, passes }] as const;
      }),
    ),
  );

  it.each(rows)('%s %s with %s %s', async (method, _path, _caller, _expectation, { route, claims, passes }) => {
    const response = await invoke(await handlerOf(route), eventFor(route, method, await token({ claims })));
    if (passes) {
      expectPastAuthorization(response);
      return;
    }
    const problem = expectProblem(response, 403);
    expect(String(problem.detail)).toContain(String(route.permission));
  });

  it('covers every route in the table, each with a handler module', async () => {
    expect(routes.length).toBeGreaterThan(0);
    for (const route of routes) expect(isHandler(await handlerOf(route))).toBe(true);
  });
});

/**
 * A role change reaches a warm container within the role cache time (ROLE_CACHE_SECONDS, 60 by
 * default) and not before: the cache is per container, read through `now`. The layer that decides is
 * the one every handler runs through, so each route is built on it with a probe endpoint.
 */
describe('role changes, per route with a permission', () => {
  const ROLE_CACHE_MS = 60_000;
  const jwks = JSON.parse(process.env.JWT_JWKS ?? '{"keys":[]}');
  const signingKey = inject('signingKey');
  const logger = makeLogger('silent');
  const probe: Endpoint = async () => ({ statusCode: 204 });
  const permissioned = routes.filter((route) => route.permission !== null);

  function probeHandler(route: Route, auth: Authenticator): Handler {
    const deps = { auth, logger };
    return route.response === 'stream' ? streamingHandler(route, deps, probe) : bufferedHandler(route, deps, probe);
  }

  const clockedHandler = (route: Route, now: () => number) =>
    probeHandler(
      route,
      makeAuthenticator({
        keys: localKeySet(jwks),
        issuer: ISSUER,
        audience: AUDIENCE,
        roles: roleStore,
        roleCacheMs: ROLE_CACHE_MS,
        now,
      }),
    );

  /** A token valid for longer than the clock is moved forward in these tests. */
  async function roleToken(role: string) {
    return new SignJWT({ role })
      .setProtectedHeader({ alg: 'ES256', kid: signingKey.kid ?? 'test-key' })
      .setSubject('role-user')
      .setIssuer(ISSUER)
      .setAudience(AUDIENCE)
      .setIssuedAt()
      .setExpirationTime('30m')
      .sign(await importJWK(signingKey, 'ES256'));
  }

  it.each(permissioned.map((route) => [route.id, route] as const))(
    '%s: a granted permission takes effect after the cache time, not before',
    async (_, route) => {
      const role = { name: `Promoted ${randomUUID()}`, permissions: [] as string[] };
      await roleStore.put(role);
      let now = Date.now();
      const handler = clockedHandler(route, () => now);
      const jwt = await roleToken(role.name);
      const send = async () => (await invoke(handler, eventFor(route, route.method, jwt))).statusCode;

      expect(await send()).toBe(403);
      await roleStore.put({ ...role, permissions: [String(route.permission)] });
      now += ROLE_CACHE_MS - 1000;
      expect(await send()).toBe(403);
      now += 2000;
      expect(await send()).toBe(204);
    },
  );

  it.each(permissioned.map((route) => [route.id, route] as const))(
    '%s: a revoked permission stops working after the cache time',
    async (_, route) => {
      const role = { name: `Demoted ${randomUUID()}`, permissions: [String(route.permission)] };
      await roleStore.put(role);
      let now = Date.now();
      const handler = clockedHandler(route, () => now);
      const jwt = await roleToken(role.name);
      const send = async () => (await invoke(handler, eventFor(route, route.method, jwt))).statusCode;

      expect(await send()).toBe(204);
      await roleStore.put({ ...role, permissions: [] });
      now += ROLE_CACHE_MS - 1000;
      expect(await send()).toBe(204);
      now += 2000;
      expect(await send()).toBe(403);
    },
  );

  it.each(permissioned.map((route) => [route.id, route] as const))(
    '%s: with ROLE_CACHE_SECONDS=0 (the configuration the functions read), the next request sees a role change',
    async (_, route) => {
      const role = { name: `Uncached ${randomUUID()}`, permissions: [] as string[] };
      await roleStore.put(role);
      const handler = probeHandler(route, authenticatorFromEnv({ ...process.env, ROLE_CACHE_SECONDS: '0' }, roleStore));
      const jwt = await roleToken(role.name);
      const send = async () => (await invoke(handler, eventFor(route, route.method, jwt))).statusCode;

      expect(await send()).toBe(403);
      await roleStore.put({ ...role, permissions: [String(route.permission)] });
      expect(await send()).toBe(204);
    },
  );
});
