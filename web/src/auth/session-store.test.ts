import { afterEach, describe, expect, it, vi } from 'vitest';
import { SessionStore, type Session } from './session-store.ts';

function memory(initial?: string) {
  const m = new Map<string, string>();
  if (initial) m.set('nebula.session', initial);
  return {
    m,
    storage: {
      getItem: (k: string) => m.get(k) ?? null,
      setItem: (k: string, v: string) => void m.set(k, v),
      removeItem: (k: string) => void m.delete(k),
    },
  };
}
const session = (expiresInMs: number): Session => ({
  username: 'ann',
  role: 'operator',
  expires_at: new Date(Date.now() + expiresInMs).toISOString(),
});

afterEach(() => vi.useRealTimers());

describe('SessionStore', () => {
  it('restores a live session and drops expired or malformed ones', () => {
    expect(new SessionStore(memory(JSON.stringify(session(60_000))).storage).get()?.username).toBe('ann');
    const expired = memory(JSON.stringify(session(-1)));
    expect(new SessionStore(expired.storage).get()).toBeNull();
    expect(expired.m.size).toBe(0);
    expect(new SessionStore(memory('{not json').storage).get()).toBeNull();
    expect(
      new SessionStore(memory(JSON.stringify({ ...session(60_000), role: 'root' })).storage).get(),
    ).toBeNull();
  });

  it('ends the session by itself when the token expires, and says why', () => {
    vi.useFakeTimers();
    const { storage, m } = memory();
    const store = new SessionStore(storage);
    const seen: (Session | null)[] = [];
    store.subscribe(() => seen.push(store.get()));
    store.set(session(5_000));
    expect(m.has('nebula.session')).toBe(true);
    vi.advanceTimersByTime(4_999);
    expect(store.get()).not.toBeNull();
    vi.advanceTimersByTime(2);
    expect(store.get()).toBeNull();
    expect(store.endReason()).toBe('expired');
    expect(m.has('nebula.session')).toBe(false);
    expect(seen).toHaveLength(2);
  });

  it('never stores a token, even when handed one (the session token lives in an HttpOnly cookie)', () => {
    const { storage, m } = memory();
    const store = new SessionStore(storage);
    store.set({ ...session(60_000), token: 'eyJ.secret.x' } as Session);
    expect(m.get('nebula.session')).not.toContain('eyJ');
    expect(store.get()).not.toHaveProperty('token');
  });

  it('drops a session an older console stored with its token', () => {
    const old = memory(JSON.stringify({ ...session(60_000), token: 'eyJ.old.token' }));
    expect(new SessionStore(old.storage).get()).toBeNull();
    expect(old.m.size).toBe(0);
  });

  it('records a logout as such', () => {
    const store = new SessionStore(memory().storage);
    store.set(session(60_000));
    store.clear('logout');
    expect(store.endReason()).toBe('logout');
  });
});
