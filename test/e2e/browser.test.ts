import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess, tempDir, userEnv } from '../support/processes.ts';

const PERSON = '1f2e3d4c-5b6a-4789-8a9b-0c1d2e3f4a5b';

/** A page of the customer's web app, served from its own origin. */
const PAGE = `<!doctype html>
<html><head><meta charset="utf-8"></head><body>
<img id="face" alt="enrollment photo">
<script>
  async function run(api, token) {
    const auth = { Authorization: 'Bearer ' + token };
    const photo = await fetch(api + '/api/v1/people/enrollmentPhoto/sample-face', { headers: auth });
    const img = document.getElementById('face');
    const source = URL.createObjectURL(await photo.blob());
    await new Promise((resolve, reject) => {
      img.onload = resolve;
      img.onerror = reject;
      img.src = source;
    });

    const bytes = new Uint8Array(300000);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 31 + 7) % 256;
    const form = new FormData();
    form.set('personId', '${PERSON}');
    form.set('name', 'Browser upload');
    form.set('publicId', 'from-browser');
    form.set('file', new Blob([bytes], { type: 'application/pdf' }), 'carte d\\'identité.pdf');
    const upload = await fetch(api + '/api/v1/people/fileDocuments/upload', { method: 'POST', headers: auth, body: form });

    const back = await fetch(api + '/api/v1/people/${PERSON}/fileDocuments/from-browser/data', { headers: auth });
    const received = new Uint8Array(await back.arrayBuffer());
    return {
      photoStatus: photo.status,
      naturalWidth: img.naturalWidth,
      naturalHeight: img.naturalHeight,
      uploadStatus: upload.status,
      location: upload.headers.get('Location'),
      downloadStatus: back.status,
      disposition: back.headers.get('Content-Disposition'),
      etag: back.headers.get('ETag'),
      sameBytes: received.length === bytes.length && received.every((byte, i) => byte === bytes[i]),
    };
  }
</script>
</body></html>`;

describe('the API from a web app in Chromium', () => {
  let api: ServerProcess;
  let site: Server;
  let siteUrl: string;
  let browser: Browser;

  beforeAll(async () => {
    api = await startServerProcess([], userEnv({ DATA_DIR: await tempDir() }));
    site = createServer((_, response) =>
      response.writeHead(200, { 'Content-Type': 'text/html; charset=utf-8' }).end(PAGE),
    );
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}/`;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => (site ? site.close(() => resolve()) : resolve()));
    await api?.stop();
  });

  it('shows a photo fetched with a bearer token, uploads with FormData and downloads it back byte-exact', async () => {
    const page = await browser.newPage();
    await page.goto(siteUrl);
    expect(new URL(siteUrl).origin).not.toBe(new URL(api.url).origin);
    const result = await page.evaluate(
      ([apiUrl, token]) =>
        (globalThis as unknown as { run: (a: string, t: string) => Promise<unknown> }).run(apiUrl, token),
      [api.url, api.token] as const,
    );
    expect(result).toMatchObject({
      photoStatus: 200,
      naturalWidth: 96,
      naturalHeight: 120,
      uploadStatus: 200,
      location: `../${PERSON}/fileDocuments/from-browser/data`,
      downloadStatus: 200,
      sameBytes: true,
    });
    const { disposition, etag } = result as { disposition: string; etag: string };
    expect(disposition).toContain("filename*=UTF-8''carte%20d%27identit%C3%A9.pdf");
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
  });

  it('is refused by the browser when the page comes from an origin the API does not allow', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    // Same page, other origin: "localhost" is allowed, so serve it under an address that is not.
    await page.route('http://not-allowed.test/', (route) => route.fulfill({ contentType: 'text/html', body: PAGE }));
    await page.goto('http://not-allowed.test/');
    const outcome = await page.evaluate(
      ([apiUrl, token]) =>
        fetch(`${apiUrl}/api/v1/people/enrollmentPhoto/sample-face`, {
          headers: { Authorization: `Bearer ${token}` },
        }).then(
          () => 'read',
          () => 'blocked',
        ),
      [api.url, api.token] as const,
    );
    expect(outcome).toBe('blocked');
    await context.close();
  });
});
