import { describe, expect, it } from 'vitest';
import { apiKeyRefusal, apiKeyRole, endSessions, sessionRefusal, type UserState } from './credentials.js';
import type { ApiKey } from './domain/auth.js';
import type { VerifiedSession } from './session-token.js';

const now = Date.parse('2026-06-01T00:00:00Z');
const key = (extra: Partial<ApiKey> = {}): ApiKey => ({
  id: 'k1abcdef',
  name: 'ci',
  prefix: 'nbk_abcd',
  key_hash: 'a'.repeat(64),
  role: 'operator',
  owner: 'alice',
  created_at: '2026-01-01T00:00:00.000Z',
  expires_at: null,
  revoked_at: null,
  ...extra,
});
const alice: UserState = { disabled: false, role: 'operator' };
const session = (extra: Partial<VerifiedSession> = {}): VerifiedSession => ({
  username: 'alice',
  role: 'operator',
  expiresAt: now + 3600_000,
  issuedAt: now,
  jti: 'j1',
  epoch: 0,
  ...extra,
});

describe('apiKeyRefusal', () => {
  it('refuses revoked, expired and ownerless keys, and keys of disabled owners', () => {
    expect(apiKeyRefusal(key(), alice, now)).toBeUndefined();
    expect(apiKeyRefusal(key({ revoked_at: '2026-05-01T00:00:00Z' }), alice, now)).toBe('revoked');
    expect(apiKeyRefusal(key({ expires_at: '2026-06-01T00:00:00Z' }), alice, now)).toBe('expired');
    expect(apiKeyRefusal(key({ expires_at: '2026-06-01T00:00:01Z' }), alice, now)).toBeUndefined();
    expect(apiKeyRefusal(key(), undefined, now)).toBe('disabled');
    expect(apiKeyRefusal(key(), { ...alice, disabled: true }, now)).toBe('disabled');
  });
  it('never lets a key act above its owner', () => {
    expect(apiKeyRole(key({ role: 'admin' }), alice)).toBe('operator');
    expect(apiKeyRole(key({ role: 'viewer' }), alice)).toBe('viewer');
  });
});

describe('sessions', () => {
  it('refuses sessions of missing or disabled users, of an old epoch, or logged out', () => {
    expect(sessionRefusal(session(), alice)).toBeUndefined();
    expect(sessionRefusal(session(), undefined)).toBe('disabled');
    expect(sessionRefusal(session(), { ...alice, disabled: true })).toBe('disabled');
    expect(sessionRefusal(session(), { ...alice, session_epoch: 1 })).toBe('revoked');
    expect(sessionRefusal(session({ epoch: 1 }), { ...alice, session_epoch: 1 })).toBeUndefined();
    expect(sessionRefusal(session(), { ...alice, revoked_sessions: [{ jti: 'j1', exp: 0 }] })).toBe(
      'revoked',
    );
    expect(
      sessionRefusal(session({ jti: 'j2' }), { ...alice, revoked_sessions: [{ jti: 'j1', exp: 0 }] }),
    ).toBeUndefined();
  });
  it('ends one session by id, all by the epoch, and prunes what expired anyway', () => {
    const one = endSessions(alice, { jti: 'j1', exp: now + 60_000 }, now);
    expect(sessionRefusal(session(), one)).toBe('revoked');
    expect(sessionRefusal(session({ jti: 'j2' }), one)).toBeUndefined();
    const later = endSessions(one, { jti: 'j2', exp: now + 120_000 }, now + 61_000);
    expect(later.revoked_sessions).toEqual([{ jti: 'j2', exp: (now + 120_000) / 1000 }]);
    const all = endSessions(later, { all: true }, now);
    expect(all.session_epoch).toBe(1);
    expect(all.revoked_sessions).toEqual([]);
    expect(sessionRefusal(session({ jti: 'j9' }), all)).toBe('revoked');
    // A token without an id can only be ended with the epoch; a full list bumps it too.
    expect(endSessions(alice, { jti: undefined, exp: now }, now).session_epoch).toBe(1);
    expect(endSessions(one, { jti: 'j3', exp: now + 60_000 }, now, 1).session_epoch).toBe(1);
  });
});
