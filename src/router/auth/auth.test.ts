import { describe, expect, it } from 'vitest';
import type { ApiKey } from '../../core/domain/auth.js';
import { sha256Hex } from '../../core/ids.js';
import { Authenticator } from './authenticator.js';
import { RateLimiter } from './rate-limiter.js';
import { buildTokenTable } from './static-tokens.js';

describe('RateLimiter', () => {
  it('is unlimited without limits, applies the default and per-key overrides', () => {
    expect(new RateLimiter(undefined).check('a', undefined, 0)).toEqual({ ok: true, retryAfterS: 0 });
    const rl = new RateLimiter({ rps: 1, burst: 1 });
    expect(rl.check('a', undefined, 0).ok).toBe(true);
    expect(rl.check('a', undefined, 0)).toEqual({ ok: false, retryAfterS: 1 });
    expect(rl.check('b', undefined, 0).ok).toBe(true);
    const own = { rps: 0.1, burst: 2 };
    expect(rl.check('c', own, 0).ok).toBe(true);
    expect(rl.check('c', own, 0).ok).toBe(true);
    expect(rl.check('c', own, 0)).toEqual({ ok: false, retryAfterS: 10 });
    // A changed limit starts a fresh bucket.
    expect(rl.check('c', { rps: 5, burst: 1 }, 0).ok).toBe(true);
    rl.retain((id) => id !== 'a');
    expect(rl.check('a', undefined, 0).ok).toBe(true);
  });
});

describe('static tokens', () => {
  it('accepts plain and hashed tokens, as a list or under tokens:', () => {
    const hashed = sha256Hex('second-secret-xyz');
    const t = buildTokenTable({
      tokens: [
        { token: 'first-secret-xyz', name: 'a', rate_limit: 3 },
        { sha256: hashed.toUpperCase(), name: 'b', rate_limit: { rps: 1, burst: 4 } },
      ],
    });
    expect(t.get(sha256Hex('first-secret-xyz'))).toMatchObject({
      id: 'token:a',
      rateLimit: { rps: 3, burst: 3 },
    });
    expect(t.get(hashed)).toMatchObject({ id: 'token:b', rateLimit: { rps: 1, burst: 4 } });
    expect(buildTokenTable([{ token: 'abcdefgh', name: 'x' }]).size).toBe(1);
    // The rate grammar the API and the CLI take works here too.
    expect(
      buildTokenTable([{ token: 'abcdefgh', name: 'g', rate_limit: '120/min:burst=5' }]).get(
        sha256Hex('abcdefgh'),
      ),
    ).toMatchObject({ rateLimit: { rps: 2, burst: 5 } });
    expect(() => buildTokenTable([{ token: 'abcdefgh', name: 'g', rate_limit: 'fast' }])).toThrow();
  });

  it('refuses bad entries with a reason', () => {
    expect(() => buildTokenTable([{ token: 'short', name: 'a' }])).toThrow(/at least 8/);
    expect(() => buildTokenTable([{ name: 'a' }])).toThrow(/exactly one/);
    expect(() => buildTokenTable([{ token: 'abcdefgh', sha256: 'a'.repeat(64), name: 'a' }])).toThrow(
      /exactly one/,
    );
    expect(() => buildTokenTable([{ sha256: 'nothex', name: 'a' }])).toThrow(/64 hex/);
    expect(() => buildTokenTable([{ token: 'abcdefgh', name: 'a', extra: 1 }])).toThrow();
    expect(() =>
      buildTokenTable([
        { token: 'abcdefgh', name: 'a' },
        { token: 'abcdefgi', name: 'a' },
      ]),
    ).toThrow(/duplicate/);
    expect(() => buildTokenTable('nope')).toThrow();
  });
});

