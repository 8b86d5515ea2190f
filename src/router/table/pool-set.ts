import { Pool, type Dispatcher } from 'undici';
import { UpstreamPool } from '../upstream/index.js';

/** Router-wide proxy timeout defaults (see RouterOptions). */
export const DEFAULT_FIRST_BYTE_TIMEOUT_MS = 600_000;
export const DEFAULT_IDLE_TIMEOUT_MS = 60_000;

export interface PoolSetOptions {
  connectTimeoutMs: number;
  /** Default first-byte timeout: request -> first body byte (a non-streamed generation arrives whole). */
  firstByteTimeoutMs: number;
  /** Default idle timeout between body chunks once the body started. */
  idleTimeoutMs: number;
  keepAliveTimeoutMs: number;
}

/** The connections to one upstream origin. */
export interface OriginPools {
  /** Proxied requests (upstream/upstream-pool.ts): keep-alive, one request per connection at a time. */
  upstream: UpstreamPool;
  /** Load scrapes of the engine's `/metrics` (undici, at most two connections). */
  scrape: Dispatcher;
}

/**
 * The connections of every upstream origin, shared by all replicas (and the scraper) pointing there. An
 * origin's pools close when its last user releases them.
 */
export class PoolSet {
  private readonly pools = new Map<string, { pools: OriginPools; refs: number }>();

  constructor(private readonly opts: PoolSetOptions) {}

  acquire(origin: string): OriginPools {
    let entry = this.pools.get(origin);
    if (entry === undefined) {
      const o = this.opts;
      entry = {
        pools: {
          upstream: new UpstreamPool(origin, {
            connectTimeoutMs: o.connectTimeoutMs,
            headersTimeoutMs: o.firstByteTimeoutMs,
            bodyTimeoutMs: o.idleTimeoutMs,
            keepAliveTimeoutMs: o.keepAliveTimeoutMs,
          }),
          scrape: new Pool(origin, {
            pipelining: 1,
            connections: 2,
            keepAliveTimeout: o.keepAliveTimeoutMs,
            connect: { timeout: o.connectTimeoutMs },
          }),
        },
        refs: 0,
      };
      this.pools.set(origin, entry);
    }
    entry.refs++;
    return entry.pools;
  }

  /** Drops one use; the last one closes the origin's pools once their requests in flight end. */
  release(origin: string): void {
    const entry = this.pools.get(origin);
    if (entry === undefined) return;
    entry.refs--;
    if (entry.refs <= 0) {
      this.pools.delete(origin);
      entry.pools.upstream.close();
      entry.pools.scrape.close().catch(() => undefined);
    }
  }

  get size(): number {
    return this.pools.size;
  }

  /** Closes every pool, aborting what is in flight. */
  async destroyAll(): Promise<void> {
    const all = [...this.pools.values()];
    this.pools.clear();
    for (const e of all) e.pools.upstream.destroy();
    await Promise.all(all.map((e) => e.pools.scrape.destroy().catch(() => undefined)));
  }
}
