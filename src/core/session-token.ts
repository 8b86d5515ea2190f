/**
 * Nebula login sessions are HS256 JWTs signed by the server (src/server/auth/jwt.ts, with jose). The router
 * accepts them too, so a console user can use the playground with their session. This module holds what both
 * share: issuer/audience, the stored secret's shape, and a synchronous verifier for the router's hot path
 * (jose is async-only; HS256 verification is one HMAC).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { z } from 'zod';
import { Role } from './domain/common.js';

export const JWT_ISSUER = 'nebula';
export const JWT_AUDIENCE = 'nebula-api';

/** `/meta/jwt-secret`: the signing secret when none is configured (base64url, >= 32 bytes). */
export const JwtSecretRecord = z.object({ secret: z.string().min(43), created_at: z.string() });
export type JwtSecretRecord = z.infer<typeof JwtSecretRecord>;

export interface VerifiedSession {
  username: string;
  role: Role;
  expiresAt: number;
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
 * time, issuer, audience, `sub`, `iat`, `exp` (with `nowMs`), and a known role. Undefined when anything fails.
 */
export function verifySessionTokenSync(secret: Uint8Array, token: string, nowMs: number): VerifiedSession | undefined {
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
  const { iss, sub, exp, iat, role } = claims;
  if (iss !== JWT_ISSUER || !audOk || typeof sub !== 'string' || typeof exp !== 'number' || typeof iat !== 'number') {
    return undefined;
  }
  if (exp * 1000 <= nowMs) return undefined;
  const r = Role.safeParse(role);
  if (!r.success) return undefined;
  return { username: sub, role: r.data, expiresAt: exp * 1000 };
}
