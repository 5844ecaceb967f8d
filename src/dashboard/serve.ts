/**
 * The dashboard's static assets, served by the API server under /dashboard/ on its own TLS listener.
 *
 * The assets are public and hold no data: a page, a script and a style sheet. Every piece of data the page shows
 * comes from ordinary API requests the browser makes with the token the user signed in with, so the API server
 * authenticates and authorizes the caller as for kubectl. The bundle is built from src/dashboard/ui (Preact + TSX)
 * by esbuild on the first request (once per process, kept in memory with its gzip and brotli encodings), so it
 * is always the one of the sources at hand and needs no build step: no CDN, no network.
 */
import type * as http from 'node:http';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, gzipSync, constants as zlib } from 'node:zlib';

export const DASHBOARD_PATH = '/dashboard/';

export interface Asset { type: string; body: Buffer; gzip: Buffer; br: Buffer; etag: string }
export interface DashboardBundle { assets: Map<string, Asset>; buildMs: number }

/** The page: no inline script or style (the Content-Security-Policy forbids both). */
const INDEX_HTML = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>kubelite dashboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="app.css">
<script type="module" src="app.js"></script>
</head>
<body>
<div id="app"><noscript>The kubelite dashboard needs JavaScript.</noscript></div>
</body>
</html>
`;

const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; " +
  "base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function asset(type: string, body: Buffer): Asset {
  return {
    type, body,
    gzip: gzipSync(body, { level: 9 }),
    br: brotliCompressSync(body, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: body.length } }),
    etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`,
  };
}

/** Build the bundle (minified ES2022 for current browsers) from src/dashboard/ui/main.tsx. */
export async function buildDashboard(): Promise<DashboardBundle> {
  const started = performance.now();
  const { build } = await import('esbuild');
  const entry = fileURLToPath(new URL('./ui/main.tsx', import.meta.url));
  const r = await build({
    entryPoints: { app: entry }, bundle: true, minify: true, format: 'esm', platform: 'browser', target: 'es2022',
    jsx: 'automatic', jsxImportSource: 'preact', write: false, outdir: '/dashboard', legalComments: 'none',
    logLevel: 'silent', sourcemap: false, define: { 'process.env.NODE_ENV': '"production"' },
  });
  const assets = new Map<string, Asset>();
  assets.set('index.html', asset('text/html; charset=utf-8', Buffer.from(INDEX_HTML)));
  for (const f of r.outputFiles) {
    const name = f.path.replace(/^.*\//, '');
    assets.set(name, asset(name.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8', Buffer.from(f.contents)));
  }
  return { assets, buildMs: performance.now() - started };
}

let bundle: Promise<DashboardBundle> | undefined;
/** The bundle of this process (built once; a failed build is retried on the next request). */
export function dashboardBundle(): Promise<DashboardBundle> {
  bundle ??= buildDashboard().catch((e) => { bundle = undefined; throw e; });
  return bundle;
}

/** Is this request for the dashboard's assets? */
export const isDashboardPath = (path: string): boolean => path === '/dashboard' || path.startsWith(DASHBOARD_PATH);

/** Serve GET/HEAD /dashboard/<asset>. */
export async function serveDashboard(req: http.IncomingMessage, res: http.ServerResponse, path: string, log: (m: string) => void): Promise<void> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': CSP, 'X-Content-Type-Options': 'nosniff', 'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY', 'Cross-Origin-Opener-Policy': 'same-origin', 'Cache-Control': 'no-cache',
  };
  const method = (req.method ?? 'GET').toUpperCase();
  const plain = (code: number, body: string, extra: Record<string, string> = {}) => {
    res.writeHead(code, { ...headers, 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...extra });
    res.end(method === 'HEAD' ? undefined : body);
  };
  if (method !== 'GET' && method !== 'HEAD') return plain(405, 'method not allowed\n', { Allow: 'GET, HEAD' });
  if (path === '/dashboard') return plain(301, `${DASHBOARD_PATH}\n`, { Location: DASHBOARD_PATH });
  const name = path.slice(DASHBOARD_PATH.length) || 'index.html';
  let b: DashboardBundle;
  try { b = await dashboardBundle(); } catch (e) {
    log(`dashboard: the bundle could not be built: ${(e as Error).message}`);
    return plain(500, 'the dashboard could not be built; see the API server log\n');
  }
  const a = b.assets.get(name);
  if (!a) return plain(404, 'not found\n');
  const h: Record<string, string> = { ...headers, 'Content-Type': a.type, ETag: a.etag, Vary: 'Accept-Encoding' };
  if (req.headers['if-none-match'] === a.etag) { res.writeHead(304, h); res.end(); return; }
  const ae = String(req.headers['accept-encoding'] ?? '');
  let body = a.body;
  if (/\bbr\b/.test(ae)) { body = a.br; h['Content-Encoding'] = 'br'; } else if (/\bgzip\b/.test(ae)) { body = a.gzip; h['Content-Encoding'] = 'gzip'; }
  res.writeHead(200, { ...h, 'Content-Length': String(body.length) });
  res.end(method === 'HEAD' ? undefined : body);
}
