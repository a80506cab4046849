import type { IncomingMessage, ServerResponse } from 'node:http';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import type { Logger } from '../logger.js';

/** Where `scripts/setup.sh` builds the admin console (console/ → console/dist, gitignored). */
export const CONSOLE_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../console/dist');

interface StaticFile {
  body: Buffer;
  gzipped: Buffer | null;
  type: string;
  cache: string;
}

// Only what the Vite build emits. Anything else in the folder is not served.
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.css', '.svg']);

// The page talks only to this server; vega-interpreter spares it 'unsafe-eval'. Styles allow
// inline attributes because the chart renderer writes SVG style attributes.
const SECURITY_HEADERS = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob: data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/**
 * Reads the built bundle into memory once, keyed by its URL path. A request is answered by an
 * exact lookup in that map, never by joining its path onto the folder, so no path can reach a
 * file outside the bundle. Hand-written rather than a static-file library for that reason: the
 * set of files is fixed by the build, and the whole bundle is under a few megabytes.
 */
function loadBundle(dir: string): Map<string, StaticFile> | null {
  if (!existsSync(path.join(dir, 'index.html'))) return null;
  const files = new Map<string, StaticFile>();
  const add = (relative: string, cache: string) => {
    const ext = path.extname(relative);
    const type = TYPES[ext];
    const full = path.join(dir, relative);
    if (!type || !statSync(full).isFile()) return;
    const body = readFileSync(full);
    files.set(`/console/${relative.split(path.sep).join('/')}`, { body, gzipped: COMPRESSIBLE.has(ext) ? gzipSync(body) : null, type, cache });
  };
  add('index.html', 'no-cache');
  const assets = path.join(dir, 'assets');
  // Asset names carry a content hash: a new build gets new names, so they never go stale.
  if (existsSync(assets)) for (const name of readdirSync(assets)) add(path.join('assets', name), 'public, max-age=31536000, immutable');
  return files;
}

const NOT_BUILT =
  'The Visage admin console is not built. Run `bash scripts/setup.sh` (it builds console/ into console/dist), then reload this page.\n';

/** GET /console (the single-page app) and /console/assets/* (its hashed bundle). */
export function createConsoleRoute(options: { dir?: string; logger: Logger }) {
  const dir = options.dir ?? CONSOLE_DIST;
  let bundle: Map<string, StaticFile> | null = null;

  return async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain; charset=utf-8' }).end('The console is read with GET.\n');
      return;
    }
    // Until a build exists every request looks again, so building while the server runs works.
    if (!bundle) {
      bundle = loadBundle(dir);
      if (bundle) options.logger.info({ dir, files: bundle.size }, 'admin console loaded');
    }
    if (!bundle) {
      res.writeHead(503, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', 'retry-after': '60' }).end(NOT_BUILT);
      return;
    }
    const file = bundle.get(pathname === '/console' || pathname === '/console/' ? '/console/index.html' : pathname);
    if (!file) {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }).end(`No console file ${pathname}.\n`);
      return;
    }
    const gzip = file.gzipped !== null && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''));
    const body = gzip ? file.gzipped! : file.body;
    res.writeHead(200, {
      'content-type': file.type,
      'content-length': body.length,
      'cache-control': file.cache,
      vary: 'accept-encoding',
      ...(gzip ? { 'content-encoding': 'gzip' } : {}),
      ...SECURITY_HEADERS,
    });
    res.end(req.method === 'HEAD' ? undefined : body);
  };
}
