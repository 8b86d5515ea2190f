import { createHash } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { DOCS_PAGE } from '../openapi/docs-page.js';
import type { ServerEnv } from './env.js';

/** sha256 CSP source of each inline `<script>` of a page (so the page runs without 'unsafe-inline'). */
export function inlineScriptHashes(html: string): string[] {
  return [...html.matchAll(/<script>([\s\S]*?)<\/script>/g)].map(
    (m) =>
      `'sha256-${createHash('sha256')
        .update(m[1] ?? '', 'utf8')
        .digest('base64')}'`,
  );
}

/**
 * The console's policy. Scripts: our own files only (the Vite build emits a module script by URL, no
 * inline script). Styles need 'unsafe-inline': Mantine injects `<style>` elements at run time (its CSS
 * variables and component styles) and supports no hash for content it generates per theme; a nonce would
 * need the server to rewrite index.html per response. Inline styles cannot run code, and with scripts,
 * connections, frames, forms and the base URL locked to this origin the exposure is limited to styling.
 */
export function consolePolicy(extraScripts: readonly string[] = []): string {
  return [
    "default-src 'self'",
    `script-src 'self'${extraScripts.map((s) => ` ${s}`).join('')}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/** API answers are data, never documents to render: nothing may load, and nobody may frame them. */
export const API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const DOCS_POLICY = consolePolicy(inlineScriptHashes(DOCS_PAGE));

/**
 * Security headers on every response of the server (console, API, errors): a CSP (strict for the API;
 * the console's above; the docs page with its inline script's hash), no framing (frame-ancestors and the
 * older X-Frame-Options), no MIME sniffing, no Referer leaving the console, and no caching of auth answers.
 */
export function securityHeaders(): MiddlewareHandler<ServerEnv> {
  return async (c, next) => {
    await next();
    const path = c.req.path;
    const isApi = path.startsWith('/api/') && path !== '/api/docs';
    const headers: Record<string, string> = {
      'content-security-policy': path === '/api/docs' ? DOCS_POLICY : isApi ? API_POLICY : consolePolicy(),
      'x-content-type-options': 'nosniff',
      'x-frame-options': 'DENY',
      'referrer-policy': 'no-referrer',
      'cross-origin-opener-policy': 'same-origin',
    };
    if (path.startsWith('/api/v2/auth/')) headers['cache-control'] = 'no-store';
    try {
      for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
    } catch {
      // A response with immutable headers (passed through as is): copy it once.
      c.res = new Response(c.res.body, c.res);
      for (const [k, v] of Object.entries(headers)) c.res.headers.set(k, v);
    }
  };
}
