import { createHash } from 'node:crypto';
import type { ApiKey } from '../../core/domain/auth.js';
import { routerErrors, type RouterError } from '../errors.js';
import { ANONYMOUS, toRateLimit, type Principal } from './principal.js';
import type { TokenTable } from './static-tokens.js';

export type AuthFailureReason = 'missing' | 'invalid' | 'expired' | 'revoked';

export type AuthResult =
  { ok: true; principal: Principal } | { ok: false; reason: AuthFailureReason; error: RouterError };

/** Store keys as the authenticator needs them (StoreKeys implements it). */
export interface KeyLookup {
  lookup(hash: string): ApiKey | undefined;
}

/** Login sessions (SessionVerifier implements it). */
export interface SessionLookup {
  verify(token: string, now: number): Principal | undefined;
}

export interface AuthenticatorOptions {
  /** Accept every request as `anonymous` (local use only). */
  noAuth: boolean;
  tokens: TokenTable;
  keys?: KeyLookup | undefined;
  sessions?: SessionLookup | undefined;
}

const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/**
 * Deny by default: a request passes only with `Authorization: Bearer <secret>` whose sha256 matches a static
 * token or a store API key that is neither revoked nor expired. Secrets are never kept, only their hashes.
 */
/** Most secrets whose digest is remembered (see `digestOf`). */
const DIGEST_CACHE_MAX = 4096;

export class Authenticator {
  private tokens: TokenTable;
  private readonly principals = new WeakMap<ApiKey, Principal>();
  /**
   * sha256 of secrets that matched a token or key, so a busy client is not hashed on every request. Only
   * the digest is cached, never a decision: revocation, expiry and removal are checked on every request.
   * Unknown secrets are not remembered, so guessing cannot grow or churn it.
   */
  private readonly digests = new Map<string, string>();

  constructor(private readonly opts: AuthenticatorOptions) {
    this.tokens = opts.tokens;
  }

  /** Swaps the static token table (the file was reloaded). */
  setTokens(tokens: TokenTable): void {
    this.tokens = tokens;
  }

  authenticate(authorization: string | undefined, now: number): AuthResult {
    if (this.opts.noAuth) return { ok: true, principal: ANONYMOUS };
    if (authorization === undefined || authorization === '') {
      return { ok: false, reason: 'missing', error: routerErrors.missingKey() };
    }
    const m = BEARER.exec(authorization);
    if (m === null || m[1] === undefined)
      return { ok: false, reason: 'missing', error: routerErrors.missingKey() };
    const secret = m[1];
    const cached = this.digests.get(secret);
    const hash = cached ?? createHash('sha256').update(secret).digest('hex');
    const token = this.tokens.get(hash);
    if (token !== undefined) {
      if (cached === undefined) this.remember(secret, hash);
      return { ok: true, principal: token };
    }
    const key = this.opts.keys?.lookup(hash);
    if (key !== undefined && cached === undefined) this.remember(secret, hash);
    if (key === undefined) {
      // Not a key: maybe a login session (a JWT has two dots; an API key has none).
      const session = secret.includes('.') ? this.opts.sessions?.verify(secret, now) : undefined;
      if (session !== undefined) return { ok: true, principal: session };
      return { ok: false, reason: 'invalid', error: routerErrors.invalidKey() };
    }
    if (key.revoked_at !== null) return { ok: false, reason: 'revoked', error: routerErrors.revokedKey() };
    if (key.expires_at !== null && Date.parse(key.expires_at) <= now) {
      return { ok: false, reason: 'expired', error: routerErrors.expiredKey() };
    }
    return { ok: true, principal: this.principalOf(key) };
  }

  private remember(secret: string, hash: string): void {
    if (this.digests.size >= DIGEST_CACHE_MAX) this.digests.clear();
    this.digests.set(secret, hash);
  }

  private principalOf(key: ApiKey): Principal {
    let p = this.principals.get(key);
    if (p === undefined) {
      p = {
        id: `key:${key.id}`,
        name: key.name,
        kind: 'api_key',
        role: key.role,
        rateLimit: key.rate_limit === undefined ? undefined : toRateLimit(key.rate_limit),
      };
      this.principals.set(key, p);
    }
    return p;
  }
}
