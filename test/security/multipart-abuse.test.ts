import { authenticatorFromEnv } from '@identities/aws';
import { makeLogger, makeUploadFileDocumentHandler as makeUpload } from '@identities/core';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { uploadFileDocument as upload } from '../support/functions.ts';
import { type ApiResponse, apiEvent, invoke } from '../support/lambda.ts';
import {
  auditRecorder,
  documentStore,
  listKeys,
  newPersonId,
  objectStore,
  recordingObjectStore,
  roleStore,
} from '../support/storage.ts';
import { bearer, bothPermissions } from '../support/tokens.ts';
import { expectProblem, staysInside } from './support.ts';

const UPLOAD = '/api/v1/people/fileDocuments/upload';
const DOCUMENT_ID = 'abuse-1';
const BOUNDARY = '----abuseBoundary7MA4YWxkTrZu0gW';
const jwt = await bothPermissions();

interface RawPart {
  readonly headers: readonly string[];
  readonly body: string | Buffer;
}

/** A multipart body written by hand, byte by byte as given: nothing is escaped or fixed up. */
function rawForm(parts: readonly RawPart[], options: { boundary?: string; close?: boolean } = {}): Buffer {
  const boundary = options.boundary ?? BOUNDARY;
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(
      Buffer.from(`--${boundary}\r\n${part.headers.map((header) => `${header}\r\n`).join('')}\r\n`, 'latin1'),
    );
    chunks.push(typeof part.body === 'string' ? Buffer.from(part.body, 'utf8') : part.body, Buffer.from('\r\n'));
  }
  if (options.close ?? true) chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

const field = (name: string, value: string | Buffer, ...headers: string[]): RawPart => ({
  headers: [`Content-Disposition: form-data; name="${name}"`, ...headers],
  body: value,
});

const filePart = (
  disposition = 'form-data; name="file"; filename="doc.pdf"',
  data: Buffer = Buffer.from('%PDF-1.7 the document'),
  contentType = 'application/pdf',
): RawPart => ({ headers: [`Content-Disposition: ${disposition}`, `Content-Type: ${contentType}`], body: data });

/** A complete, valid upload for the person, but for the parts a case swaps. */
const validParts = (personId: string, file: RawPart = filePart()): RawPart[] => [
  field('personId', personId),
  field('name', 'Doc'),
  field('publicId', DOCUMENT_ID),
  file,
];

const CONTENT_TYPE = `multipart/form-data; boundary=${BOUNDARY}`;

interface Upload {
  readonly contentType?: string;
  readonly body: Buffer;
  /** Replaces the event's body as API Gateway would hand it over (already base64 or not). */
  readonly rawEventBody?: { readonly body: string; readonly isBase64Encoded: boolean };
}

function uploadEvent(request: Upload, authorization = jwt): APIGatewayProxyEvent {
  const headers: Record<string, string> = { ...bearer(authorization) };
  if (request.contentType !== undefined) headers['Content-Type'] = request.contentType;
  const event = apiEvent({ method: 'POST', path: UPLOAD, headers, body: request.body });
  return request.rawEventBody === undefined ? event : { ...event, ...request.rawEventBody };
}

const send = (request: Upload) => invoke(upload, uploadEvent(request));

async function expectNothingStored(personId: string) {
  expect(await listKeys(`people/${personId}/`)).toEqual([]);
  expect(await documentStore.get(personId, DOCUMENT_ID)).toBeUndefined();
}

const cut = (body: Buffer, marker: string, offset = 0) => body.subarray(0, body.indexOf(marker) + offset);
const floodHeaders = (count: number) =>
  Array.from({ length: count }, (_, i) => `X-Flood-${String(i).padStart(4, '0')}: ${'v'.repeat(24)}`);
const MEGABYTE = 'm'.repeat(1024 * 1024);

