import type { Clock } from '../../core/clock.js';
import { ApiKey } from '../../core/domain/auth.js';
import { prefixes } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../store/types.js';
import { PrefixMirror } from '../prefix-mirror.js';

/**
 * API keys from the store (`/auth/api_keys/`), indexed by the sha256 of their secret. The prefix is watched,
 * so a revoked or deleted key stops working as soon as the store tells us (well within 5 s).
 */
export class StoreKeys {
  private byHash = new Map<string, ApiKey>();
  private readonly mirror: PrefixMirror;

  constructor(
    store: Store,
    opts: { logger?: Logger | undefined; clock?: Clock | undefined; onChange?: () => void },
  ) {
    this.mirror = new PrefixMirror(store, prefixes.apiKeys, {
      logger: opts.logger,
      clock: opts.clock,
      onChange: () => {
        this.rebuild(opts.logger);
        opts.onChange?.();
      },
    });
  }

  start(): Promise<void> {
    return this.mirror.start();
  }

  stop(): Promise<void> {
    return this.mirror.stop();
  }

  /** The key record whose secret hashes to `hash`, revoked or not (the caller checks validity). */
  lookup(hash: string): ApiKey | undefined {
    return this.byHash.get(hash);
  }

  get size(): number {
    return this.byHash.size;
  }

  private rebuild(logger: Logger | undefined): void {
    const next = new Map<string, ApiKey>();
    for (const [key, value] of this.mirror.entries) {
      let raw: unknown;
      try {
        raw = JSON.parse(value);
      } catch {
        logger?.warn({ key }, 'api key record is not JSON; ignored');
        continue;
      }
      const parsed = ApiKey.safeParse(raw);
      if (!parsed.success) {
        logger?.warn({ key, reason: parsed.error.issues[0]?.message }, 'invalid api key record; ignored');
        continue;
      }
      next.set(parsed.data.key_hash, parsed.data);
    }
    this.byHash = next;
  }
}
