import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.js';
import { ApiKey, User } from '../../core/domain/auth.js';
import { keys, prefixes } from '../../core/keys.js';
import { encode } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import { generateApiKey } from './api-keys.js';
import { hashPassword, randomPassword } from './passwords.js';

export interface BootstrapOptions {
  /** Admin username (default `admin`). */
  username?: string;
  /** Admin password; a random one is generated (and returned once) when absent. */
  password?: string;
  clock?: Clock;
}

export interface BootstrapResult {
  /** True only on the very first start: the admin and its key were created now. */
  created: boolean;
  username: string;
  /** The admin password, returned once when `created` (print it, never store it). */
  password?: string;
  /** An admin API key, returned once when `created` (write it to `<data-dir>/admin.key`). */
  apiKey?: string;
  apiKeyId?: string;
}

const BootstrapMarker = z.object({ username: z.string(), created_at: z.string() });

/**
 * First start: creates an admin user (random password unless given) and an admin API key, and returns
 * both once. Later calls (any server instance, any restart) find the marker and create nothing. The
 * marker, user and key are written in one transaction guarded by the marker's absence, so two servers
 * starting together cannot both bootstrap.
 */
export async function bootstrapAdmin(store: Store, opts: BootstrapOptions = {}): Promise<BootstrapResult> {
  const username = opts.username ?? 'admin';
  const clock = opts.clock ?? systemClock;
  const marker = keys.meta('bootstrap');
  const existing = await store.get(marker);
  if (existing)
    return { created: false, username: BootstrapMarker.parse(JSON.parse(existing.value)).username };
  // A store that already has users (restored from a backup, or created by hand) is not bootstrapped again.
  const anyUser = await store.list(prefixes.users, { limit: 1, keysOnly: true });
  const now = clock.now();
  const iso = new Date(now).toISOString();
  if (anyUser.items.length > 0) {
    await store
      .put(marker, encode(BootstrapMarker, { username, created_at: iso }), { ifAbsent: true })
      .catch(() => undefined);
    return { created: false, username };
  }
  const password = opts.password ?? randomPassword();
  const user = User.parse({
    username,
    password_hash: await hashPassword(password),
    role: 'admin',
    disabled: false,
    created_at: iso,
    updated_at: iso,
    created_by: 'bootstrap',
  });
  const key = generateApiKey({ name: 'bootstrap admin key', role: 'admin', owner: username, nowMs: now });
  const res = await store.txn({
    compare: [
      { key: marker, modRevision: 0 },
      { key: keys.user(username), modRevision: 0 },
    ],
    success: [
      { op: 'put', key: marker, value: encode(BootstrapMarker, { username, created_at: iso }) },
      { op: 'put', key: keys.user(username), value: encode(User, user) },
      { op: 'put', key: keys.apiKey(key.record.id), value: encode(ApiKey, key.record) },
    ],
  });
  if (!res.succeeded) return { created: false, username };
  return { created: true, username, password, apiKey: key.key, apiKeyId: key.record.id };
}

/** Writes the admin API key to `<dataDir>/admin.key` with mode 0600 (owner read/write only). */
export function writeAdminKeyFile(dataDir: string, apiKey: string): string {
  mkdirSync(dataDir, { recursive: true });
  const path = join(dataDir, 'admin.key');
  writeFileSync(path, `${apiKey}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return path;
}