const MALFORMED = /multipart body is malformed/;
const NO_FILE = /file is required|no usable file name/;
const CHARSET = /charset this API cannot read/;
const NOT_BASE64 = /flagged as base64/;

/** Each hostile body: what it is, how to build it for a person, and why it is refused. */
const HOSTILE: readonly (readonly [string, (personId: string) => Upload, RegExp])[] = [
  [
    'a multipart Content-Type without a boundary parameter',
    (p) => ({ contentType: 'multipart/form-data', body: rawForm(validParts(p)) }),
    /with a boundary/,
  ],
  [
    'an empty boundary parameter',
    (p) => ({ contentType: 'multipart/form-data; boundary=', body: rawForm(validParts(p)) }),
    /no usable boundary/,
  ],
  [
    'a boundary that never appears in the body',
    (p) => ({ contentType: 'multipart/form-data; boundary=not-the-one', body: rawForm(validParts(p)) }),
    MALFORMED,
  ],
  [
    'multipart/mixed instead of multipart/form-data',
    (p) => ({ contentType: `multipart/mixed; boundary=${BOUNDARY}`, body: rawForm(validParts(p)) }),
    /must be multipart\/form-data/,
  ],
  [
    'a body truncated inside the file data',
    (p) => ({ contentType: CONTENT_TYPE, body: cut(rawForm(validParts(p)), '%PDF', 6) }),
    MALFORMED,
  ],
  [
    "a body truncated inside the file part's headers",
    (p) => ({ contentType: CONTENT_TYPE, body: cut(rawForm(validParts(p)), 'Content-Type: application/pdf', 15) }),
    MALFORMED,
  ],
  [
    'a body without its closing delimiter',
    (p) => ({ contentType: CONTENT_TYPE, body: rawForm(validParts(p), { close: false }) }),
    MALFORMED,
  ],
  [
    'LF line ends instead of CRLF throughout',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: Buffer.from(rawForm(validParts(p)).toString('latin1').replaceAll('\r\n', '\n'), 'latin1'),
    }),
    MALFORMED,
  ],
  [
    'no blank line between the headers and the data of the file part',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: Buffer.from(
        rawForm(validParts(p)).toString('latin1').replace('application/pdf\r\n\r\n', 'application/pdf\r\n'),
        'latin1',
      ),
    }),
    MALFORMED,
  ],
  [
    'a header flood: 500 headers in the file part, past the 16 KB a part header block may have',
    (p) => {
      const file = filePart();
      return {
        contentType: CONTENT_TYPE,
        body: rawForm(validParts(p, { ...file, headers: [...file.headers, ...floodHeaders(500)] })),
      };
    },
    MALFORMED,
  ],
  [
    'a header flood ahead of Content-Disposition: 500 headers in a field part',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: rawForm([
        { headers: [...floodHeaders(500), 'Content-Disposition: form-data; name="x"'], body: 'v' },
        ...validParts(p),
      ]),
    }),
    MALFORMED,
  ],
  [
    '10,000 fields',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: rawForm([...validParts(p), ...Array.from({ length: 10_000 }, (_, i) => field(`f${i}`, 'v'))]),
    }),
    /more than 20 fields/,
  ],
  [
    '10,000 parts with an empty name',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: rawForm([...validParts(p), ...Array.from({ length: 10_000 }, () => field('', 'v'))]),
    }),
    /more than 20 fields/,
  ],
  ...(['name', 'description', 'publicId', 'personId'] as const).map(
    (name) =>
      [
        `a 1 MB value in the ${name} field`,
        (p: string) => ({
          contentType: CONTENT_TYPE,
          body: rawForm([
            ...validParts(p).filter((part) => !part.headers[0]?.includes(`"${name}"`)),
            field(name, MEGABYTE),
          ]),
        }),
        /too long/,
      ] as const,
  ),
  [
    'a file part without a filename (a typed part without one is a field: no file)',
    (p) => ({ contentType: CONTENT_TYPE, body: rawForm(validParts(p, filePart('form-data; name="file"'))) }),
    NO_FILE,
  ],
  [
    'an octet-stream part without a filename',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: rawForm(validParts(p, filePart('form-data; name="file"', undefined, 'application/octet-stream'))),
    }),
    NO_FILE,
  ],
  [
    'filename=""',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: rawForm(validParts(p, filePart('form-data; name="file"; filename=""'))),
    }),
    NO_FILE,
  ],
  [
    'filename=".." (nothing left of it as a base name)',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: rawForm(validParts(p, filePart('form-data; name="file"; filename=".."'))),
    }),
    NO_FILE,
  ],
  [
    'a filename of control characters only',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: rawForm(validParts(p, filePart(`form-data; name="file"; filename*=UTF-8''%01%02%1B`))),
    }),
    NO_FILE,
  ],
  [
    'two files',
    (p) => ({ contentType: CONTENT_TYPE, body: rawForm([...validParts(p), filePart()]) }),
    /exactly one file/,
  ],
  [
    'two files under different field names',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: rawForm([...validParts(p), filePart('form-data; name="other"; filename="b.pdf"')]),
    }),
    /exactly one file/,
  ],
  [
    'nested multipart/mixed without a filename (RFC 2388 style): a field, not files, so no file',
    (p) => {
      const inner = rawForm(
        [
          { headers: ['Content-Disposition: file; filename="a.pdf"', 'Content-Type: application/pdf'], body: '%PDF a' },
          { headers: ['Content-Disposition: file; filename="b.pdf"', 'Content-Type: application/pdf'], body: '%PDF b' },
        ],
        { boundary: 'inner-boundary' },
      );
      return {
        contentType: CONTENT_TYPE,
        body: rawForm([
          ...validParts(p).slice(0, 3),
          {
            headers: [
              'Content-Disposition: form-data; name="files"',
              'Content-Type: multipart/mixed; boundary=inner-boundary',
            ],
            body: inner,
          },
        ]),
      };
    },
    NO_FILE,
  ],
  [
    'personId declared in a charset that cannot be decoded',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: rawForm([
        field('personId', p, 'Content-Type: text/plain; charset=x-no-such-charset'),
        ...validParts(p).slice(1),
      ]),
    }),
    CHARSET,
  ],
  [
    'personId declared UTF-16LE but sent as UTF-8',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: rawForm([field('personId', p, 'Content-Type: text/plain; charset=utf-16le'), ...validParts(p).slice(1)]),
    }),
    /personId must be a GUID/,
  ],
  [
    'a description declared in a charset that cannot be decoded (it must not be dropped silently)',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: rawForm([
        ...validParts(p),
        field('description', 'Front', 'Content-Type: text/plain; charset=x-no-such-charset'),
      ]),
    }),
    CHARSET,
  ],
  [
    'a name declared ISO-8859-2, a charset the parser does not decode',
    (p) => ({
      contentType: CONTENT_TYPE,
      body: rawForm([
        field('personId', p),
        field('name', Buffer.from([0x4b, 0xb3, 0x6f, 0x64]), 'Content-Type: text/plain; charset=iso-8859-2'),
        ...validParts(p).slice(2),
      ]),
    }),
    CHARSET,
  ],
  ...(
    [
      ['arbitrary text', '***not base64***'],
      ['base64url characters', 'LS0t_-_-LS0t'],
      ['a length that is not a multiple of 4', 'QUJD' + 'RA'],
      ['padding in the middle', 'QQ==QUJD'],
      ['line breaks', 'QUJD\nREVG'],
    ] as const
  ).map(
    ([what, body]) =>
      [
        `a body flagged as base64 that is not base64: ${what}`,
        (p: string) => ({
          contentType: CONTENT_TYPE,
          body: rawForm(validParts(p)),
          rawEventBody: { body, isBase64Encoded: true },
        }),
        NOT_BASE64,
      ] as const,
  ),
];

