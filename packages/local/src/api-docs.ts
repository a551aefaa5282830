import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { openApiDocument } from '@identities/core/api';
import { drainSmall } from './health.ts';

export const OPENAPI_PATH = '/openapi.json';
export const DOCS_PATH = '/docs';

/**
 * The page's policy: its scripts, styles, images and requests come from this server only; nothing inline
 * runs, no plugin, no frame may hold it, no form posts anywhere.
 */
export const DOCS_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  // blob: the photos a "Try it out" fetched, shown from the page's own memory.
  "img-src 'self' data: blob:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** What a hashed asset may be cached for: its name changes with its bytes. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

/** On every answer of these paths. */
const HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Resource-Policy': 'same-origin',
} as const;

interface Asset {
  readonly type: string;
  readonly body: Buffer;
  readonly cacheControl: string;
  readonly csp?: string;
}

/** The renderer's files used, from the package: a fixed list, nothing else of node_modules is reachable. */
const RENDERER_FILES = [
  { file: 'swagger-ui.css', type: 'text/css; charset=utf-8' },
  { file: 'swagger-ui-bundle.js', type: 'text/javascript; charset=utf-8' },
  { file: 'favicon-32x32.png', type: 'image/png' },
] as const;

/** Starts the renderer without inline script: the CSP allows scripts from this server only. */
const INIT_SCRIPT = `window.addEventListener('load', function () {
  window.ui = SwaggerUIBundle({
    url: '${OPENAPI_PATH}',
    dom_id: '#swagger-ui',
    deepLinking: false,
    persistAuthorization: false,
    validatorUrl: null,
    tryItOutEnabled: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: 'BaseLayout',
  });
});
`;

const hashed = (name: string, body: Buffer) => {
  const digest = createHash('sha256').update(body).digest('hex').slice(0, 16);
  const dot = name.lastIndexOf('.');
  return `${DOCS_PATH}/${name.slice(0, dot)}.${digest}${name.slice(dot)}`;
};

function page(css: string, script: string, init: string, icon: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Identities Photos &amp; Documents: API reference</title>
<link rel="icon" type="image/png" href="${icon}">
<link rel="stylesheet" href="${css}">
</head>
<body>
<div id="swagger-ui"></div>
<script src="${script}"></script>
<script src="${init}"></script>
</body>
</html>
`;
}

/** The description as served here: this server first among the servers, so "Try it out" calls it. */
function servedDocument(): Buffer {
  const document = openApiDocument();
  return Buffer.from(
    JSON.stringify({ ...document, servers: [{ url: '/', description: 'This server' }, ...document.servers] }),
  );
}

/** Every path these answer, each with its bytes, made once. */
function assets(): Map<string, Asset> {
  const root = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
  const map = new Map<string, Asset>();
  const urls: Record<string, string> = {};
  for (const { file, type } of RENDERER_FILES) {
    const body = readFileSync(join(root, file));
    const url = hashed(file, body);
    urls[file] = url;
    map.set(url, { type, body, cacheControl: IMMUTABLE });
  }
  const init = Buffer.from(INIT_SCRIPT);
  const initUrl = hashed('init.js', init);
  map.set(initUrl, { type: 'text/javascript; charset=utf-8', body: init, cacheControl: IMMUTABLE });
  const html = Buffer.from(
    page(urls['swagger-ui.css'] ?? '', urls['swagger-ui-bundle.js'] ?? '', initUrl, urls['favicon-32x32.png'] ?? ''),
  );
  // The page names the hashed files: it is revalidated, they are not.
  map.set(DOCS_PATH, { type: 'text/html; charset=utf-8', body: html, cacheControl: 'no-cache', csp: DOCS_CSP });
  map.set(OPENAPI_PATH, { type: 'application/json', body: servedDocument(), cacheControl: 'no-cache' });
  return map;
}

/**
 * The API description at `/openapi.json` and its reference page at `/docs` (Swagger UI, from the
 * package), for the server's operator paths: GET and HEAD only, a fixed set of paths, no listing.
 * Returns whether it took the request.
 */
export function makeApiDocs(): (request: IncomingMessage, response: ServerResponse, pathname: string) => boolean {
  const served = assets();
  return (request, response, pathname) => {
    const path = pathname === `${DOCS_PATH}/` ? DOCS_PATH : pathname;
    const asset = served.get(path);
    if (asset === undefined) {
      if (pathname !== DOCS_PATH && !pathname.startsWith(`${DOCS_PATH}/`)) return false;
      drainSmall(request);
      answer(response, request.method, 404, {
        type: 'text/plain; charset=utf-8',
        body: Buffer.from('Not found\n'),
        cacheControl: 'no-store',
      });
      return true;
    }
    drainSmall(request);
    const method = request.method ?? 'GET';
    if (method !== 'GET' && method !== 'HEAD') {
      response.setHeader('Allow', 'GET, HEAD');
      answer(response, method, 405, {
        type: 'text/plain; charset=utf-8',
        body: Buffer.from('Method Not Allowed\n'),
        cacheControl: 'no-store',
      });
      return true;
    }
    answer(response, method, 200, asset);
    return true;
  };
}

function answer(response: ServerResponse, method: string | undefined, status: number, asset: Asset): void {
  response.writeHead(status, {
    ...HEADERS,
    'Content-Type': asset.type,
    'Content-Length': asset.body.length,
    'Cache-Control': asset.cacheControl,
    'Content-Security-Policy': asset.csp ?? "default-src 'none'; frame-ancestors 'none'",
  });
  response.end(method === 'HEAD' ? undefined : asset.body);
}
