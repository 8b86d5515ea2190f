import { randomBytes } from 'node:crypto';
import type { Clock } from '../../core/clock.js';
import { API_KEY_PREFIX, ApiKey } from '../../core/domain/auth.js';
import type { Role } from '../../core/domain/common.js';
import { sha256Hex } from '../../core/ids.js';
import { keys, prefixes } from '../../core/keys.js';
import { encode, listJson, type Typed } from '../../store/json.js';
import type { Store } from '../../store/types.js';

/** A new key: the secret (shown once) and the record to store (only its sha256). */
export interface NewApiKey {
  key: string;
  record: ApiKey;
}

/** Builds an API key: `nbk_` + base64url of 24 random bytes; the record keeps its sha256 and a prefix. */
export function generateApiKey(opts: {
  name: string;
  role: Role;
  owner: string;
  nowMs: number;
  expiresInSeconds?: number;
  /** The key's own data-plane rate limit (absent: the router's default). */
  rateLimit?: { rps: number; burst?: number | undefined };
}): NewApiKey {
  const key = API_KEY_PREFIX + randomBytes(24).toString('base64url');
  const record = ApiKey.parse({
    id: randomBytes(8).toString('hex'),
    name: opts.name,
    prefix: key.slice(0, API_KEY_PREFIX.length + 6),
    key_hash: sha256Hex(key),
    role: opts.role,
    owner: opts.owner,
    created_at: new Date(opts.nowMs).toISOString(),
    expires_at: opts.expiresInSeconds
      ? new Date(opts.nowMs + opts.expiresInSeconds * 1000).toISOString()
      : null,
    revoked_at: null,
    ...(opts.rateLimit ? { rate_limit: opts.rateLimit } : {}),
  });
  return { key, record };
}

export async function putApiKey(store: Store, record: ApiKey): Promise<number> {
  const res = await store.put(keys.apiKey(record.id), encode(ApiKey, record), { ifAbsent: true });
  return res.revision;
}

/**
 * Finds API keys by the hash of their secret. The table is re-listed when older than `maxAgeMs` (keys are
 * few), and invalidated at once by this server's own writes, so a revocation here takes effect on the
 * next request and one made through another server within `maxAgeMs`.
 */
export class ApiKeyIndex {
  private byHash = new Map<string, Typed<ApiKey>>();
  private readonly touched = new Map<string, number>();
  private loadedAt = -Infinity;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly maxAgeMs = 1000,
  ) {}

  invalidate(): void {
    this.loadedAt = -Infinity;
  }

  async list(): Promise<Typed<ApiKey>[]> {
    await this.refresh();
    return [...this.byHash.values()];
  }

  async findBySecret(secret: string): Promise<Typed<ApiKey> | undefined> {
    await this.refresh();
    return this.byHash.get(sha256Hex(secret));
  }

  /**
   * Records that a key was used, at most every `everyMs` per key (a write per request would be a write
   * per read). Compared on the key's revision, so it never undoes a revocation; failures are ignored.
   */
  markUsed(k: Typed<ApiKey>, nowMs: number, everyMs = 5 * 60_000): void {
    const last =
      this.touched.get(k.value.id) ?? (k.value.last_used_at ? Date.parse(k.value.last_used_at) : 0);
    if (nowMs - last < everyMs) return;
    this.touched.set(k.value.id, nowMs);
    const next = { ...k.value, last_used_at: new Date(nowMs).toISOString() };
    void this.store
      .txn({
        compare: [{ key: k.key, modRevision: k.modRevision }],
        success: [{ op: 'put', key: k.key, value: encode(ApiKey, next) }],
      })
      .then(() => this.invalidate())
      .catch(() => undefined);
  }

  private async refresh(): Promise<void> {
    if (this.clock.now() - this.loadedAt < this.maxAgeMs) return;
    this.loading ??= (async () => {
      try {
        const started = this.clock.now();
        const res = await listJson(this.store, prefixes.apiKeys, ApiKey);
        this.byHash = new Map(res.items.map((t) => [t.value.key_hash, t]));
        this.loadedAt = started;
      } finally {
        this.loading = undefined;
      }
    })();
    await this.loading;
  }
}