describe('hostile multipart bodies through the upload handler', () => {
  it.each(HOSTILE)('answers 400 with a problem body for %s, and leaves nothing behind', async (_, build, reason) => {
    const personId = newPersonId();
    const response = await send(build(personId));
    const problem = expectProblem(response, 400);
    expect(String(problem.detail)).toMatch(reason);
    await expectNothingStored(personId);
  });

  it('stores the valid form the hostile ones are made from (they fail for what they change)', async () => {
    const personId = newPersonId();
    const response = await send({ contentType: CONTENT_TYPE, body: rawForm(validParts(personId)) });
    expect(response.statusCode).toBe(200);
    expect(await documentStore.get(personId, DOCUMENT_ID)).toMatchObject({ fileName: 'doc.pdf' });
  });

  it.each([
    ['../../etc/passwd', 'form-data; name="file"; filename="../../etc/passwd"', 'passwd'],
    ['C:\\x\\y.pdf', 'form-data; name="file"; filename="C:\\x\\y.pdf"', 'y.pdf'],
    ['..\\..\\boot.ini', 'form-data; name="file"; filename="..\\..\\boot.ini"', 'boot.ini'],
    ['../../etc/passwd as filename*', `form-data; name="file"; filename*=UTF-8''..%2F..%2Fetc%2Fpasswd`, 'passwd'],
    ['a name with a NUL and a newline', `form-data; name="file"; filename*=UTF-8''a%00b%0Ac.pdf`, 'abc.pdf'],
  ])('stores %j as its base name only, inside the person’s prefix', async (_, disposition, stored) => {
    const personId = newPersonId();
    const response = await send({
      contentType: CONTENT_TYPE,
      body: rawForm(validParts(personId, filePart(disposition))),
    });
    expect(response.statusCode).toBe(200);
    const record = await documentStore.get(personId, DOCUMENT_ID);
    expect(record?.fileName).toBe(stored);
    const keys = await listKeys(`people/${personId}/`);
    expect(keys).toEqual([record?.objectKey]);
    for (const key of keys) expect(staysInside(key, [`people/${personId}/documents/${DOCUMENT_ID}/`])).toBe(true);
  });

  it("takes a part's first Content-Disposition and Content-Type when duplicates and 100 other headers follow within the 16 KB cap", async () => {
    const personId = newPersonId();
    const file = filePart();
    const headers = [
      ...file.headers,
      'Content-Type: text/html',
      'Content-Disposition: form-data; name="file"; filename="evil.html"',
      ...floodHeaders(100),
    ];
    const response = await send({
      contentType: CONTENT_TYPE,
      body: rawForm(validParts(personId, { ...file, headers })),
    });
    expect(response.statusCode).toBe(200);
    expect(await documentStore.get(personId, DOCUMENT_ID)).toMatchObject({
      fileName: 'doc.pdf',
      contentType: 'application/pdf',
    });
  });

  it('treats a file part of type multipart/mixed as one opaque file: the contract takes any part with a filename as the file and never parses inside it', async () => {
    const personId = newPersonId();
    const inner = rawForm(
      [
        { headers: ['Content-Disposition: form-data; name="publicId"'], body: 'hijacked' },
        { headers: ['Content-Disposition: form-data; name="file"; filename="evil.html"'], body: '<script>1</script>' },
      ],
      { boundary: 'inner-boundary' },
    );
    const nested = filePart(
      'form-data; name="file"; filename="bundle.bin"',
      inner,
      'multipart/mixed; boundary=inner-boundary',
    );
    const response = await send({ contentType: CONTENT_TYPE, body: rawForm(validParts(personId, nested)) });
    expect(response.statusCode).toBe(200);
    const record = await documentStore.get(personId, DOCUMENT_ID);
    expect(record).toMatchObject({ fileName: 'bundle.bin', contentType: 'multipart/mixed', size: inner.length });
    expect(await documentStore.get(personId, 'hijacked')).toBeUndefined();
  });

  it('ignores a charset parameter on multipart/form-data itself: the type defines none (RFC 7578 §8), fields stay UTF-8', async () => {
    const personId = newPersonId();
    const parts = [
      field('personId', personId),
      field('name', 'Kłodzko ID'),
      field('publicId', DOCUMENT_ID),
      filePart(),
    ];
    const response = await send({ contentType: `${CONTENT_TYPE}; charset=ebcdic-cp-us`, body: rawForm(parts) });
    expect(response.statusCode).toBe(200);
    expect((await documentStore.get(personId, DOCUMENT_ID))?.name).toBe('Kłodzko ID');
  });

  it('decodes a field declared ISO-8859-1 (a charset the parser knows) as such', async () => {
    const personId = newPersonId();
    const parts = [
      field('personId', personId),
      field('name', Buffer.from('Café', 'latin1'), 'Content-Type: text/plain; charset=ISO-8859-1'),
      field('publicId', DOCUMENT_ID),
      filePart(),
    ];
    const response = await send({ contentType: CONTENT_TYPE, body: rawForm(parts) });
    expect(response.statusCode).toBe(200);
    expect((await documentStore.get(personId, DOCUMENT_ID))?.name).toBe('Café');
  });

  it('answers 401, not a parse error, for a hostile body sent without a token, and stores nothing', async () => {
    const personId = newPersonId();
    const event = uploadEvent({ contentType: CONTENT_TYPE, body: rawForm(validParts(personId)) });
    const response = await invoke(upload, { ...event, headers: {}, multiValueHeaders: {} });
    expectProblem(response, 401);
    await expectNothingStored(personId);
  });
});

