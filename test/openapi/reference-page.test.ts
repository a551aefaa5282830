import { routes } from '@identities/core';
import { openApiDocument } from '@identities/core/api';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ServerProcess, startServerProcess, tempDir, userEnv } from '../support/processes.ts';

const operations = routes.flatMap((route) => [
  { method: route.method, path: route.path },
  ...(route.head ? [{ method: 'HEAD', path: route.path }] : []),
]);

describe('the API reference page and description (identities serve --api-docs)', () => {
  let api: ServerProcess;
  let browser: Browser;

  beforeAll(async () => {
    api = await startServerProcess(['--api-docs'], userEnv({ DATA_DIR: await tempDir() }));
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
    });
  });
  afterAll(async () => {
    await browser?.close();
    await api?.stop();
  });

  it('loads in Chromium under its CSP, lists every route, and "Try it out" sends the token', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const refused: string[] = [];
    const elsewhere: string[] = [];
    page.on('console', (message) => {
      if (/Content Security Policy|Refused to/i.test(message.text())) refused.push(message.text());
    });
    page.on('pageerror', (error) => refused.push(error.message));
    page.on('request', (request) => {
      if (new URL(request.url()).origin !== new URL(api.url).origin) elsewhere.push(request.url());
    });
    await page.goto(`${api.url}/docs`);
    await page.locator('.opblock').first().waitFor();
    const listed = await page.locator('.opblock').evaluateAll((blocks) =>
      blocks.map((block) => ({
        method: block.querySelector('.opblock-summary-method')?.textContent ?? '',
        path: block.querySelector('.opblock-summary-path')?.getAttribute('data-path') ?? '',
      })),
    );
    expect(listed.sort((a, b) => `${a.path}${a.method}`.localeCompare(`${b.path}${b.method}`))).toEqual(
      operations.sort((a, b) => `${a.path}${a.method}`.localeCompare(`${b.path}${b.method}`)),
    );

    await page.locator('button.authorize').first().click();
    await page.locator('.modal-ux input').fill(api.token);
    await page.locator('.modal-ux button.authorize').click();
    await page.locator('.modal-ux button.btn-done').click();

    const operation = page.locator('#operations-Photos-EnrollmentPhoto');
    await operation.locator('.opblock-summary').click();
    await operation.locator('button.try-out__btn').click();
    await operation.locator('input[placeholder="faceId"]').fill('sample-face');
    const sent = page.waitForRequest((request) => request.url().endsWith('/api/v1/people/enrollmentPhoto/sample-face'));
    await operation.locator('button.execute').click();
    const request = await sent;
    expect(await request.headerValue('authorization')).toBe(`Bearer ${api.token}`);
    await expect
      .poll(() => operation.locator('.live-responses-table tbody .response-col_status').first().textContent())
      .toContain('200');

    expect(refused).toEqual([]);
    expect(elsewhere).toEqual([]);
    await context.close();
  });

  it('serves the description with this server first, and the page with a self-only CSP', async () => {
    const description = await fetch(`${api.url}/openapi.json`);
    expect(description.status).toBe(200);
    expect(description.headers.get('content-type')).toBe('application/json');
    const document = openApiDocument();
    expect(await description.json()).toEqual({
      ...document,
      servers: [{ url: '/', description: 'This server' }, ...document.servers],
    });

    const docs = await fetch(`${api.url}/docs`);
    expect(docs.status).toBe(200);
    expect(docs.headers.get('cache-control')).toBe('no-cache');
    const csp = docs.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("style-src 'self'");
    expect(csp).toContain("default-src 'none'");
    expect(csp).not.toContain('unsafe');
    expect(docs.headers.get('x-frame-options')).toBe('DENY');
    const html = await docs.text();
    expect(html).not.toMatch(/<script>|<style>|https?:\/\//);
    const script = /src="(\/docs\/swagger-ui-bundle\.[0-9a-f]{16}\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${api.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(asset.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
  });

  it('answers only GET and HEAD, and only its fixed files: no listing, nothing else of the package', async () => {
    const post = await fetch(`${api.url}/docs`, { method: 'POST', body: 'x' });
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toBe('GET, HEAD');
    expect((await fetch(`${api.url}/openapi.json`, { method: 'DELETE' })).status).toBe(405);
    const head = await fetch(`${api.url}/openapi.json`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe('');
    for (const path of [
      '/docs/',
      '/docs/swagger-ui-bundle.js',
      '/docs/package.json',
      '/docs/index.html',
      '/docs/%2e%2e/package.json',
      '/docs/..%2fpackage.json',
      '/docs/swagger-initializer.js',
    ]) {
      const response = await fetch(`${api.url}${path}`);
      // A dot-segment is resolved before routing: what it reaches is outside these paths (the gateway's 403).
      expect([path, response.status]).toEqual([path, path === '/docs/' ? 200 : path.includes('%2e') ? 403 : 404]);
    }
  });

  it('is off unless asked for: identities serve without --api-docs has neither path', async () => {
    const plain = await startServerProcess([], userEnv({ DATA_DIR: await tempDir() }));
    try {
      for (const path of ['/docs', '/openapi.json']) {
        expect((await fetch(`${plain.url}${path}`)).status).toBe(403);
      }
    } finally {
      await plain.stop();
    }
  });
});
