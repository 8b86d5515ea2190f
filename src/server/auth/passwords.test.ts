import { describe, expect, it } from 'vitest';
import { hashPassword, randomPassword, verifyPassword } from './passwords.js';
import { looksLikeJwt, signSession, verifySession } from './jwt.js';

describe('passwords', () => {
  it('hashes with a per-call salt and verifies', async () => {
    const [a, b] = await Promise.all([hashPassword('pw-1234567'), hashPassword('pw-1234567')]);
    expect(a).not.toBe(b);
    expect(await verifyPassword('pw-1234567', a)).toBe(true);
    expect(await verifyPassword('pw-1234568', a)).toBe(false);
  });
  it('never matches malformed or tampered hashes', async () => {
    const h = await hashPassword('x');
    for (const bad of [
      '',
      'plain',
      h.replace('scrypt', 'bcrypt'),
      h.split('$').slice(0, 5).join('$'),
      'scrypt$99999999$8$1$c2FsdHNhbHQ$aGFzaGhhc2hoYXNoaGFzaA',
    ]) {
      expect(await verifyPassword('x', bad), bad).toBe(false);
    }
  });
  it('generates typeable random passwords', () => {
    expect(randomPassword()).toMatch(/^[A-Za-z0-9_-]{20}$/);
    expect(randomPassword()).not.toBe(randomPassword());
  });
});

describe('session JWTs', () => {
  const secret = new TextEncoder().encode('s'.repeat(48));
  it('round-trips and expires', async () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    const { token, expiresAt } = await signSession(
      secret,
      { username: 'u', role: 'operator' },
      { nowMs: now, ttlSeconds: 60 },
    );
    expect(looksLikeJwt(token)).toBe(true);
    expect(expiresAt).toBe(now + 60_000);
    expect(await verifySession(secret, token, now + 1000)).toMatchObject({
      username: 'u',
      role: 'operator',
      expiresAt: now + 60_000,
    });
    expect(await verifySession(secret, token, now + 61_000)).toBeUndefined();
    expect(await verifySession(new TextEncoder().encode('t'.repeat(48)), token, now)).toBeUndefined();
    expect(await verifySession(secret, `${token}x`, now)).toBeUndefined();
  });
});
