import type { AuthMethod } from '../../core/domain/audit.js';
import type { Role } from '../../core/domain/common.js';

/** Who is calling: resolved from the bearer token (JWT or API key) by the authenticator. */
export interface Principal {
  /** Username (for API keys: the key's owner). */
  username: string;
  role: Role;
  method: Exclude<AuthMethod, 'anonymous'>;
  /** Set when authenticated by an API key. */
  keyId?: string;
  /** Token expiry (ISO) when known. */
  expiresAt?: string | null;
  /** Set when authenticated by a session: what a logout ends (`jti` absent on tokens of older builds). */
  session?: { jti: string | undefined; expiresAt: number };
}

/** Rate-limit and audit identity of a principal. */
export function principalId(p: Principal): string {
  return p.keyId ? `key:${p.keyId}` : `user:${p.username}`;
}
