import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { JwtSecretRecord } from '../../core/session-token.js';
import { keys, prefixes } from '../../core/keys.js';
import { Informer } from '../../store/informer.js';
import { decode, encode } from '../../store/json.js';
import type { Store } from '../../store/types.js';

const SecretRecord = JwtSecretRecord;
/** Where the generated secret lives: in the store, so every server instance and the routers share it. */
export const JWT_SECRET_KEY = keys.meta('jwt-secret');

const newSecret = (): string => randomBytes(48).toString('base64url');

/**
 * The JWT signing secret: from the option / NEBULA_JWT_SECRET when given, else generated once and kept at
 * `/meta/jwt-secret` so every server instance (and a restarted one) signs and verifies with the same key.
 * Two instances starting at once race with ifAbsent; the loser reads the winner's secret.
 *
 * At rest it is protected as the store is: etcd's own access control, or the embedded store's file (mode
 * 0600 in a 0700 data dir). Backups leave it out unless asked (`--include-secrets`); see src/store/backup.ts.
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
  const key = JWT_SECRET_KEY;
  for (let attempt = 0; attempt < 3; attempt++) {
    const kv = await store.get(key);
    if (kv) return Buffer.from(decode(SecretRecord, kv).value.secret, 'base64url');
    const secret = newSecret();
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

/**
 * Replaces the stored signing secret with a new random one. There is no overlap: every session signed
 * with the old secret is refused as soon as a server or router sees the new one (at once on the server
 * that rotated, within a watch round trip elsewhere). Rotation is what an operator does after a leak,
 * when an old token still working for minutes would defeat the point; users log in again, API keys are
 * not affected. Returns the new secret and when it was created.
 */
export async function rotateJwtSecret(
  store: Store,
  nowMs: number,
): Promise<{ secret: Uint8Array; createdAt: string }> {
  const secret = newSecret();
  const createdAt = new Date(nowMs).toISOString();
  await store.put(JWT_SECRET_KEY, encode(SecretRecord, { secret, created_at: createdAt }));
  return { secret: Buffer.from(secret, 'base64url'), createdAt };
}

/**
 * Follows `/meta/jwt-secret` (a rotation by another server instance, a restore of a backup that had it)
 * and hands each new secret to `onSecret`. A deleted key is ignored: the current secret stays in use.
 */
export function watchJwtSecret(
  store: Store,
  onSecret: (secret: Uint8Array) => void,
  opts: { clock?: Clock; logger?: Logger } = {},
): { start(): Promise<void>; stop(): Promise<void> } {
  let last: string | undefined;
  const apply = () => {
    const rec = informer.get(JWT_SECRET_KEY)?.value;
    if (!rec || rec.secret === last) return;
    last = rec.secret;
    onSecret(Buffer.from(rec.secret, 'base64url'));
  };
  const informer: Informer<JwtSecretRecord> = new Informer<JwtSecretRecord>({
    store,
    prefix: prefixes.meta,
    schema: SecretRecord,
    keyFilter: (k) => k === JWT_SECRET_KEY,
    name: 'server-jwt-secret',
    onChange: apply,
    ...(opts.clock ? { clock: opts.clock } : {}),
    ...(opts.logger ? { logger: opts.logger } : {}),
  });
  return {
    async start() {
      informer.start();
      await informer.ready();
      apply();
    },
    async stop() {
      await informer.stop();
    },
  };
}
