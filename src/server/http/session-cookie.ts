/**
 * The console's session: the login JWT in an HttpOnly, SameSite=Strict cookie (Secure over https), so
 * page scripts never hold it, plus a CSRF token for writes. The CSRF token is an HMAC of the session
 * token under the signing secret (a signed double-submit token): it sits in a readable cookie, the
 * console echoes it in `X-Nebula-CSRF` on every request, and the server recomputes it from the session
 * cookie. Another site can neither read it nor make a browser send the header; a cookie planted by a
 * sibling host does not match a session it does not know. Bearer tokens (API keys, CLI sessions) are
 * untouched: browsers never send them on their own.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { ApiError } from '../errors.js';
import type { ServerEnv } from './env.js';

export const SESSION_COOKIE = 'nebula_session';
export const CSRF_COOKIE = 'nebula_csrf';
export const CSRF_HEADER = 'x-nebula-csrf';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The CSRF token that belongs to a session token. */
export function csrfFor(secret: Uint8Array, sessionToken: string): string {
  return createHmac('sha256', secret).update(`nebula-csrf\u0000${sessionToken}`).digest('base64url');
}

/** https as the browser sees it (X-Forwarded-Proto only behind a trusted proxy). */
function isHttps(c: Context<ServerEnv>, trustProxy: boolean): boolean {
  if (trustProxy && c.req.header('x-forwarded-proto')?.split(',')[0]?.trim() === 'https') return true;
  return new URL(c.req.url).protocol === 'https:';
}

/** Sets the session and CSRF cookies after a login. */
export function setSessionCookies(
  c: Context<ServerEnv>,
  opts: { token: string; secret: Uint8Array; maxAgeS: number; trustProxy: boolean },
): void {
  const secure = isHttps(c, opts.trustProxy);
  const common = {
    path: '/',
    sameSite: 'Strict' as const,
    secure,
    maxAge: Math.max(0, Math.floor(opts.maxAgeS)),
  };
  setCookie(c, SESSION_COOKIE, opts.token, { ...common, path: '/api', httpOnly: true });
  // Readable by the console's script (it echoes it in X-Nebula-CSRF); path / so every page sees it.
  setCookie(c, CSRF_COOKIE, csrfFor(opts.secret, opts.token), common);
}

/** Removes both cookies (logout, or a session the server refused). */
export function clearSessionCookies(c: Context<ServerEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/api' });
  deleteCookie(c, CSRF_COOKIE, { path: '/' });
}

/** The session token from the cookie, if any. */
export function sessionFromCookie(c: Context<ServerEnv>): string | undefined {
  const v = getCookie(c, SESSION_COOKIE);
  return v === undefined || v === '' ? undefined : v;
}

/** Writes authenticated by the cookie need the matching CSRF header (403 CSRF_FAILED otherwise). */
export function checkCsrf(c: Context<ServerEnv>, secret: Uint8Array, sessionToken: string): void {
  if (SAFE_METHODS.has(c.req.method)) return;
  const given = Buffer.from(c.req.header(CSRF_HEADER) ?? '', 'utf8');
  const want = Buffer.from(csrfFor(secret, sessionToken), 'utf8');
  if (given.length !== want.length || !timingSafeEqual(given, want)) {
    throw new ApiError(
      403,
      'CSRF_FAILED',
      `a write with the session cookie needs the ${CSRF_HEADER} header (the value of the ${CSRF_COOKIE} cookie)`,
    );
  }
}
