import { Readable } from 'node:stream';
import { ConfigError, readAuditSettings, readSettings } from '@identities/aws';
import {
  type AuditEvent,
  AuditUnavailableError,
  auditFields,
  type HttpRequest,
  makeAuditRecorder,
  makeLogger,
  serveDownload,
} from '@identities/core';
import { describe, expect, it } from 'vitest';

function request(headers: Record<string, string> = {}, method = 'GET'): HttpRequest {
  return {
    method,
    pathParameters: {},
    headers,
    repeatedHeaders: new Set(),
    query: {},
    repeatedQuery: new Set(),
    sourceIp: '192.0.2.1',
    requestId: 'req-1',
    body: () => Buffer.alloc(0),
  };
}
const principal = { subject: 'user-1', permissions: new Set<string>(), roles: [] };

describe('makeAuditRecorder', () => {
  it('stamps the time and keeps the event for the retention', async () => {
    const appended: { event: AuditEvent; expiresAt: Date }[] = [];
    const now = new Date('2026-12-01T12:00:00.000Z');
    const recorder = makeAuditRecorder({
      trail: {
        append: async (event, expiresAt) => void appended.push({ event, expiresAt }),
        list: async () => ({ items: [], next: undefined }),
      },
      retentionDays: 400,
      logger: makeLogger('silent'),
      clock: () => now,
    });
    await recorder.record({
      ...auditFields(request(), principal),
      action: 'document.download',
      personId: 'p',
      status: 200,
      bytesSent: 3,
    });
    expect(appended).toEqual([
      {
        event: expect.objectContaining({ time: '2026-12-01T12:00:00.000Z', subject: 'user-1', sourceIp: '192.0.2.1' }),
        expiresAt: new Date('2028-01-05T12:00:00.000Z'),
      },
    ]);
  });

  it('turns any failure of the trail into a 503 with Retry-After, logged at error level', async () => {
    const lines: string[] = [];
    const recorder = makeAuditRecorder({
      trail: { append: () => Promise.reject(new Error('down')), list: async () => ({ items: [], next: undefined }) },
      retentionDays: 1,
      logger: { log: (level, message) => void lines.push(`${level} ${message}`) },
    });
    const recording = recorder.record({
      ...auditFields(request(), principal),
      action: 'document.upload',
      personId: 'p',
      status: 200,
      bytesSent: 0,
    });
    await expect(recording).rejects.toBeInstanceOf(AuditUnavailableError);
    await expect(recording).rejects.toMatchObject({ statusCode: 503, headers: { 'Retry-After': '2' } });
    expect(lines).toEqual(['error access trail not written']);
  });
});

describe('auditFields', () => {
  it('takes the subject, method, request id, address, user agent and range of the request', () => {
    expect(auditFields(request({ 'user-agent': 'curl/8', range: 'bytes=0-1' }, 'HEAD'), principal)).toEqual({
      subject: 'user-1',
      method: 'HEAD',
      requestId: 'req-1',
      sourceIp: '192.0.2.1',
      userAgent: 'curl/8',
      range: 'bytes=0-1',
    });
    expect(auditFields(request(), principal)).not.toHaveProperty('userAgent');
  });

  it('bounds the range and replaces a lone surrogate', () => {
    const fields = auditFields(request({ range: `bytes=${'9'.repeat(500)}-`, 'user-agent': 'a\ud800b' }), principal);
    expect([...(fields.range ?? '')]).toHaveLength(128);
    expect(fields.userAgent).toBe('a\uFFFDb');
  });
});

describe('serveDownload before sending', () => {
  const download = (beforeSend: () => Promise<void>, body: Readable) => ({
    etag: '"e"',
    size: 4,
    headers: {},
    open: async () => body,
    beforeSend,
  });

  it('destroys the opened body and sends nothing when the answer may not be sent', async () => {
    const body = Readable.from([Buffer.from('data')]);
    const refused = new AuditUnavailableError();
    await expect(
      serveDownload(
        request(),
        download(() => Promise.reject(refused), body),
      ),
    ).rejects.toBe(refused);
    expect(body.destroyed).toBe(true);
  });

  it('tells what is to be sent: the bytes of a range, none for HEAD and 304', async () => {
    const answers: unknown[] = [];
    const record = (answer: unknown) => {
      answers.push(answer);
      return Promise.resolve();
    };
    const served = (headers: Record<string, string>, method = 'GET') =>
      serveDownload(request(headers, method), {
        etag: '"e"',
        size: 4,
        headers: {},
        open: async () => Readable.from([Buffer.from('data')]),
        beforeSend: record,
      });
    await served({});
    await served({ range: 'bytes=1-2' });
    await served({}, 'HEAD');
    await served({ 'if-none-match': '"e"' });
    await expect(served({ range: 'bytes=9-' })).rejects.toMatchObject({ statusCode: 416 });
    expect(answers).toEqual([
      { status: 200, bytes: 4 },
      { status: 206, bytes: 2 },
      { status: 200, bytes: 0 },
      { status: 304, bytes: 0 },
      { status: 416, bytes: 0 },
    ]);
  });
});

describe('audit settings', () => {
  it('default to 400 days and no photo auditing', () => {
    expect(readAuditSettings({})).toEqual({ retentionDays: 400, photoDownloads: false });
    expect(readAuditSettings({ AUDIT_RETENTION_DAYS: '30', AUDIT_PHOTO_DOWNLOADS: 'on' })).toEqual({
      retentionDays: 30,
      photoDownloads: true,
    });
  });

  it.each([
    ['AUDIT_RETENTION_DAYS', '0'],
    ['AUDIT_RETENTION_DAYS', '3651'],
    ['AUDIT_RETENTION_DAYS', '1.5'],
    ['AUDIT_RETENTION_DAYS', '-1'],
    ['AUDIT_RETENTION_DAYS', 'a year'],
    ['AUDIT_PHOTO_DOWNLOADS', 'yes'],
    ['AUDIT_PHOTO_DOWNLOADS', 'true'],
  ])('refuses %s=%s at start', (name, value) => {
    expect(() => readAuditSettings({ [name]: value })).toThrow(ConfigError);
    expect(() => readAuditSettings({ [name]: value })).toThrow(name);
  });

  it('are part of what a function reads', () => {
    const env = {
      BUCKET_NAME: 'b',
      AWS_REGION: 'eu-central-1',
      JWT_ISSUER: 'i',
      JWT_AUDIENCE: 'a',
      JWT_SECRET: 'x'.repeat(32),
      AUDIT_PHOTO_DOWNLOADS: 'on',
    };
    expect(readSettings(env).audit).toEqual({ retentionDays: 400, photoDownloads: true });
  });
});
