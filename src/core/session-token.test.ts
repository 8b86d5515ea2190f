import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signSession, verifySession } from '../server/auth/jwt.js';
import { maxSessionTtlFromEnv, verifySessionTokenSync } from './session-token.js';

const secret = new TextEncoder().encode('x'.repeat(48));
const now = Date.parse('2026-06-01T00:00:00Z');

function forge(header: object, payload: object, key: Uint8Array = secret): string {
  const h = Buffer.from(JSON.stringify(header)).toString('base64url');
  const p = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const s = createHmac('sha256', key).update(`${h}.${p}`).digest('base64url');
  return `${h}.${p}.${s}`;
}

const good = { iss: 'nebula', aud: 'nebula-api', sub: 'alice', role: 'operator', iat: now / 1000, exp: now / 1000 + 60 };

describe('verifySessionTokenSync', () => {
  it('accepts what the server signs, and agrees with the server verifier', async () => {
    const { token } = await signSession(secret, { username: 'alice', role: 'operator' }, { nowMs: now, ttlSeconds: 60 });
    const want = { username: 'alice', role: 'operator', expiresAt: now + 60_000, issuedAt: now, epoch: 0 };
    expect(verifySessionTokenSync(secret, token, now)).toMatchObject(want);
    expect(await verifySession(secret, token, now)).toMatchObject(want);
    // Both verifiers return the same claims, the session id included.
    expect(verifySessionTokenSync(secret, token, now)).toEqual(await verifySession(secret, token, now));
    expect(verifySessionTokenSync(secret, token, now)?.jti).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(verifySessionTokenSync(secret, token, now + 60_000)).toBeUndefined();
  });

  it('refuses forged, foreign and malformed tokens', () => {
    expect(verifySessionTokenSync(secret, forge({ alg: 'HS256', typ: 'JWT' }, good), now)).toBeDefined();
    const cases = [
      forge({ alg: 'none' }, good),
      forge({ alg: 'HS512' }, good),
      forge({ alg: 'HS256' }, good, new TextEncoder().encode('y'.repeat(48))),
      forge({ alg: 'HS256' }, { ...good, iss: 'someone-else' }),
      forge({ alg: 'HS256' }, { ...good, aud: 'other' }),
      forge({ alg: 'HS256' }, { ...good, role: 'root' }),
      forge({ alg: 'HS256' }, { ...good, exp: now / 1000 - 1 }),
      forge({ alg: 'HS256' }, { ...good, sub: undefined }),
      forge({ alg: 'HS256', crit: ['b64'] }, good),
      'nbk_notajwt',
      'a.b',
      `${forge({ alg: 'HS256' }, good)}x`,
    ];
    for (const t of cases) expect(verifySessionTokenSync(secret, t, now)).toBeUndefined();
  });
});

describe('maximum session lifetime', () => {
  it('refuses a token that asks for more than the maximum, whatever it says, in both verifiers', async () => {
    const long = { ...good, exp: now / 1000 + 13 * 3600 };
    expect(verifySessionTokenSync(secret, forge({ alg: 'HS256' }, long), now)).toBeUndefined();
    expect(verifySessionTokenSync(secret, forge({ alg: 'HS256' }, long), now, 14 * 3600)).toBeDefined();
    const { token } = await signSession(secret, { username: 'a', role: 'viewer' }, { nowMs: now, ttlSeconds: 13 * 3600 });
    expect(await verifySession(secret, token, now)).toBeUndefined();
    expect(verifySessionTokenSync(secret, token, now)).toBeUndefined();
    const { token: ok } = await signSession(secret, { username: 'a', role: 'viewer' }, { nowMs: now, ttlSeconds: 3600 });
    expect(await verifySession(secret, ok, now, 3600)).toBeDefined();
    expect(await verifySession(secret, ok, now, 3599)).toBeUndefined();
  });

  it('refuses tokens issued in the future and bad epoch or id claims', () => {
    const cases = [
      { ...good, iat: now / 1000 + 120, exp: now / 1000 + 180 },
      { ...good, exp: good.iat },
      { ...good, epc: -1 },
      { ...good, epc: 1.5 },
      { ...good, jti: '' },
      { ...good, jti: 7 },
    ];
    for (const c of cases) expect(verifySessionTokenSync(secret, forge({ alg: 'HS256' }, c), now)).toBeUndefined();
    expect(verifySessionTokenSync(secret, forge({ alg: 'HS256' }, { ...good, epc: 3, jti: 'abc' }), now)).toMatchObject({
      epoch: 3,
      jti: 'abc',
    });
  });

  it('reads NEBULA_MAX_SESSION_TTL and refuses nonsense', () => {
    expect(maxSessionTtlFromEnv({})).toBe(12 * 3600);
    expect(maxSessionTtlFromEnv({ NEBULA_MAX_SESSION_TTL: '3600' })).toBe(3600);
    expect(maxSessionTtlFromEnv({ NEBULA_MAX_SESSION_TTL: '1h' })).toBe(3600);
    expect(maxSessionTtlFromEnv({ NEBULA_MAX_SESSION_TTL: '7d' })).toBe(7 * 86400);
    expect(maxSessionTtlFromEnv({ NEBULA_MAX_SESSION_TTL: '1h30m' })).toBe(5400);
    for (const bad of ['10', '-5', '99999999', '31d', '90.5', '60500ms', 'soon']) {
      expect(() => maxSessionTtlFromEnv({ NEBULA_MAX_SESSION_TTL: bad })).toThrow(/NEBULA_MAX_SESSION_TTL/);
    }
  });
});
