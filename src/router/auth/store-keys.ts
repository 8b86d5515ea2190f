import type { Clock } from '../../core/clock.js';
import { ApiKey } from '../../core/domain/auth.js';
import { kindFilter, prefixes } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { IndexedView } from '../../store/indexed-view.js';
import type { Store } from '../../store/types.js';

/**
 * API keys from the store (`/auth/api_keys/`), indexed by the sha256 of their secret. The prefix is watched
 * (an informer), so a revoked or deleted key stops working as soon as the store tells us (well within 5 s).
 */
export class StoreKeys {
  private readonly view: IndexedView<ApiKey>;

  constructor(store: Store, opts: { logger?: Logger | undefined; clock?: Clock | undefined }) {
    this.view = new IndexedView<ApiKey>(store, {
      prefix: prefixes.apiKeys,
      schema: ApiKey,
      keyFilter: kindFilter('apiKey'),
      indexBy: (k) => k.key_hash,
      name: 'router-api-keys',
      what: 'api key record',
      ...opts,
    });
  }

  start(): Promise<void> {
    return this.view.start();
  }

  stop(): Promise<void> {
    return this.view.stop();
  }

  /** The key record whose secret hashes to `hash`, revoked or not (the caller checks validity). */
  lookup(hash: string): ApiKey | undefined {
    return this.view.get(hash);
  }

  get size(): number {
    return this.view.size;
  }
}
