import { randomBytes } from 'node:crypto';
import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import type { Role } from '../../core/domain/common.js';

import {
  DEFAULT_MAX_SESSION_TTL_S,
  JWT_AUDIENCE,
  JWT_ISSUER,
  sessionFromClaims,
  type VerifiedSession,
} from '../../core/session-token.js';

export { JWT_AUDIENCE, JWT_ISSUER };
const ALGORITHMS = ['HS256'];

export type SessionClaims = VerifiedSession;

/**
 * Signs a session token (HS256) with issuer, audience, subject, role, expiry, a random id (`jti`, what a
 * logout revokes) and the user's session epoch (`epc`, what a password change or disable bumps).
 */
export async function signSession(
  secret: Uint8Array,
  claims: { username: string; role: Role; epoch?: number },
  opts: { nowMs: number; ttlSeconds: number },
): Promise<{ token: string; expiresAt: number; jti: string }> {
  const iat = Math.floor(opts.nowMs / 1000);
  const exp = iat + opts.ttlSeconds;
  const jti = randomBytes(16).toString('base64url');
  const token = await new SignJWT({ role: claims.role, epc: claims.epoch ?? 0 })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setSubject(claims.username)
    .setJti(jti)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(secret);
  return { token, expiresAt: exp * 1000, jti };
}

/**
 * Verifies a session token: signature with the allowlisted algorithm only (no `none`, no RS/HS confusion),
 * issuer, audience, then the shared claim checks (expiry, `iat`, a lifetime of at most `maxTtlS` whatever
 * the token says). Returns undefined for anything that does not verify.
 */
export async function verifySession(
  secret: Uint8Array,
  token: string,
  nowMs: number,
  maxTtlS: number = DEFAULT_MAX_SESSION_TTL_S,
): Promise<SessionClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, secret, {
      algorithms: ALGORITHMS,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      currentDate: new Date(nowMs),
      requiredClaims: ['exp', 'sub', 'iat'],
    });
    return sessionFromClaims(payload, nowMs, maxTtlS);
  } catch (err) {
    if (err instanceof joseErrors.JOSEError || err instanceof TypeError) return undefined;
    throw err;
  }
}

/** Cheap shape test: three base64url parts separated by dots. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