/** What a mutation does to a valid upload event. */
type Mutation =
  | { readonly kind: 'truncate'; readonly at: number }
  | { readonly kind: 'flip'; readonly at: number; readonly value: number }
  | { readonly kind: 'insert'; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: 'remove'; readonly at: number; readonly length: number }
  | { readonly kind: 'duplicate'; readonly at: number; readonly length: number }
  | { readonly kind: 'dropCrlf'; readonly nth: number }
  | { readonly kind: 'contentType'; readonly value: string }
  | { readonly kind: 'base64'; readonly at: number; readonly char: string };

const offset = fc.nat({ max: 4096 });
const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('truncate' as const), at: offset }),
  fc.record({ kind: fc.constant('flip' as const), at: offset, value: fc.integer({ min: 0, max: 255 }) }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: offset,
    bytes: fc.oneof(
      fc.uint8Array({ minLength: 1, maxLength: 16 }),
      fc
        .constantFrom('\r\n', '--', `\r\n--${BOUNDARY}\r\n`, `--${BOUNDARY}--`, '"', ';', '\u0000')
        .map((text) => Buffer.from(text, 'latin1')),
    ),
  }),
  fc.record({ kind: fc.constant('remove' as const), at: offset, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({ kind: fc.constant('duplicate' as const), at: offset, length: fc.integer({ min: 1, max: 256 }) }),
  fc.record({ kind: fc.constant('dropCrlf' as const), nth: fc.nat({ max: 24 }) }),
  fc.record({
    kind: fc.constant('contentType' as const),
    value: fc.oneof(
      fc.constantFrom(
        'multipart/form-data',
        'multipart/form-data; boundary=',
        `multipart/form-data; boundary="${BOUNDARY}"`,
        `MULTIPART/FORM-DATA; BOUNDARY=${BOUNDARY}`,
        `multipart/form-data; boundary=${BOUNDARY}; boundary=other`,
        `multipart/form-data; charset=utf-16; boundary=${BOUNDARY}`,
        `multipart/mixed; boundary=${BOUNDARY}`,
        `multipart/form-data; boundary=${BOUNDARY.slice(0, 10)}`,
        'application/x-www-form-urlencoded',
      ),
      fc.string({ maxLength: 80 }),
    ),
  }),
  fc.record({
    kind: fc.constant('base64' as const),
    at: offset,
    char: fc.constantFrom('!', '-', '_', '=', ' ', '\n', '*', 'A'),
  }),
);

/** A valid upload event, then the mutations applied in order. */
function mutatedEvent(personId: string, file: Uint8Array, mutations: readonly Mutation[]): APIGatewayProxyEvent {
  let body = rawForm(validParts(personId, filePart(undefined, Buffer.from(file))));
  let contentType = CONTENT_TYPE;
  let base64Edits: { at: number; char: string }[] = [];
  for (const mutation of mutations) {
    const at = Math.min(mutation.kind === 'dropCrlf' || mutation.kind === 'contentType' ? 0 : mutation.at, body.length);
    switch (mutation.kind) {
      case 'truncate':
        body = body.subarray(0, at);
        break;
      case 'flip':
        body = Buffer.from(body);
        if (at < body.length) body[at] = mutation.value;
        break;
      case 'insert':
        body = Buffer.concat([body.subarray(0, at), mutation.bytes, body.subarray(at)]);
        break;
      case 'remove':
        body = Buffer.concat([body.subarray(0, at), body.subarray(at + mutation.length)]);
        break;
      case 'duplicate':
        body = Buffer.concat([body.subarray(0, at + mutation.length), body.subarray(at)]);
        break;
      case 'dropCrlf': {
        let index = -1;
        for (let n = 0; n <= mutation.nth; n++) index = body.indexOf('\r\n', index + 1);
        if (index >= 0) body = Buffer.concat([body.subarray(0, index), body.subarray(index + 2)]);
        break;
      }
      case 'contentType':
        contentType = mutation.value;
        break;
      case 'base64':
        base64Edits = [...base64Edits, { at: mutation.at, char: mutation.char }];
        break;
    }
  }
  const event = uploadEvent({ contentType, body });
  if (base64Edits.length === 0) return event;
  let encoded = event.body ?? '';
  for (const { at, char } of base64Edits) {
    const position = Math.min(at, encoded.length);
    encoded = `${encoded.slice(0, position)}${char}${encoded.slice(position + 1)}`;
  }
  return { ...event, body: encoded, isBase64Encoded: true };
}

describe('mutated uploads through the upload handler, property-based', () => {
  const SEED = 20261130;
  const RUNS = 1000;
  const auth = authenticatorFromEnv(process.env, roleStore);

  it(`answers 200 or 4xx and never 5xx to ${RUNS} mutations of a valid upload (seed ${SEED}), and a non-200 leaves no object behind`, async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uuid(),
        fc.uint8Array({ minLength: 1, maxLength: 512 }),
        fc.array(mutationArb, { minLength: 1, maxLength: 4 }),
        async (personId, file, mutations) => {
          const recorded = recordingObjectStore();
          const handler = makeUpload({
            auth,
            logger: makeLogger('silent'),
            objects: recorded.store,
            documents: documentStore,
            audit: auditRecorder,
          });
          const response: ApiResponse = await invoke(handler, mutatedEvent(personId, file, mutations));
          expect(response.statusCode === 200 || (response.statusCode >= 400 && response.statusCode < 500)).toBe(true);
          for (const key of recorded.keys) expect(staysInside(key, ['people/'])).toBe(true);
          if (response.statusCode === 200) return;
          expect(response.headers['content-type']).toBe('application/problem+json');
          for (const key of recorded.keys) expect(await objectStore.head(key)).toBeUndefined();
          expect(await listKeys(`people/${personId.toLowerCase()}/`)).toEqual([]);
        },
      ),
      { seed: SEED, numRuns: RUNS },
    );
  }, 120_000);
});
