import { readFile } from 'node:fs/promises';
import { pathOf } from '@identities/core';
import { describe, expect, it } from 'vitest';
import { contractValidator, type ObservedResponse } from '../support/contract.ts';

const document = JSON.parse(await readFile(new URL('../../openapi.json', import.meta.url), 'utf8')) as unknown;
const validator = contractValidator(document);
const PERSON = '0a1b2c3d-4e5f-6a7b-8c9d-0e1f2a3b4c5d';

const problemBody = (status: number, title: string) =>
  Buffer.from(JSON.stringify({ type: 'about:blank', title, status, detail: 'x', requestId: 'r' }));

function observed(overrides: Partial<ObservedResponse>): ObservedResponse {
  const body = overrides.body ?? Buffer.alloc(0);
  return {
    method: 'GET',
    url: pathOf('EnrollmentPhoto', { faceId: 'sample-face' }),
    status: 200,
    headers: {},
    bodyBytes: body.length,
    ...overrides,
    body,
  };
}

const photo = {
  status: 200,
  headers: {
    'Content-Type': 'image/jpeg',
    ETag: '"abc"',
    'Cache-Control': 'private, no-cache',
    'Accept-Ranges': 'bytes',
    'Content-Length': '3',
    'X-Content-Type-Options': 'nosniff',
  },
  body: Buffer.from([0xff, 0xd8, 0xff]),
};

const documentBody = {
  documentId: 'card-1',
  personId: PERSON,
  name: 'ID Card',
  fileName: 'id-card.pdf',
  contentType: 'application/pdf',
  size: 16,
  sha256: 'a'.repeat(64),
  createdAt: '2026-01-31T09:30:00.000Z',
};
const complete = (body: unknown) =>
  observed({
    method: 'POST',
    url: pathOf('CompleteUploadSession', { documentId: 'card-1' }),
    status: 200,
    headers: { 'content-type': 'application/json', location: '../../x', 'x-content-type-options': 'nosniff' },
    body: Buffer.from(JSON.stringify(body)),
  });

describe('the contract check of observed responses', () => {
  it('passes responses that keep to the description', () => {
    expect(validator.violations(observed(photo))).toEqual([]);
    expect(validator.violations(complete(documentBody))).toEqual([]);
    expect(validator.violations(observed({ ...photo, method: 'HEAD', body: Buffer.alloc(0) }))).toEqual([]);
  });

  it('fails an undocumented status', () => {
    expect(validator.violations(observed({ ...photo, status: 418 }))).toEqual([
      expect.stringMatching(
        /GET \/api\/v1\/people\/enrollmentPhoto\/sample-face \(EnrollmentPhoto\) answered 418: that status is not documented/,
      ),
    ]);
  });

  it('fails a missing or malformed documented header', () => {
    const { ETag: _etag, ...withoutEtag } = photo.headers;
    expect(validator.violations(observed({ ...photo, headers: withoutEtag }))).toEqual([
      expect.stringContaining('the ETag header is missing'),
    ]);
    expect(
      validator.violations(observed({ ...photo, headers: { ...photo.headers, 'Accept-Ranges': 'none' } })),
    ).toEqual([expect.stringContaining('Accept-Ranges')]);
  });

  it('fails an undocumented content type, and a body where none is documented', () => {
    expect(
      validator.violations(observed({ ...photo, headers: { ...photo.headers, 'Content-Type': 'text/html' } })),
    ).toEqual([expect.stringContaining('Content-Type text/html is not one of image/jpeg')]);
    const upload = observed({
      method: 'POST',
      url: pathOf('UploadFileDocument'),
      status: 200,
      headers: { Location: 'x', 'content-type': 'text/plain' },
      body: Buffer.from('ok'),
    });
    expect(validator.violations(upload)).toEqual([
      expect.stringContaining('a body of 2 bytes where none is documented'),
    ]);
  });

  it('fails a JSON body its schema refuses', () => {
    const { sha256: _sha, ...withoutSha } = documentBody;
    expect(validator.violations(complete(withoutSha))).toEqual([
      expect.stringContaining("must have required property 'sha256'"),
    ]);
    expect(validator.violations(complete({ ...documentBody, size: 'big' }))).toEqual([
      expect.stringContaining('body/size must be integer'),
    ]);
  });

  it('fails a problem that is not problem+json, and accepts the gateway’s own answers where documented', () => {
    const refused = observed({
      status: 401,
      headers: {
        'Content-Type': 'application/json',
        'WWW-Authenticate': 'Bearer realm="identities"',
        'X-Content-Type-Options': 'nosniff',
      },
      body: problemBody(401, 'Unauthorized'),
    });
    expect(validator.violations(refused)).toEqual([
      expect.stringContaining('Content-Type application/json is not one of application/problem+json'),
    ]);
    const timedOut = observed({
      status: 504,
      headers: { 'Content-Type': 'application/json', 'X-Content-Type-Options': 'nosniff' },
      body: Buffer.from('{"message":"Endpoint request timed out"}'),
    });
    expect(validator.violations(timedOut)).toEqual([]);
  });

  it('leaves paths and methods the description does not name alone', () => {
    expect(validator.violations(observed({ url: '/healthz', status: 200 }))).toEqual([]);
    expect(validator.violations(observed({ method: 'PUT', status: 403 }))).toEqual([]);
  });
});
