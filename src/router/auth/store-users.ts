import type { Clock } from '../../core/clock.js';
import type { UserState } from '../../core/credentials.js';
import { User } from '../../core/domain/auth.js';
import { kindFilter, prefixes } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { IndexedView } from '../../store/indexed-view.js';
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
  private readonly view: IndexedView<User>;

  constructor(store: Store, opts: { logger?: Logger | undefined; clock?: Clock | undefined }) {
    this.view = new IndexedView<User>(store, {
      prefix: prefixes.users,
      schema: User,
      keyFilter: kindFilter('user'),
      indexBy: (u) => u.username,
      name: 'router-users',
      what: 'user record',
      ...opts,
    });
  }

  start(): Promise<void> {
    return this.view.start();
  }

  stop(): Promise<void> {
    return this.view.stop();
  }

  user(username: string): UserState | undefined {
    return this.view.get(username);
  }
}
