import { systemClock, type Clock } from '../core/clock.js';
import type { Store } from './types.js';

/**
 * Leases used as retention timers (audit and events): keys written within one rotation window share a
 * lease whose TTL is the retention, so the store deletes them by itself when they are old enough.
 * Nobody keeps these leases alive; a new one is granted per window so old windows expire on time.
 */
export class RetentionLeases {
  private current: { id: string; grantedAt: number } | undefined;
  private pending: Promise<string> | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly store: Store,
    private readonly retentionSeconds: number,
    private readonly windowSeconds = Math.max(60, Math.min(3600, Math.floor(retentionSeconds / 24))),
    clock?: Clock,
  ) {
    this.clock = clock ?? systemClock;
  }

  /** The lease to bind a key written now to. */
  async leaseId(): Promise<string> {
    const now = this.clock.now();
    if (this.current && now - this.current.grantedAt < this.windowSeconds * 1000) return this.current.id;
    if (!this.pending) {
      this.pending = this.store
        .grantLease(this.retentionSeconds + this.windowSeconds)
        .then((id) => {
          this.current = { id, grantedAt: now };
          return id;
        })
        .finally(() => {
          this.pending = undefined;
        });
    }
    return this.pending;
  }
}
