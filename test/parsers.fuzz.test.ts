import { HttpError, makeAuthenticator, parseUploadForm, sharedSecret, toHttpRequest } from '@identities/core';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { apiEvent } from './support/lambda.ts';
import { multipart } from './support/multipart.ts';
import { AUDIENCE, ISSUER } from './support/tokens.ts';

const SEED = 20261129;
const LIMITS = { maxFileBytes: 64 * 1024 };

/** Resolves to the HTTP status a parser outcome maps to; anything but a typed 4xx fails the property. */
async function statusOf(work: () => Promise<unknown>): Promise<number> {
  try {
    await work();
    return 200;
  } catch (error) {
    if (!(error instanceof HttpError)) throw error;
    return error.statusCode;
  }
}

const token = fc.stringMatching(/^[A-Za-z0-9_-]{0,40}$/);
const partArb = fc.oneof(
  fc.record({ name: fc.constantFrom('personId', 'name', 'description', 'publicId', 'x', ''), value: fc.string() }),
  fc.record({
    name: fc.constantFrom('file', 'attachment', 'personId'),
    filename: fc.string({ maxLength: 30 }),
    contentType: fc.constantFrom('application/pdf', 'image/jpeg', 'text/html', 'bogus', ''),
    data: fc.uint8Array({ maxLength: 512 }).map((bytes) => Buffer.from(bytes)),
  }),
);

describe('parseUploadForm under fuzzing', () => {
  it('only ever succeeds or throws a typed 4xx for random bytes under a multipart content type', async () => {
    await fc.assert(
      fc.asyncProperty(token, fc.uint8Array({ maxLength: 2048 }), async (boundary, bytes) => {
        const status = await statusOf(() =>
          parseUploadForm(`multipart/form-data; boundary=${boundary}`, Buffer.from(bytes), LIMITS),
        );
        expect(status === 200 || (status >= 400 && status < 500)).toBe(true);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('only ever succeeds or throws a typed 4xx for well-formed forms with random parts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(partArb, { maxLength: 8 }), async (parts) => {
        const form = multipart(parts);
        const status = await statusOf(() => parseUploadForm(form.contentType, form.body, LIMITS));
        expect([200, 400, 413]).toContain(status);
      }),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('only ever throws typed 4xx for mangled forms: truncated, bytes flipped, CRLFs dropped', async () => {
    const base = multipart([
      { name: 'personId', value: '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d' },
      { name: 'name', value: 'ID Card' },
      { name: 'file', filename: 'id.pdf', data: Buffer.from('%PDF-1.7 content') },
    ]);
    await fc.assert(
      fc.asyncProperty(
        fc.nat({ max: base.body.length }),
        fc.array(fc.tuple(fc.nat({ max: base.body.length - 1 }), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
        fc.boolean(),
        async (cut, flips, dropCrlf) => {
          let body = Buffer.from(base.body.subarray(0, cut));
          for (const [at, value] of flips) if (at < body.length) body[at] = value;
          if (dropCrlf) body = Buffer.from(body.toString('latin1').replace('\r\n', '\n'), 'latin1');
          const status = await statusOf(() => parseUploadForm(base.contentType, body, LIMITS));
          expect(status === 200 || (status >= 400 && status < 500)).toBe(true);
        },
      ),
      { seed: SEED, numRuns: 2000 },
    );
  });

  it('answers 400 for 10,000 fields, 413 for a file over the limit, 400 for a giant field', async () => {
    const many = multipart(Array.from({ length: 10_000 }, (_, i) => ({ name: `f${i}`, value: 'v' })));
    await expect(parseUploadForm(many.contentType, many.body, LIMITS)).rejects.toMatchObject({ statusCode: 400 });
    const big = multipart([{ name: 'file', filename: 'a', data: Buffer.alloc(LIMITS.maxFileBytes + 1) }]);
    await expect(parseUploadForm(big.contentType, big.body, LIMITS)).rejects.toMatchObject({ statusCode: 413 });
    const giant = multipart([{ name: 'description', value: 'd'.repeat(100_000) }]);
    await expect(parseUploadForm(giant.contentType, giant.body, LIMITS)).rejects.toMatchObject({ statusCode: 400 });
  });
});

describe('Authorization header under fuzzing', () => {
  const auth = makeAuthenticator({
    keys: sharedSecret('fuzz-secret-0123456789abcdef-0123456789'),
    issuer: ISSUER,
    audience: AUDIENCE,
  });

  it('answers 401 and nothing else for random header values', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.string({ maxLength: 300 }),
          fc.string({ maxLength: 300 }).map((value) => `Bearer ${value}`),
          fc.tuple(fc.base64String(), fc.base64String(), fc.base64String()).map((parts) => `Bearer ${parts.join('.')}`),
        ),
        async (value) => {
          const request = toHttpRequest(
            apiEvent({ path: '/api/v1/people/enrollmentPhoto/x', headers: { Authorization: value } }),
          );
          expect(await statusOf(() => auth.authenticate(request))).toBe(401);
        },
      ),
      { seed: SEED, numRuns: 2000 },
    );
  });
});
