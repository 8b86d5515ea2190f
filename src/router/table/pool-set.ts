import { Pool, type Dispatcher } from 'undici';

export interface PoolSetOptions {
  connectTimeoutMs: number;
  /** Longest wait for response headers and between body chunks (a non-streamed generation can be long). */
  upstreamTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/**
 * One undici Pool per upstream origin, shared by every replica (and the scraper) pointing there, with
 * keep-alive on and pipelining off (one request per connection at a time: a slow generation must not hold
 * up the requests queued behind it). A pool is closed when its last user releases it.
 */
export class PoolSet {
  private readonly pools = new Map<string, { pool: Pool; refs: number }>();

  constructor(private readonly opts: PoolSetOptions) {}

  acquire(origin: string): Dispatcher {
    let entry = this.pools.get(origin);
    if (entry === undefined) {
      entry = {
        pool: new Pool(origin, {
          pipelining: 1,
          connections: null,
          keepAliveTimeout: this.opts.keepAliveTimeoutMs,
          keepAliveMaxTimeout: Math.max(this.opts.keepAliveTimeoutMs, 600_000),
          headersTimeout: this.opts.upstreamTimeoutMs,
          bodyTimeout: this.opts.upstreamTimeoutMs,
          connect: { timeout: this.opts.connectTimeoutMs },
        }),
        refs: 0,
      };
      this.pools.set(origin, entry);
    }
    entry.refs++;
    return entry.pool;
  }

  /** Drops one use; the last one closes the pool once its in-flight requests end. */
  release(origin: string): void {
    const entry = this.pools.get(origin);
    if (entry === undefined) return;
    entry.refs--;
    if (entry.refs <= 0) {
      this.pools.delete(origin);
      entry.pool.close().catch(() => undefined);
    }
  }

  get size(): number {
    return this.pools.size;
  }

  /** Closes every pool, aborting what is in flight. */
  async destroyAll(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(all.map((e) => e.pool.destroy().catch(() => undefined)));
  }
}
