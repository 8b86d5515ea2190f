import type { Clock } from '../../core/clock.js';
import { ApiKey } from '../../core/domain/auth.js';
import { parseKey, prefixes } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { Informer } from '../../store/informer.js';
import type { Store } from '../../store/types.js';

/**
 * API keys from the store (`/auth/api_keys/`), indexed by the sha256 of their secret. The prefix is watched
 * (an informer), so a revoked or deleted key stops working as soon as the store tells us (well within 5 s).
 */
export class StoreKeys {
  private byHash = new Map<string, ApiKey>();
  private readonly informer: Informer<ApiKey>;

  constructor(store: Store, opts: { logger?: Logger | undefined; clock?: Clock | undefined }) {
    this.informer = new Informer<ApiKey>({
      store,
      prefix: prefixes.apiKeys,
      schema: ApiKey,
      keyFilter: (k) => parseKey(k)?.kind === 'apiKey',
      name: 'router-api-keys',
      onChange: () => this.rebuild(),
      onInvalid: (e) =>
        opts.logger?.warn({ key: e.key, reason: e.reason }, 'invalid api key record; ignored'),
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

  /** The key record whose secret hashes to `hash`, revoked or not (the caller checks validity). */
  lookup(hash: string): ApiKey | undefined {
    return this.byHash.get(hash);
  }

  get size(): number {
    return this.byHash.size;
  }

  private rebuild(): void {
    const next = new Map<string, ApiKey>();
    for (const item of this.informer.list()) next.set(item.value.key_hash, item.value);
    this.byHash = next;
  }
}
