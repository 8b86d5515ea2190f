/**
 * Leader election on a lease: the leader key is created only if absent and bound to the candidate's
 * lease, so it vanishes when the leader stops renewing. Followers watch the key (and check it every few
 * seconds as a safety net) and campaign when it is gone. A lease is not a lock: every write of the
 * leader is fenced with `fence()` (the leader key still has the revision we created it with).
 */
import { every, systemClock, type Clock, type Ticker } from '../core/clock.js';
import { LeaderRecord } from '../core/domain/state.js';
import { errorMessage } from '../core/errors.js';
import { keys } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import { encode } from '../store/json.js';
import type { Store, TxnCompare, Watcher } from '../store/types.js';

export interface LeaderElectorOptions {
  name: string;
  instanceId: string;
  /** Lease the leader key is bound to (kept alive by the caller). */
  leaseId: () => string;
  /** How often to check the key when the watch is quiet. */
  checkEveryMs: number;
  clock?: Clock;
  logger?: Logger;
  onElected: () => void;
  onDeposed: (why: string) => void;
}

export class LeaderElector {
  readonly key: string;
  private leaderRevision: number | undefined;
  private watcher: Watcher | undefined;
  private ticker: Ticker | undefined;
  private stopped = false;
  private busy: Promise<void> | undefined;
  private readonly clock: Clock;

  constructor(
    private readonly store: Store,
    private readonly opts: LeaderElectorOptions,
  ) {
    this.key = keys.leader(opts.name);
    this.clock = opts.clock ?? systemClock;
  }

  get isLeader(): boolean {
    return this.leaderRevision !== undefined;
  }

  /** Compare that holds only while we are still the leader (add it to every txn). */
  fence(): TxnCompare {
    if (this.leaderRevision === undefined) throw new Error('not the leader');
    return { key: this.key, modRevision: this.leaderRevision };
  }

  async start(): Promise<void> {
    this.watcher = await this.store.watch(this.key, {
      onEvents: (events) => {
        if (events.some((e) => e.key === this.key && e.type === 'delete')) this.check();
      },
      onError: (err) => {
        this.opts.logger?.warn({ err: errorMessage(err) }, 'leader watch ended; relying on periodic checks');
      },
    });
    await this.runCheck();
    if (!this.stopped) this.ticker = every(this.clock, this.opts.checkEveryMs, () => this.check());
  }

  /** Checks the key now (after a lease loss, a failed fenced write, or a watch event). */
  check(): void {
    if (this.stopped || this.busy) return;
    this.busy = this.runCheck().finally(() => (this.busy = undefined));
  }

  /** Gives up leadership (deletes the key if it is still ours) and stops campaigning. */
  async stop(resign: boolean): Promise<void> {
    this.stopped = true;
    this.ticker?.stop();
    await this.busy;
    await this.watcher?.close().catch(() => undefined);
    if (resign && this.leaderRevision !== undefined) {
      await this.store.delete(this.key, { ifModRevision: this.leaderRevision }).catch(() => undefined);
    }
    this.leaderRevision = undefined;
  }

  private async runCheck(): Promise<void> {
    try {
      const kv = await this.store.get(this.key);
      if (this.stopped) return;
      if (this.leaderRevision !== undefined) {
        if (!kv || kv.modRevision !== this.leaderRevision)
          this.depose(kv ? 'another instance holds the leader key' : 'leader key vanished (lease lost)');
        else return;
      }
      if (kv) return; // someone else leads
      await this.campaign();
    } catch (err) {
      this.opts.logger?.warn({ err: errorMessage(err) }, 'leader check failed; will retry');
    }
  }

  private async campaign(): Promise<void> {
    const record: LeaderRecord = {
      holder: this.opts.instanceId,
      since: new Date(this.clock.now()).toISOString(),
    };
    const res = await this.store.txn({
      compare: [{ key: this.key, modRevision: 0 }],
      success: [
        { op: 'put', key: this.key, value: encode(LeaderRecord, record), lease: this.opts.leaseId() },
      ],
    });
    if (!res.succeeded || this.stopped) return;
    this.leaderRevision = res.revision;
    this.opts.logger?.info('became the leader');
    this.opts.onElected();
  }

  private depose(why: string): void {
    this.leaderRevision = undefined;
    this.opts.logger?.warn({ why }, 'lost leadership');
    this.opts.onDeposed(why);
  }
}
