import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { signSession, verifySession } from '../server/auth/jwt.js';
import { verifySessionTokenSync } from './session-token.js';

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
    expect(verifySessionTokenSync(secret, token, now)).toEqual({ username: 'alice', role: 'operator', expiresAt: now + 60_000 });
    expect(await verifySession(secret, token, now)).toEqual({ username: 'alice', role: 'operator', expiresAt: now + 60_000 });
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
