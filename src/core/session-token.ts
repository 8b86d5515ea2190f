/**
 * Nebula login sessions are HS256 JWTs signed by the server (src/server/auth/jwt.ts, with jose). The router
 * accepts them too, so a console user can use the playground with their session. This module holds what both
 * share: issuer/audience, the stored secret's shape, and a synchronous verifier for the router's hot path
 * (jose is async-only; HS256 verification is one HMAC).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Role } from './domain/common.js';
import { durationMs } from './duration.js';
import { ConfigError } from './errors.js';

export const JWT_ISSUER = 'nebula';
export const JWT_AUDIENCE = 'nebula-api';

/** `/meta/jwt-secret`: the signing secret when none is configured (base64url, >= 32 bytes). */
export const JwtSecretRecord = z.object({ secret: z.string().min(43), created_at: z.string() });
export type JwtSecretRecord = z.infer<typeof JwtSecretRecord>;

/** Longest session a verifier accepts, whatever the token says (`exp - iat`), unless configured otherwise. */
export const DEFAULT_MAX_SESSION_TTL_S = 12 * 3600;
/**
 * NEBULA_MAX_SESSION_TTL in seconds (a duration such as `12h` or `7d`, or a bare number of seconds; whole
 * seconds, 60 s to 30 days), else the default; anything else is refused.
 */
export function maxSessionTtlFromEnv(env: NodeJS.ProcessEnv): number {
  const raw = env['NEBULA_MAX_SESSION_TTL'];
  if (raw === undefined || raw === '') return DEFAULT_MAX_SESSION_TTL_S;
  const ms = durationMs(raw);
  if (ms === undefined || ms % 1000 !== 0 || ms < 60_000 || ms > 30 * 86_400_000) {
    throw new ConfigError(
      `NEBULA_MAX_SESSION_TTL must be whole seconds between 60 and 2592000 (or a duration: 12h, 7d), got "${raw}"`,
    );
  }
  return ms / 1000;
}

/** Tolerated clock skew for `iat` in the future (a token "issued" later than that is refused). */
const IAT_SKEW_S = 60;

export interface VerifiedSession {
  username: string;
  role: Role;
  expiresAt: number;
  /** Issue time (epoch ms). */
  issuedAt: number;
  /** The session's id (absent on tokens signed before sessions had one). */
  jti: string | undefined;
  /** The user's session epoch when it was issued (0 on older tokens). */
  epoch: number;
}

/**
 * The claim checks every verifier applies once the signature, issuer and audience are good (one home for
 * the server's jose path and the router's synchronous one): `sub`, `iat`, `exp` present, not expired,
 * not issued in the future, and a lifetime `exp - iat` of at most `maxTtlS` whatever the token asks for
 * (a token minted with a stolen secret or an old build cannot outlive the operator's maximum).
 */
export function sessionFromClaims(
  claims: Record<string, unknown>,
  nowMs: number,
  maxTtlS: number = DEFAULT_MAX_SESSION_TTL_S,
): VerifiedSession | undefined {
  const { sub, exp, iat, role, jti, epc } = claims;
  if (typeof sub !== 'string' || typeof exp !== 'number' || typeof iat !== 'number') return undefined;
  if (!Number.isFinite(exp) || !Number.isFinite(iat)) return undefined;
  if (exp * 1000 <= nowMs) return undefined;
  if (iat * 1000 > nowMs + IAT_SKEW_S * 1000) return undefined;
  if (exp - iat > maxTtlS || exp <= iat) return undefined;
  if (jti !== undefined && (typeof jti !== 'string' || jti.length === 0 || jti.length > 64)) return undefined;
  if (epc !== undefined && (typeof epc !== 'number' || !Number.isInteger(epc) || epc < 0)) return undefined;
  const r = Role.safeParse(role);
  if (!r.success) return undefined;
  return {
    username: sub,
    role: r.data,
    expiresAt: exp * 1000,
    issuedAt: iat * 1000,
    jti: jti,
    epoch: epc ?? 0,
  };
}

const JWT_SHAPE = /^([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/;

function json(part: string): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a session token: header exactly HS256 (no `none`, no algorithm confusion), signature in constant
 * time, issuer, audience, then `sessionFromClaims` (lifetime, expiry, role). Undefined when anything fails.
 */
export function verifySessionTokenSync(
  secret: Uint8Array,
  token: string,
  nowMs: number,
  maxTtlS: number = DEFAULT_MAX_SESSION_TTL_S,
): VerifiedSession | undefined {
  const m = JWT_SHAPE.exec(token);
  if (!m) return undefined;
  const [, h, p, s] = m as unknown as [string, string, string, string];
  const header = json(h);
  if (!header || header['alg'] !== 'HS256' || (header['typ'] !== undefined && header['typ'] !== 'JWT')) return undefined;
  if (header['crit'] !== undefined) return undefined;
  const expected = createHmac('sha256', secret).update(`${h}.${p}`).digest();
  const given = Buffer.from(s, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const claims = json(p);
  if (!claims) return undefined;
  const aud = claims['aud'];
  const audOk = aud === JWT_AUDIENCE || (Array.isArray(aud) && aud.includes(JWT_AUDIENCE));
  if (claims['iss'] !== JWT_ISSUER || !audOk) return undefined;
  return sessionFromClaims(claims, nowMs, maxTtlS);
}
