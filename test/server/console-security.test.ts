/**
 * The console's security: headers on every response, the session in an HttpOnly SameSite cookie with a
 * CSRF header for writes, bearer tokens unchanged (regression: no security headers, the session token in
 * localStorage, sent by script).
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { DOCS_PAGE } from '../../src/server/openapi/docs-page.js';
import { makeApp, PASSWORD, useApp } from './helpers.js';

/** name -> { value, attributes } of every Set-Cookie of a response. */
function cookiesOf(res: Response): Map<string, { value: string; attrs: string[] }> {
  const out = new Map<string, { value: string; attrs: string[] }>();
  for (const line of res.headers.getSetCookie()) {
    const [pair = '', ...attrs] = line.split(';').map((s) => s.trim());
    const i = pair.indexOf('=');
    out.set(pair.slice(0, i), { value: pair.slice(i + 1), attrs: attrs.map((a) => a.toLowerCase()) });
  }
  return out;
}

describe('console security', () => {
  const t = useApp();

  it('sends security headers on console pages, API answers, errors and the docs page', async () => {
    for (const [path, token] of [
      ['/', undefined],
      ['/models', undefined],
      ['/api/v2/models', t.tokens.viewer],
      ['/api/v2/models', undefined],
      ['/api/v2/nope', t.tokens.viewer],
      ['/healthz', undefined],
      ['/api/docs', undefined],
    ] as const) {
      const res = await t.call('GET', path, { token });
      const h = res.headers;
      expect(h.get('x-content-type-options'), path).toBe('nosniff');
      expect(h.get('referrer-policy'), path).toBe('no-referrer');
      expect(h.get('x-frame-options'), path).toBe('DENY');
      const csp = h.get('content-security-policy') ?? '';
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(csp, path).not.toContain("'unsafe-eval'");
      expect(/script-src[^;]*'unsafe-inline'/.test(csp), path).toBe(false);
    }
    const api = (await t.call('GET', '/api/v2/models', { token: t.tokens.viewer })).headers;
    expect(api.get('content-security-policy')).toMatch(/^default-src 'none'/);
    const page = (await t.call('GET', '/models')).headers.get('content-security-policy') ?? '';
    expect(page).toContain("script-src 'self'");
    expect(page).toContain("connect-src 'self'");
    // The docs page runs its one inline script by hash, not by 'unsafe-inline'.
    const script = /<script>([\s\S]*?)<\/script>/.exec(DOCS_PAGE)?.[1] ?? '';
    const hash = createHash('sha256').update(script).digest('base64');
    expect((await t.call('GET', '/api/docs')).headers.get('content-security-policy')).toContain(
      `script-src 'self' 'sha256-${hash}'`,
    );
    expect(
      (await t.call('GET', '/api/v2/auth/whoami', { token: t.tokens.viewer })).headers.get('cache-control'),
    ).toBe('no-store');
  });

  it('logs in to an HttpOnly SameSite=Strict cookie; writes with it need the CSRF header; bearer tokens are unchanged', async () => {
    const login = await t.call('POST', '/api/v2/auth/login', {
      body: { username: 'operator', password: PASSWORD },
    });
    expect(login.status).toBe(200);
    const cookies = cookiesOf(login);
    const session = cookies.get('nebula_session');
    const csrf = cookies.get('nebula_csrf');
    expect(session?.value).toMatch(/^ey/);
    expect(session?.attrs).toEqual(expect.arrayContaining(['httponly', 'samesite=strict', 'path=/api']));
    expect(session?.attrs.some((a) => a.startsWith('max-age='))).toBe(true);
    // Plain http here: not Secure (the browser would drop it); over https it is.
    expect(session?.attrs).not.toContain('secure');
    expect(csrf?.attrs).toEqual(expect.arrayContaining(['samesite=strict', 'path=/']));
    expect(csrf?.attrs).not.toContain('httponly');
    const cookie = `nebula_session=${session?.value}; nebula_csrf=${csrf?.value}`;

    const me = await t.call('GET', '/api/v2/auth/whoami', { headers: { cookie } });
    expect(me.status).toBe(200);
    expect((await me.json()).username).toBe('operator');

    const body = { name: 'from the console' };
    const noCsrf = await t.call('POST', '/api/v2/auth/api-keys', { headers: { cookie }, body });
    expect(noCsrf.status).toBe(403);
    expect((await noCsrf.json()).error.code).toBe('CSRF_FAILED');
    const wrong = await t.call('POST', '/api/v2/auth/api-keys', {
      headers: { cookie, 'x-nebula-csrf': 'A'.repeat(43) },
      body,
    });
    expect(wrong.status).toBe(403);
    const ok = await t.call('POST', '/api/v2/auth/api-keys', {
      headers: { cookie, 'x-nebula-csrf': csrf?.value ?? '' },
      body,
    });
    expect(ok.status).toBe(201);
    // A bearer token needs no CSRF header, cookie or not.
    const bearer = await t.call('POST', '/api/v2/auth/api-keys', { token: t.tokens.operator, body });
    expect(bearer.status).toBe(201);

    // Over https (behind a trusted proxy) the cookies are Secure.
    const proxied = await makeApp({ trustProxy: true }, { store: t.store });
    try {
      const viaTls = await proxied.call('POST', '/api/v2/auth/login', {
        body: { username: 'operator', password: PASSWORD },
        headers: { 'x-forwarded-proto': 'https' },
      });
      const tls = cookiesOf(viaTls);
      expect(tls.get('nebula_session')?.attrs).toContain('secure');
      expect(tls.get('nebula_csrf')?.attrs).toContain('secure');
    } finally {
      await proxied.app.context.views.stop();
    }

    // Logout (a write: CSRF needed) clears the cookies and ends the session for good.
    expect((await t.call('POST', '/api/v2/auth/logout', { headers: { cookie } })).status).toBe(403);
    const out = await t.call('POST', '/api/v2/auth/logout', {
      headers: { cookie, 'x-nebula-csrf': csrf?.value ?? '' },
    });
    expect(out.status).toBe(200);
    const cleared = cookiesOf(out);
    expect(cleared.get('nebula_session')?.value).toBe('');
    expect(cleared.get('nebula_session')?.attrs).toContain('max-age=0');
    expect(cleared.get('nebula_csrf')?.attrs).toContain('max-age=0');
    expect((await t.call('GET', '/api/v2/auth/whoami', { headers: { cookie } })).status).toBe(401);
  });
});
