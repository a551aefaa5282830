import { expect } from 'vitest';
import type { ApiResponse } from '../support/lambda.ts';

/** Control characters (C0, DEL, C1): never part of a storage key. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Whether a storage key stays inside its prefix: it starts with one of the prefixes and has no
 * traversal, backslash or control character anywhere in it.
 */
export function staysInside(key: string, prefixes: readonly string[]): boolean {
  return (
    prefixes.some((prefix) => key.startsWith(prefix)) &&
    !key.split('/').some((segment) => segment === '..' || segment === '.') &&
    !key.includes('..') &&
    !key.includes('\\') &&
    !CONTROL.test(key)
  );
}

/** Asserts a problem+json answer (RFC 9457) with the given status. */
export function expectProblem(response: ApiResponse, status: number): Record<string, unknown> {
  expect(response.statusCode).toBe(status);
  expect(response.headers['content-type']).toBe('application/problem+json');
  const body = response.json();
  expect(body).toMatchObject({ status, type: 'about:blank' });
  expect(typeof body.requestId).toBe('string');
  return body;
}

/** A JSON value (or a string as is) in base64url, as a JWS segment. */
export function segment(value: unknown): string {
  return Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
}
