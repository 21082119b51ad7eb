/**
 * The explorer page's files (docs/explorer.md), served by the node at `GET /` and
 * `GET /explorer/…`: the page (assets/index.html, app.js, style.css) and the two libraries it runs
 * on, preact and htm, read from their npm packages (no CDN: everything comes from the package).
 * Paths resolve from this file up to the package root, so the same code works from `src/` (tsx) and
 * compiled to `dist/`. Files are read once, on first request.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ModexError } from '../core/errors.ts';

export class ExplorerAssetError extends ModexError {
  constructor(message: string) {
    super('EXPLORER_ASSET_MISSING', message);
  }
}

const HERE = dirname(fileURLToPath(import.meta.url));

/** The nearest folder at or above `from` with a package.json. */
export function packageRoot(from = HERE): string {
  for (let d = from; ; d = dirname(d)) {
    if (existsSync(join(d, 'package.json'))) return d;
    if (dirname(d) === d) throw new ExplorerAssetError(`no package.json above ${from}`);
  }
}

/** The page's own files: beside this module, or (compiled to dist/) in the package's src/explorer. */
function assetsDir(): string {
  for (const d of [join(HERE, 'assets'), join(packageRoot(), 'src', 'explorer', 'assets')])
    if (existsSync(join(d, 'index.html'))) return d;
  throw new ExplorerAssetError(`the explorer's assets (index.html) are missing under ${HERE}`);
}

const JS = 'text/javascript; charset=utf-8';

/** URL path → [file, content type, cacheable]. */
function files(): Map<string, [string, string, boolean]> {
  const req = createRequire(import.meta.url);
  const preact = dirname(req.resolve('preact/package.json'));
  const htm = dirname(req.resolve('htm')); // its CommonJS entry, beside the ES module
  const a = assetsDir();
  return new Map([
    ['/', [join(a, 'index.html'), 'text/html; charset=utf-8', false]],
    ['/index.html', [join(a, 'index.html'), 'text/html; charset=utf-8', false]],
    ['/explorer/app.js', [join(a, 'app.js'), JS, false]],
    ['/explorer/style.css', [join(a, 'style.css'), 'text/css; charset=utf-8', false]],
    ['/explorer/vendor/preact.mjs', [join(preact, 'dist', 'preact.mjs'), JS, true]],
    ['/explorer/vendor/hooks.mjs', [join(preact, 'hooks', 'dist', 'hooks.mjs'), JS, true]],
    ['/explorer/vendor/htm.mjs', [join(htm, 'htm.mjs'), JS, true]],
  ]);
}

let table: Map<string, { body: Buffer; type: string; cacheable: boolean }> | undefined;

function load(): NonNullable<typeof table> {
  if (!table) {
    const t = new Map<string, { body: Buffer; type: string; cacheable: boolean }>();
    for (const [path, [file, type, cacheable]] of files()) {
      if (!existsSync(file)) throw new ExplorerAssetError(`explorer file ${file} is missing (npm install?)`);
      t.set(path, { body: readFileSync(file), type, cacheable });
    }
    table = t;
  }
  return table;
}

/**
 * Answers a GET or HEAD for the page and its files; false for any other request (the JSON-RPC
 * server goes on with it). An unknown `/explorer/…` path is a 404.
 */
export function serveExplorer(req: IncomingMessage, res: ServerResponse): boolean {
  if (req.method !== 'GET' && req.method !== 'HEAD') return false;
  const path = (req.url ?? '/').split('?')[0];
  const f = load().get(path);
  if (!f) {
    if (!path.startsWith('/explorer/')) return false;
    res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(`no explorer file ${path}\n`);
    return true;
  }
  res.writeHead(200, {
    'content-type': f.type,
    'content-length': f.body.length,
    'cache-control': f.cacheable ? 'public, max-age=3600' : 'no-cache',
    'x-content-type-options': 'nosniff',
  });
  res.end(req.method === 'HEAD' ? undefined : f.body);
  req.resume();
  return true;
}
