import type { Clock } from '../../core/clock.js';
import type { UserState } from '../../core/credentials.js';
import { User } from '../../core/domain/auth.js';
import { parseKey, prefixes } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { Informer } from '../../store/informer.js';
import type { Store } from '../../store/types.js';

/** Users as the router's credential checks need them (StoreUsers implements it). */
export interface UserLookup {
  user(username: string): UserState | undefined;
}

/**
 * Users from the store (`/auth/users/`), watched: disabling or deleting a user, or ending their sessions
 * (password change, logout), reaches the router as soon as the store tells us, and both API keys (by their
 * owner) and login sessions are checked against it on every request.
 */
export class StoreUsers implements UserLookup {
  private byName = new Map<string, UserState>();
  private readonly informer: Informer<User>;

  constructor(store: Store, opts: { logger?: Logger | undefined; clock?: Clock | undefined }) {
    this.informer = new Informer<User>({
      store,
      prefix: prefixes.users,
      schema: User,
      keyFilter: (k) => parseKey(k)?.kind === 'user',
      name: 'router-users',
      onChange: () => this.rebuild(),
      onInvalid: (e) => opts.logger?.warn({ key: e.key, reason: e.reason }, 'invalid user record; ignored'),
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    });
  }

  async start(): Promise<void> {
    this.informer.start();
    await this.informer.ready();
    this.rebuild();
  }

  stop(): Promise<void> {
    return this.informer.stop();
  }

  user(username: string): UserState | undefined {
    return this.byName.get(username);
  }

  private rebuild(): void {
    const next = new Map<string, UserState>();
    for (const u of this.informer.list()) next.set(u.value.username, u.value);
    this.byName = next;
  }
}
