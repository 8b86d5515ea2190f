import { randomBytes } from 'node:crypto';
import { JwtSecretRecord } from '../../core/session-token.js';
import { keys } from '../../core/keys.js';
import { decode, encode } from '../../store/json.js';
import type { Store } from '../../store/types.js';

const SecretRecord = JwtSecretRecord;

/**
 * The JWT signing secret: from the option / NEBULA_JWT_SECRET when given, else generated once and kept at
 * `/meta/jwt-secret` so every server instance (and a restarted one) signs and verifies with the same key.
 * Two instances starting at once race with ifAbsent; the loser reads the winner's secret.
 */
export async function resolveJwtSecret(
  store: Store,
  configured: string | undefined,
  nowMs: number,
): Promise<Uint8Array> {
  if (configured !== undefined && configured !== '') {
    if (configured.length < 32) throw new Error('the JWT secret must be at least 32 characters');
    return new TextEncoder().encode(configured);
  }
  const key = keys.meta('jwt-secret');
  for (let attempt = 0; attempt < 3; attempt++) {
    const kv = await store.get(key);
    if (kv) return Buffer.from(decode(SecretRecord, kv).value.secret, 'base64url');
    const secret = randomBytes(48).toString('base64url');
    try {
      await store.put(key, encode(SecretRecord, { secret, created_at: new Date(nowMs).toISOString() }), {
        ifAbsent: true,
      });
      return Buffer.from(secret, 'base64url');
    } catch {
      // someone else wrote it first: read theirs
    }
  }
  throw new Error('could not establish the JWT secret');
}
