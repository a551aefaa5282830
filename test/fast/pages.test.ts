import {
  BadRequestError,
  decodeCursor,
  encodeCursor,
  type HttpRequest,
  pageResponse,
  readPageRequest,
  toHttpRequest,
} from '@identities/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';

import { describe, expect, it } from 'vitest';

function request(query: Record<string, string>, repeated: string[] = []): HttpRequest {
  return {
    method: 'GET',
    pathParameters: {},
    headers: {},
    repeatedHeaders: new Set(),
    query,
    repeatedQuery: new Set(repeated),
    sourceIp: '127.0.0.1',
    requestId: 'fast',
    body: () => Buffer.alloc(0),
  };
}

const scope = 'documents:6f1c2b9e-5a4d-4c3b-9e8f-1a2b3c4d5e6f';

describe('pages', () => {
  it('defaults to 50 items from the start, and takes a limit from 1 to 100', () => {
    expect(readPageRequest(request({}), scope)).toEqual({ limit: 50, after: undefined });
    expect(readPageRequest(request({ limit: '1' }), scope).limit).toBe(1);
    expect(readPageRequest(request({ limit: '100' }), scope).limit).toBe(100);
  });

  it.each(['0', '101', '-1', '1.5', '1e2', ' 5', '', 'ten', '0x10', '0100'])('refuses the limit %j', (limit) => {
    expect(() => readPageRequest(request({ limit }), scope)).toThrow(BadRequestError);
  });

  it('refuses a limit or cursor given twice', () => {
    expect(() => readPageRequest(request({ limit: '5' }, ['limit']), scope)).toThrow(/more than once/);
    expect(() => readPageRequest(request({ cursor: encodeCursor(scope, 'x') }, ['cursor']), scope)).toThrow(
      /more than once/,
    );
  });

  it('gives back the position a cursor was made from, for the same list only', () => {
    const cursor = encodeCursor(scope, 'DOC#2026-12-01T00:00:00.000Z#a');
    expect(readPageRequest(request({ cursor }), scope).after).toBe('DOC#2026-12-01T00:00:00.000Z#a');
    expect(() => decodeCursor(cursor, 'documents:00000000-0000-4000-8000-000000000000')).toThrow(BadRequestError);
    expect(() => decodeCursor(cursor, 'audit:6f1c2b9e-5a4d-4c3b-9e8f-1a2b3c4d5e6f')).toThrow(BadRequestError);
  });

  it('refuses every edited, truncated or extended cursor', () => {
    const cursor = encodeCursor(scope, 'DOC#position');
    const edits = new Set<string>();
    for (let i = 0; i < cursor.length; i++) {
      for (const replacement of ['A', 'z', '_', '.']) {
        if (cursor[i] !== replacement) edits.add(cursor.slice(0, i) + replacement + cursor.slice(i + 1));
      }
      edits.add(cursor.slice(0, i));
    }
    edits.add(`${cursor}A`);
    edits.add(`${cursor}.x`);
    edits.add('x'.repeat(3000));
    for (const edited of edits) expect(() => decodeCursor(edited, scope), edited).toThrow(BadRequestError);
  });

  it('answers the items, the next cursor, and a Link to the next page relative to the route', () => {
    const response = pageResponse(
      { items: [{ id: 1 }], next: 'DOC#next' },
      { scope, limit: 10, routePath: '/api/v1/people/{personId}/fileDocuments' },
    );
    const body = JSON.parse(String(response.body));
    expect(body.items).toEqual([{ id: 1 }]);
    expect(decodeCursor(body.nextCursor, scope)).toBe('DOC#next');
    const link = response.headers?.Link ?? '';
    const match = /^<fileDocuments\?limit=10&cursor=([^>]+)>; rel="next"$/.exec(link);
    expect(match).not.toBeNull();
    expect(decodeURIComponent(match?.[1] ?? '')).toBe(body.nextCursor);
  });

  it('has neither a cursor nor a Link on the last page', () => {
    const response = pageResponse({ items: [], next: undefined }, { scope, limit: 50, routePath: '/a/auditTrail' });
    expect(JSON.parse(String(response.body))).toEqual({ items: [], nextCursor: null });
    expect(response.headers?.Link).toBeUndefined();
  });
});

describe('a request as the handlers see it', () => {
  it('reads each query parameter once, notes the repeated ones, and keeps the source address', () => {
    const event = {
      httpMethod: 'GET',
      headers: {},
      multiValueHeaders: {},
      queryStringParameters: { limit: '7', cursor: 'b', __proto__: 'x' },
      multiValueQueryStringParameters: { limit: ['7'], cursor: ['a', 'b'], __proto__: ['x'] },
      pathParameters: null,
      requestContext: { requestId: 'r', identity: { sourceIp: '203.0.113.9' } },
      body: null,
      isBase64Encoded: false,
    } as unknown as APIGatewayProxyEvent;
    const request = toHttpRequest(event);
    expect(request.query.limit).toBe('7');
    expect(request.query.cursor).toBe('a');
    expect([...request.repeatedQuery]).toEqual(['cursor']);
    expect(Object.getPrototypeOf(request.query)).toBeNull();
    expect(request.sourceIp).toBe('203.0.113.9');
    expect(toHttpRequest({ ...event, requestContext: undefined } as unknown as APIGatewayProxyEvent).sourceIp).toBe(
      'unknown',
    );
  });
});
