import { describe, expect, it } from 'vitest';
import { downloadFileDocument as download, uploadFileDocument as upload } from '../support/functions.ts';
import { type ApiResponse, apiEvent, invoke } from '../support/lambda.ts';
import { type Part, uploadEvent } from '../support/multipart.ts';
import { newPersonId } from '../support/storage.ts';
import { bearer, bothPermissions } from '../support/tokens.ts';

const jwt = await bothPermissions();
const DOCUMENT_ID = 'lie-1';

const HTML = Buffer.from(
  '<!doctype html><html><body><script>fetch("/steal?c="+document.cookie)</script></body></html>',
);
const SVG = Buffer.from(
  '<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)">' +
    '<script type="text/javascript">alert(document.cookie)</script><circle r="10"/></svg>',
);
/** An HTML page that starts like a JPEG: what a sniffing browser might be tempted to render. */
const POLYGLOT = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), HTML]);

async function store(part: Part): Promise<string> {
  const personId = newPersonId();
  const response = await invoke(
    upload,
    uploadEvent(
      [
        { name: 'personId', value: personId },
        { name: 'name', value: 'Lie' },
        { name: 'publicId', value: DOCUMENT_ID },
        part,
      ],
      jwt,
    ),
  );
  expect(response.statusCode).toBe(200);
  return personId;
}

const fetchDocument = (personId: string, method = 'GET', headers: Record<string, string> = {}) => {
  const event = apiEvent({
    path: `/api/v1/people/${personId}/fileDocuments/${DOCUMENT_ID}/data`,
    headers: { ...bearer(jwt), ...headers },
  });
  return invoke(download, { ...event, httpMethod: method });
};

function expectNeverRendered(response: ApiResponse) {
  expect(response.headers['content-disposition']).toMatch(/^attachment;/);
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['cache-control']).toBe('private, no-store');
}

/** [what, bytes, file name, the type the client claims, the type stored and served]. */
const LIES: readonly (readonly [string, Buffer, string, string, string])[] = [
  ['an HTML page claimed as image/jpeg', HTML, 'photo.jpg', 'image/jpeg', 'image/jpeg'],
  ['an HTML page named .html, claimed as image/jpeg', HTML, 'page.html', 'image/jpeg', 'image/jpeg'],
  [
    'an HTML page starting with JPEG magic bytes, claimed as image/jpeg',
    POLYGLOT,
    'face.jpg',
    'image/jpeg',
    'image/jpeg',
  ],
  ['an HTML page claimed as application/pdf', HTML, 'id-card.pdf', 'application/pdf', 'application/pdf'],
  ['an HTML page declared text/html with a UTF-7 charset', HTML, 'page.html', 'text/html; charset=utf-7', 'text/html'],
  ['an SVG with script claimed as image/jpeg', SVG, 'photo.jpg', 'image/jpeg', 'image/jpeg'],
  ['an SVG with script declared image/svg+xml', SVG, 'drawing.svg', 'image/svg+xml', 'image/svg+xml'],
  ['an SVG with script declared text/html', SVG, 'drawing.svg', 'text/html', 'text/html'],
  ['an SVG with script declared text/xml', SVG, 'drawing.xml', 'text/xml', 'text/xml'],
  // A part type that does not parse is the part default, text/plain (RFC 7578 §4.4).
  ['an HTML page with an unparseable type', HTML, 'page.html', 'text/html<script>', 'text/plain'],
];

describe('content that lies about itself is saved, never rendered', () => {
  it.each(LIES)(
    'serves %s as an attachment with nosniff, byte for byte',
    async (_, bytes, filename, claimed, served) => {
      const personId = await store({ name: 'file', filename, contentType: claimed, data: bytes });
      const response = await fetchDocument(personId);
      expect(response.statusCode).toBe(200);
      expectNeverRendered(response);
      expect(response.headers['content-type']).toBe(served);
      expect(response.headers['content-disposition']).toBe(`attachment; filename="${filename}"`);
      expect(response.body.equals(bytes)).toBe(true);
    },
  );

  it.each(LIES)(
    'answers HEAD for %s with the same attachment and nosniff headers',
    async (_, bytes, filename, claimed) => {
      const personId = await store({ name: 'file', filename, contentType: claimed, data: bytes });
      const response = await fetchDocument(personId, 'HEAD');
      expect(response.statusCode).toBe(200);
      expectNeverRendered(response);
      expect(response.body.length).toBe(0);
    },
  );

  it('keeps attachment and nosniff on a ranged read of an SVG (206)', async () => {
    const personId = await store({ name: 'file', filename: 'drawing.svg', contentType: 'image/svg+xml', data: SVG });
    const response = await fetchDocument(personId, 'GET', { Range: 'bytes=0-15' });
    expect(response.statusCode).toBe(206);
    expectNeverRendered(response);
    expect(response.body.equals(SVG.subarray(0, 16))).toBe(true);
  });

  it('cannot inject a header through the file name (CR LF in filename* is removed)', async () => {
    const filename = 'a.html\r\nSet-Cookie: session=stolen\r\nX-Frame-Options: ALLOWALL';
    const personId = await store({ name: 'file', filename, contentType: 'text/html', data: HTML, extended: true });
    const response = await fetchDocument(personId);
    expectNeverRendered(response);
    expect(response.headers['set-cookie']).toBeUndefined();
    expect(response.headers['x-frame-options']).toBeUndefined();
    expect(response.headers['content-disposition']).toBe(
      'attachment; filename="a.htmlSet-Cookie: session=stolenX-Frame-Options: ALLOWALL"',
    );
  });

  it('cannot close the quoted file name early: its quotes stay escaped inside one quoted-string', async () => {
    const filename = 'x.pdf"; filename*=UTF-8\'\'evil.html; x="';
    const personId = await store({
      name: 'file',
      filename,
      contentType: 'application/pdf',
      data: HTML,
      extended: true,
    });
    const response = await fetchDocument(personId);
    expectNeverRendered(response);
    const disposition = response.headers['content-disposition'] ?? '';
    expect(disposition).toBe('attachment; filename="x.pdf\\"; filename*=UTF-8\'\'evil.html; x=\\""');
    // One quoted-string (RFC 9110 §5.6.4) from the first quote to the end: no parameter escapes it.
    expect(disposition).toMatch(/^attachment; filename="(?:[^"\\]|\\.)*"$/);
  });
});
