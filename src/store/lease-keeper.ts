import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { errorMessage } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { LeaseNotFoundError } from './errors.js';
import type { Store } from './types.js';

export interface LeaseKeeperOptions {
  ttlSeconds: number;
  clock?: Clock;
  logger?: Logger;
  /**
   * Called with a new lease id after the previous lease was lost (expired while we could not reach the
   * store). Keys bound to the old lease are gone: the owner writes them again under the new one.
   */
  onRenewedAfterLoss?: (leaseId: string) => void | Promise<void>;
}

/**
 * Keeps one lease alive: renews at a third of the TTL, and when the lease is found expired grants a new
 * one and tells the owner. Used for node heartbeats, endpoints, component registrations and leadership.
 */
export class LeaseKeeper {
  private leaseId: string | undefined;
  private timer: TimerHandle | undefined;
  private stopped = false;
  private readonly clock: Clock;

  constructor(
    private readonly store: Store,
    private readonly opts: LeaseKeeperOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  /** Grants the lease and starts renewing it. */
  async start(): Promise<string> {
    this.leaseId = await this.store.grantLease(this.opts.ttlSeconds);
    this.schedule();
    return this.leaseId;
  }

  get id(): string {
    if (!this.leaseId) throw new Error('LeaseKeeper not started');
    return this.leaseId;
  }

  private schedule(): void {
    if (this.stopped) return;
    const every = Math.max(200, (this.opts.ttlSeconds * 1000) / 3);
    this.timer = this.clock.setTimeout(() => void this.renew(), every);
  }

  private async renew(): Promise<void> {
    if (this.stopped || !this.leaseId) return;
    try {
      await this.store.keepAliveOnce(this.leaseId);
    } catch (err) {
      if (err instanceof LeaseNotFoundError) {
        try {
          this.leaseId = await this.store.grantLease(this.opts.ttlSeconds);
          this.opts.logger?.warn({ lease: this.leaseId }, 'lease was lost; granted a new one');
          await this.opts.onRenewedAfterLoss?.(this.leaseId);
        } catch (err2) {
          this.opts.logger?.warn({ err: errorMessage(err2) }, 'could not re-grant lease');
        }
      } else {
        this.opts.logger?.warn({ err: errorMessage(err) }, 'lease renewal failed; will retry');
      }
    }
    this.schedule();
  }

  /** Stops renewing; revokes the lease (deleting its keys) unless `revoke` is false. */
  async stop(revoke = true): Promise<void> {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    if (revoke && this.leaseId) {
      await this.store.revokeLease(this.leaseId).catch(() => undefined);
    }
  }
}