describe('Authenticator', () => {
  const key = (extra: Partial<ApiKey> = {}): ApiKey => ({
    id: 'k1abcdef',
    name: 'ci',
    prefix: 'nbk_abcd',
    key_hash: sha256Hex('nbk_secret'),
    role: 'operator',
    owner: 'admin',
    created_at: '2026-01-01T00:00:00.000Z',
    expires_at: null,
    revoked_at: null,
    ...extra,
  });
  const make = (k: ApiKey | undefined, noAuth = false) =>
    new Authenticator({
      noAuth,
      tokens: buildTokenTable([{ token: 'static-secret', name: 's' }]),
      keys: { lookup: (h) => (k !== undefined && h === k.key_hash ? k : undefined) },
    });
  const now = Date.parse('2026-06-01T00:00:00Z');

  it('denies by default', () => {
    const a = make(undefined);
    expect(a.authenticate(undefined, now)).toMatchObject({ ok: false, reason: 'missing' });
    expect(a.authenticate('', now)).toMatchObject({ ok: false, reason: 'missing' });
    expect(a.authenticate('Basic abc', now)).toMatchObject({ ok: false, reason: 'missing' });
    expect(a.authenticate('Bearer unknown', now)).toMatchObject({ ok: false, reason: 'invalid' });
    const r = a.authenticate(undefined, now);
    expect(!r.ok && r.error.status).toBe(401);
  });

  it('accepts static tokens and valid store keys (any case of "Bearer")', () => {
    const a = make(key({ rate_limit: { rps: 2 } }));
    expect(a.authenticate('Bearer static-secret', now)).toMatchObject({
      ok: true,
      principal: { id: 'token:s' },
    });
    expect(a.authenticate('bearer   nbk_secret', now)).toMatchObject({
      ok: true,
      principal: { id: 'key:k1abcdef', role: 'operator', rateLimit: { rps: 2, burst: 2 } },
    });
  });

  it('refuses revoked and expired keys', () => {
    expect(
      make(key({ revoked_at: '2026-02-01T00:00:00.000Z' })).authenticate('Bearer nbk_secret', now),
    ).toMatchObject({
      ok: false,
      reason: 'revoked',
    });
    expect(
      make(key({ expires_at: '2026-05-31T23:59:59.000Z' })).authenticate('Bearer nbk_secret', now),
    ).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(
      make(key({ expires_at: '2026-06-02T00:00:00.000Z' })).authenticate('Bearer nbk_secret', now).ok,
    ).toBe(true);
  });

  it('checks revocation, expiry and removal on every request, also for a secret seen before', () => {
    let current: ApiKey | undefined = key();
    const a = new Authenticator({
      noAuth: false,
      tokens: buildTokenTable([{ token: 'static-secret', name: 's' }]),
      keys: { lookup: (h) => (current !== undefined && h === current.key_hash ? current : undefined) },
    });
    expect(a.authenticate('Bearer nbk_secret', now).ok).toBe(true);
    expect(a.authenticate('Bearer nbk_secret', now).ok).toBe(true);
    current = key({ revoked_at: '2026-05-01T00:00:00.000Z' });
    expect(a.authenticate('Bearer nbk_secret', now)).toMatchObject({ ok: false, reason: 'revoked' });
    current = undefined;
    expect(a.authenticate('Bearer nbk_secret', now)).toMatchObject({ ok: false, reason: 'invalid' });
    expect(a.authenticate('Bearer static-secret', now).ok).toBe(true);
    a.setTokens(buildTokenTable([]));
    expect(a.authenticate('Bearer static-secret', now)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('lets everything through with noAuth, and swaps token tables', () => {
    expect(make(undefined, true).authenticate(undefined, now)).toMatchObject({
      ok: true,
      principal: { id: 'anonymous' },
    });
    const a = make(undefined);
    a.setTokens(buildTokenTable([{ token: 'new-secret-1', name: 'n' }]));
    expect(a.authenticate('Bearer static-secret', now).ok).toBe(false);
    expect(a.authenticate('Bearer new-secret-1', now).ok).toBe(true);
  });
});
