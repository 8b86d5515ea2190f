import type { Role } from '../api/types.ts';

/**
 * A logged-in console session: who it belongs to and when it ends. The token itself is not here: the
 * server keeps it in an HttpOnly cookie that page scripts cannot read, so an injected script cannot
 * steal it (and nothing secret sits in localStorage).
 */
export interface Session {
  expires_at: string;
  username: string;
  role: Role;
}

/** Why the session ended, so the login page can say so. */
export type EndReason = 'logout' | 'expired';

const KEY = 'nebula.session';
const ROLES: readonly string[] = ['viewer', 'operator', 'admin'];

function parse(raw: string | null, now: number): Session | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<Session>;
    if (typeof v.username !== 'string' || typeof v.expires_at !== 'string') return null;
    // A session stored by an older console holds its bearer token: drop it (and with it the token) so
    // the next login moves to the cookie.
    if ('token' in v) return null;
    if (typeof v.role !== 'string' || !ROLES.includes(v.role)) return null;
    const exp = Date.parse(v.expires_at);
    if (!Number.isFinite(exp) || exp <= now) return null;
    return { expires_at: v.expires_at, username: v.username, role: v.role };
  } catch {
    return null;
  }
}

/**
 * Who is logged in (never the token), kept in localStorage so a reload stays logged in, with subscribers (React reads it through
 * useSyncExternalStore). An expired or malformed stored session is dropped on read.
 */
export class SessionStore {
  private session: Session | null;
  private reason: EndReason | null = null;
  private readonly listeners = new Set<() => void>();
  private timer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly storage:
      Pick<Storage, 'getItem' | 'setItem' | 'removeItem'> | undefined = globalThis.localStorage,
    private readonly now: () => number = Date.now,
  ) {
    this.session = parse(storage?.getItem(KEY) ?? null, now());
    if (!this.session) storage?.removeItem(KEY);
    this.arm();
  }

  get = (): Session | null => this.session;

  /** Why the last session ended (null while logged in or before any login). */
  endReason = (): EndReason | null => this.reason;

  subscribe = (fn: () => void): (() => void) => {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  };

  set(session: Session): void {
    // Only these three fields, whatever the caller passes (a login response carries the token too).
    this.session = { expires_at: session.expires_at, username: session.username, role: session.role };
    this.reason = null;
    this.storage?.setItem(KEY, JSON.stringify(this.session));
    this.arm();
    this.emit();
  }

  clear(reason: EndReason): void {
    if (!this.session) return;
    this.session = null;
    this.reason = reason;
    this.storage?.removeItem(KEY);
    this.arm();
    this.emit();
  }

  /** Ends the session when its token expires, so the console goes back to login by itself. */
  private arm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.session) return;
    const ms = Date.parse(this.session.expires_at) - this.now();
    // setTimeout overflows past ~24.8 days; a longer token is re-armed by the next set().
    this.timer = setTimeout(() => this.clear('expired'), Math.max(0, Math.min(ms, 2 ** 31 - 1)));
  }

  private emit(): void {
    for (const fn of this.listeners) fn();
  }
}
