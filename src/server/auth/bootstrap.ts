import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { systemClock, type Clock } from '../../core/clock.js';
import { NebulaError } from '../../core/errors.js';
import { ensurePrivateDir, writePrivateFile } from '../../core/private-files.js';
import { ApiKey, User } from '../../core/domain/auth.js';
import { keys, prefixes } from '../../core/keys.js';
import { encode } from '../../store/json.js';
import { ADMIN_KEY_FILE } from '../../store/embedded/data-dir.js';
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

/** `<dataDir>/admin.key`. */
export function adminKeyPath(dataDir: string): string {
  return join(dataDir, ADMIN_KEY_FILE);
}

/**
 * The store holds no cluster (no bootstrap marker, no user) but the data dir has an `admin.key` from one
 * created earlier: the store was lost or replaced. Bootstrapping would mint a new admin over the old key.
 */
export class AdminKeyExistsError extends NebulaError {
  constructor(path: string) {
    super(
      `the store holds no cluster but ${path} belongs to one created earlier (was the store lost or replaced?): restore the store from a backup with \`nebula admin restore\`, or move ${path} away to start a new cluster`,
      'ADMIN_KEY_EXISTS',
      { details: { path } },
    );
  }
}

/** True when the store was bootstrapped (marker) or has users (restored, created by hand). */
export async function hasCluster(store: Store): Promise<boolean> {
  if (await store.get(keys.meta('bootstrap'))) return true;
  return (await store.list(prefixes.users, { limit: 1, keysOnly: true })).items.length > 0;
}

/**
 * Refuses (AdminKeyExistsError) to bootstrap a fresh store into a data dir that already has an admin key,
 * so `admin.key` is never replaced by one of a new cluster.
 */
export async function checkAdminKeyFile(store: Store, dataDir: string): Promise<void> {
  const path = adminKeyPath(dataDir);
  if (existsSync(path) && !(await hasCluster(store))) throw new AdminKeyExistsError(path);
}

/**
 * Writes the admin API key to `<dataDir>/admin.key`, mode 0600 from the first byte (the directory 0700).
 * Never overwrites: an existing file fails with AdminKeyExistsError and stays as it was.
 */
export function writeAdminKeyFile(dataDir: string, apiKey: string): string {
  ensurePrivateDir(dataDir);
  const path = adminKeyPath(dataDir);
  try {
    writePrivateFile(path, `${apiKey}\n`, { exclusive: true });
  } catch (err) {
    if (err instanceof Error && 'code' in err && err.code === 'EEXIST') throw new AdminKeyExistsError(path);
    throw err;
  }
  return path;
}
