import type { Clock, TimerHandle } from '../../core/clock.js';
import { LeaseNotFoundError } from '../errors.js';
import type { Statements } from './statements.js';

const MAX_TIMER_MS = 3_600_000;

interface LeaseState {
  ttl: number;
  deadline: number;
}

/**
 * Granted leases, mirrored in memory (for the expiry timer) and in SQLite (to survive restarts). One
 * timer on the injected clock fires at the earliest deadline; the store expires what is due.
 */
export class LeaseTable {
  private readonly leases = new Map<number, LeaseState>();
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private stopped = false;

  constructor(
    private readonly s: Statements,
    private readonly clock: Clock,
    private readonly onDue: () => void,
  ) {
    // Like etcd after a restart, every lease gets its full TTL again: the time the store was down does
    // not count against its owners, who could not renew meanwhile.
    const now = clock.now();
    for (const row of s.allLeases.all()) {
      const deadline = now + row.ttl * 1000;
      this.leases.set(row.id, { ttl: row.ttl, deadline });
      s.updateLease.run(deadline, row.id);
    }
    this.reschedule();
  }

  /** Parses a lease id given by a caller; unknown shapes are simply not found. */
  static parseId(leaseId: string): number {
    if (!/^[1-9][0-9]{0,15}$/.test(leaseId)) throw new LeaseNotFoundError(leaseId);
    return Number(leaseId);
  }

  has(id: number): boolean {
    return this.leases.has(id);
  }

  /** True when the lease exists and its deadline has not passed. */
  alive(id: number): boolean {
    const l = this.leases.get(id);
    return l !== undefined && l.deadline > this.clock.now();
  }

  grant(id: number, ttl: number): void {
    const deadline = this.clock.now() + ttl * 1000;
    this.s.insertLease.run(id, ttl, deadline);
    this.leases.set(id, { ttl, deadline });
    this.reschedule();
  }

  /** Extends a live lease by its TTL; returns the TTL. */
  renew(id: number): number {
    const l = this.leases.get(id);
    if (!l) throw new LeaseNotFoundError(String(id));
    l.deadline = this.clock.now() + l.ttl * 1000;
    this.s.updateLease.run(l.deadline, id);
    return l.ttl;
  }

  remove(id: number): void {
    this.s.deleteLease.run(id);
    this.leases.delete(id);
  }

  /** Lease ids whose deadline has passed. */
  due(): number[] {
    const now = this.clock.now();
    const out: number[] = [];
    for (const [id, l] of this.leases) if (l.deadline <= now) out.push(id);
    return out;
  }

  /** Re-arms the timer for the earliest deadline (after grant, renew, expiry). */
  reschedule(): void {
    if (this.stopped) return;
    let earliest = Infinity;
    for (const l of this.leases.values()) earliest = Math.min(earliest, l.deadline);
    if (earliest === this.timerAt) return;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
    this.timerAt = earliest;
    if (earliest === Infinity) return;
    this.timer = this.clock.setTimeout(
      () => {
        this.timer = undefined;
        this.timerAt = Infinity;
        this.onDue();
        this.reschedule();
      },
      // Capped: Node fires timers over 2^31 ms at once; an early wake-up just finds nothing due.
      Math.min(MAX_TIMER_MS, Math.max(0, earliest - this.clock.now())),
    );
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) this.clock.clearTimeout(this.timer);
    this.timer = undefined;
  }
}
