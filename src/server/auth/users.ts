import type { Clock } from '../../core/clock.js';
import { User } from '../../core/domain/auth.js';
import { keys, prefixes } from '../../core/keys.js';
import { decode, listJson, type Typed } from '../../store/json.js';
import type { Store } from '../../store/types.js';

/**
 * Reads users with a short cache: authentication checks the user behind every JWT (disabled users and
 * role changes take effect without waiting for the token to expire), and the cache keeps that cheap.
 * Writes through this server invalidate the entry at once.
 */
export class UserDirectory {
  private readonly cache = new Map<string, { at: number; user: Typed<User> | undefined }>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly maxAgeMs = 1000,
  ) {}

  async get(username: string, fresh = false): Promise<Typed<User> | undefined> {
    const now = this.clock.now();
    const hit = this.cache.get(username);
    if (!fresh && hit && now - hit.at < this.maxAgeMs) return hit.user;
    const kv = await this.store.get(keys.user(username));
    const user = kv ? decode(User, kv) : undefined;
    if (this.cache.size > 1000) this.cache.clear();
    this.cache.set(username, { at: now, user });
    return user;
  }

  async list(): Promise<Typed<User>[]> {
    return (await listJson(this.store, prefixes.users, User)).items;
  }

  invalidate(username: string): void {
    this.cache.delete(username);
  }
}
