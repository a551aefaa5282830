/**
 * The URLs the CLI names, each filled in from the route table: no path is spelled out here or by a command.
 * For the commands under cli/ only.
 */
import { type RouteId, routeById, type routes } from '@identities/core';

/** The `{name}` parameters of a route path, as a union of their names. */
type ParamsOf<Path extends string> = Path extends `${string}{${infer Name}}${infer Rest}`
  ? Name | ParamsOf<Rest>
  : never;

type PathOf<Id extends RouteId> = Extract<(typeof routes)[number], { readonly id: Id }>['path'];

/** The values of a route's path parameters, one for each and no others. */
export type RouteParams<Id extends RouteId> = Readonly<Record<ParamsOf<PathOf<Id>>, string>>;

/** A route's path from the route table, each `{name}` filled with its value, URI-encoded. */
export function routePath<Id extends RouteId>(id: Id, params: RouteParams<Id>): string {
  const values = params as Readonly<Record<string, string>>;
  return routeById(id).path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`route ${id} needs a value for {${name}}`);
    return encodeURIComponent(value);
  });
}

/** A route's URL under an API base URL that may carry a path of its own (a stage's, a proxy's). */
export function routeUrl<Id extends RouteId>(base: string, id: Id, params: RouteParams<Id>): URL {
  return new URL(`${base.replace(/\/$/, '')}${routePath(id, params)}`);
}
