import { createHash } from 'node:crypto';
import { apiKeyRefusal, apiKeyRole, type UserState } from '../../core/credentials.js';
import type { ApiKey } from '../../core/domain/auth.js';
import { routerErrors, type RouterError } from '../errors.js';
import { ANONYMOUS, toRateLimit, type Principal } from './principal.js';
import type { TokenTable } from './static-tokens.js';
import type { UserLookup } from './store-users.js';

export type AuthFailureReason = 'missing' | 'invalid' | 'expired' | 'revoked' | 'disabled';

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
  /**
   * The users behind store keys (StoreUsers): a key of a deleted or disabled owner is refused, and a key
   * acts with at most its owner's role. Always given with `keys` by the router.
   */
  users?: UserLookup | undefined;
  sessions?: SessionLookup | undefined;
}

const BEARER = /^bearer[ \t]+(\S+)[ \t]*$/i;

/** Stands for the owner when no user lookup is wired (unit tests of the key checks alone). */
const OWNER_UNCHECKED: UserState = { disabled: false, role: 'admin' };

/**
 * Deny by default: a request passes only with `Authorization: Bearer <secret>` whose sha256 matches a static
 * token or a store API key that is neither revoked nor expired. Secrets are never kept, only their hashes.
 */
/** Most secrets whose digest is remembered (see `digestOf`). */
const DIGEST_CACHE_MAX = 4096;

export class Authenticator {
  private tokens: TokenTable;
  private readonly principals = new WeakMap<ApiKey, { owner: UserState | undefined; principal: Principal }>();
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
    // The same rule as the server's (revoked, expired per request, owner deleted or disabled).
    const owner = this.opts.users ? this.opts.users.user(key.owner) : OWNER_UNCHECKED;
    const refusal = apiKeyRefusal(key, owner, now);
    if (refusal === 'revoked') return { ok: false, reason: 'revoked', error: routerErrors.revokedKey() };
    if (refusal === 'expired') return { ok: false, reason: 'expired', error: routerErrors.expiredKey() };
    if (refusal === 'disabled' || owner === undefined) {
      return { ok: false, reason: 'disabled', error: routerErrors.disabledOwner() };
    }
    return { ok: true, principal: this.principalOf(key, owner) };
  }

  private remember(secret: string, hash: string): void {
    if (this.digests.size >= DIGEST_CACHE_MAX) this.digests.clear();
    this.digests.set(secret, hash);
  }

  /** One principal per key record and owner record (both are replaced, never mutated, on a change). */
  private principalOf(key: ApiKey, owner: UserState): Principal {
    const hit = this.principals.get(key);
    if (hit !== undefined && hit.owner === owner) return hit.principal;
    const principal: Principal = {
      id: `key:${key.id}`,
      name: key.name,
      kind: 'api_key',
      role: apiKeyRole(key, owner),
      rateLimit: key.rate_limit === undefined ? undefined : toRateLimit(key.rate_limit),
    };
    this.principals.set(key, { owner, principal });
    return principal;
  }
}
