import { type RouteId, routes } from '@identities/core';

/**
 * The baseline of each contract route: a function making only that route's raw SDK calls, under
 * bench/baselines/. Routes without one get a bundle size but no cold-start figure.
 */
export const BASELINES: Partial<Record<RouteId, string>> = {
  EnrollmentPhoto: 'photo',
  DetectionPhoto: 'photo',
  DownloadFileDocument: 'document',
  UploadFileDocument: 'upload',
};

export interface FunctionUnderTest {
  readonly id: RouteId;
  /** The module the route's `handler` setting names. */
  readonly entry: string;
  readonly baseline: string | undefined;
}

/** Every function of the route table. */
export const FUNCTIONS: readonly FunctionUnderTest[] = routes.map((route) => ({
  id: route.id,
  entry: `${route.handler.slice(0, route.handler.lastIndexOf('.'))}.ts`,
  baseline: BASELINES[route.id],
}));
