/**
 * What makes a credential acceptable, written once for every place that checks one (the server's
 * authenticator, the router's HTTP and gRPC faces): pure functions over the key or session and the user
 * record behind it, so the server and every router agree on the same store state.
 */
import type { ApiKey, User } from './domain/auth.js';
import { roleAtLeast, type Role } from './domain/common.js';
import type { VerifiedSession } from './session-token.js';

/** Why a credential is refused (also the router's auth-failure metric label). */
export type CredentialRefusal = 'revoked' | 'expired' | 'disabled';

/** The user fields the checks read (the store's `User`, or a cached copy of it). */
export type UserState = Pick<User, 'disabled' | 'role' | 'session_epoch' | 'revoked_sessions'>;

/**
 * Why an API key may not be used at `nowMs`, or undefined when it may: revoked, expired (checked on each
 * request), or its owner deleted or disabled (a key never outlives the account that made it).
 */
export function apiKeyRefusal(
  key: ApiKey,
  owner: UserState | undefined,
  nowMs: number,
): CredentialRefusal | undefined {
  if (key.revoked_at) return 'revoked';
  if (key.expires_at && Date.parse(key.expires_at) <= nowMs) return 'expired';
  if (!owner || owner.disabled) return 'disabled';
  return undefined;
}

/** The role a key acts with: its own, never above its owner's current role (a demotion demotes the keys). */
export function apiKeyRole(key: ApiKey, owner: UserState): Role {
  return roleAtLeast(owner.role, key.role) ? key.role : owner.role;
}

/**
 * Why a verified session token is no longer accepted, or undefined when it is: the user is gone or
 * disabled, the user's session epoch moved past the token's (password change, disable, role change,
 * logout everywhere), or this very session was logged out.
 */
export function sessionRefusal(
  s: VerifiedSession,
  user: UserState | undefined,
): CredentialRefusal | undefined {
  if (!user || user.disabled) return 'disabled';
  if (s.epoch !== (user.session_epoch ?? 0)) return 'revoked';
  if (s.jti !== undefined && user.revoked_sessions?.some((r) => r.jti === s.jti)) return 'revoked';
  return undefined;
}

/**
 * The user record after ending sessions: `all` bumps the epoch (every session, everywhere); otherwise the
 * one session `jti` joins the revoked list, pruned of entries that expired anyway. A session without a
 * `jti` (signed by an older build) can only be ended with the epoch. The list is bounded: when full, the
 * epoch is bumped instead (ending more than asked, never less).
 */
export function endSessions<U extends UserState>(
  user: U,
  end: { all: true } | { jti: string | undefined; exp: number },
  nowMs: number,
  maxRevoked = 200,
): U {
  const bump = (): U => ({ ...user, session_epoch: (user.session_epoch ?? 0) + 1, revoked_sessions: [] });
  if ('all' in end || end.jti === undefined) return bump();
  const nowS = Math.floor(nowMs / 1000);
  const kept = (user.revoked_sessions ?? []).filter((r) => r.exp > nowS && r.jti !== end.jti);
  if (kept.length >= maxRevoked) return bump();
  return { ...user, revoked_sessions: [...kept, { jti: end.jti, exp: Math.ceil(end.exp / 1000) }] };
}
