import { jwtVerify, SignJWT, errors as joseErrors } from 'jose';
import { Role } from '../../core/domain/common.js';

import { JWT_AUDIENCE, JWT_ISSUER } from '../../core/session-token.js';

export { JWT_AUDIENCE, JWT_ISSUER };
const ALGORITHMS = ['HS256'];

export interface SessionClaims {
  username: string;
  role: Role;
  expiresAt: number;
}

/** Signs a session token (HS256) with issuer, audience, subject, role and expiry. */
export async function signSession(
  secret: Uint8Array,
  claims: { username: string; role: Role },
  opts: { nowMs: number; ttlSeconds: number },
): Promise<{ token: string; expiresAt: number }> {
  const iat = Math.floor(opts.nowMs / 1000);
  const exp = iat + opts.ttlSeconds;
  const token = await new SignJWT({ role: claims.role })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setIssuer(JWT_ISSUER)
    .setAudience(JWT_AUDIENCE)
    .setSubject(claims.username)
    .setIssuedAt(iat)
    .setExpirationTime(exp)
    .sign(secret);
  return { token, expiresAt: exp * 1000 };
}

/**
 * Verifies a session token: signature with the allowlisted algorithm only (no `none`, no RS/HS confusion),
 * issuer, audience and expiry. Returns undefined for anything that does not verify.
 */
export async function verifySession(
  secret: Uint8Array,
  token: string,
  nowMs: number,
): Promise<SessionClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, secret, {
      algorithms: ALGORITHMS,
      issuer: JWT_ISSUER,
      audience: JWT_AUDIENCE,
      currentDate: new Date(nowMs),
      requiredClaims: ['exp', 'sub', 'iat'],
    });
    const role = Role.safeParse(payload['role']);
    if (!role.success || typeof payload.sub !== 'string' || typeof payload.exp !== 'number') return undefined;
    return { username: payload.sub, role: role.data, expiresAt: payload.exp * 1000 };
  } catch (err) {
    if (err instanceof joseErrors.JOSEError || err instanceof TypeError) return undefined;
    throw err;
  }
}

/** Cheap shape test: three base64url parts separated by dots. */
export function looksLikeJwt(token: string): boolean {
  return /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);
}
