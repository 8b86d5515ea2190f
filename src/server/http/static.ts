import type { MiddlewareHandler } from 'hono';
import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import type { ServerEnv } from './env.js';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.woff': 'font/woff',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json',
};

export const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Nebula</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 640px; margin: 48px auto; color: #1c2430">
<h1>Nebula</h1><p>The web console was not built. The control API is running:
see <a href="/api/docs">/api/docs</a> for the API, or build the console (<code>npm run build -w web</code>).</p></body></html>`;

/**
 * Serves the web console from `webDir` at `/` (GET and HEAD only, never under /api): files by path
 * (confined to the directory), hashed assets cached for a year, and any other path answered with
 * index.html so client-side routes work. Without a build, a plain page says so.
 */
export function serveConsole(webDir: string): MiddlewareHandler<ServerEnv> {
  const root = resolve(webDir);
  return async (c, next) => {
    if (
      (c.req.method !== 'GET' && c.req.method !== 'HEAD') ||
      c.req.path.startsWith('/api/') ||
      c.req.path === '/api'
    )
      return next();
    const index = join(root, 'index.html');
    if (!existsSync(index)) return c.html(NOT_BUILT_PAGE, 200);
    let rel: string;
    try {
      rel = decodeURIComponent(c.req.path);
    } catch {
      return c.text('bad path', 400);
    }
    const file = normalize(join(root, rel));
    const inside = file === root || file.startsWith(root + sep);
    if (inside && !rel.includes('\0') && existsSync(file) && statSync(file).isFile()) {
      const body = await readFile(file);
      const immutable = /\/assets\//.test(rel);
      return c.body(body, 200, {
        'content-type': TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream',
        'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
      });
    }
    // SPA fallback: paths that look like files but are missing are 404s; routes get index.html.
    if (extname(rel) !== '' && extname(rel) !== '.html') return c.text('not found', 404);
    return c.body(await readFile(index), 200, {
      'content-type': TYPES['.html'] ?? 'text/html',
      'cache-control': 'no-cache',
    });
  };
}
