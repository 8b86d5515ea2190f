import type { Clock } from '../../core/clock.js';
import { API_KEY_PREFIX } from '../../core/domain/auth.js';
import { apiKeyRefusal, apiKeyRole, sessionRefusal } from '../../core/credentials.js';
import { ApiError } from '../errors.js';
import type { ApiKeyIndex } from './api-keys.js';
import { looksLikeJwt, verifySession } from './jwt.js';
import type { Principal } from './principal.js';
import type { UserDirectory } from './users.js';

export interface AuthenticatorDeps {
  secret: Uint8Array;
  users: UserDirectory;
  apiKeys: ApiKeyIndex;
  clock: Clock;
  /** Longest session accepted (`exp - iat`, seconds), whatever the token says. */
  maxSessionTtlSeconds?: number;
}

const unauthorized = (message: string) =>
  new ApiError(401, 'UNAUTHORIZED', message, { headers: { 'WWW-Authenticate': 'Bearer' } });

/** Extracts the bearer token; undefined when there is no Authorization header. */
export function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined || header === '') return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m?.[1]) throw unauthorized('the Authorization header must be "Bearer <token>"');
  return m[1];
}

/**
 * Resolves a bearer token to a principal: `nbk_...` is an API key (looked up by its sha256), anything
 * else must be a session JWT whose user still exists, is enabled, and has not ended that session (logout,
 * password change: `sessionRefusal`). The role of a JWT is the user's current role, so demotions apply at
 * once. Throws 401 for every failure, with a reason that does not
 * say whether the user or key exists.
 */
export async function authenticate(token: string, deps: AuthenticatorDeps): Promise<Principal> {
  const now = deps.clock.now();
  if (token.startsWith(API_KEY_PREFIX)) {
    const found = await deps.apiKeys.findBySecret(token);
    const owner = found ? await deps.users.get(found.value.owner) : undefined;
    if (!found || !owner || apiKeyRefusal(found.value, owner.value, now) !== undefined) {
      throw unauthorized('invalid, expired or revoked API key');
    }
    const k = found.value;
    const role = apiKeyRole(k, owner.value);
    deps.apiKeys.markUsed(found, now);
    return { username: k.owner, role, method: 'api_key', keyId: k.id, expiresAt: k.expires_at };
  }
  if (!looksLikeJwt(token)) throw unauthorized('unrecognised token');
  const claims = await verifySession(deps.secret, token, now, deps.maxSessionTtlSeconds);
  if (!claims) throw unauthorized('invalid or expired token');
  const user = await deps.users.get(claims.username);
  if (sessionRefusal(claims, user?.value) !== undefined || !user)
    throw unauthorized('invalid or expired token');
  return {
    username: claims.username,
    role: user.value.role,
    method: 'jwt',
    expiresAt: new Date(claims.expiresAt).toISOString(),
    session: { jti: claims.jti, expiresAt: claims.expiresAt },
  };
}
