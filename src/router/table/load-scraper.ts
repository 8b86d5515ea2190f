import type { Clock, Ticker } from '../../core/clock.js';
import { every, systemClock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { parseEngineLoad } from './prom-text.js';
import type { Replica } from './replica.js';

export interface LoadScraperOptions {
  intervalMs: number;
  /** Per-scrape limit; a replica that does not answer in time keeps its previous numbers until they go stale. */
  timeoutMs: number;
  clock?: Clock | undefined;
  logger?: Logger | undefined;
}

const MAX_METRICS_BYTES = 4 * 1024 * 1024;

/**
 * Reads every replica's `/metrics` every 1-2 s and stores the engine's queue length and KV usage on the
 * replica for the balancers. Numbers older than three intervals are reset to 0 (unknown), so a replica
 * that stopped answering is judged by the router's own in-flight count only.
 */
export class LoadScraper {
  private ticker: Ticker | undefined;
  private stopped = false;
  private readonly clock: Clock;

  constructor(
    private readonly replicas: () => Iterable<Replica>,
    private readonly opts: LoadScraperOptions,
  ) {
    this.clock = opts.clock ?? systemClock;
  }

  start(): void {
    if (this.opts.intervalMs <= 0 || this.stopped) return;
    this.ticker = every(this.clock, this.opts.intervalMs, () => this.scrapeAll());
  }

  stop(): void {
    this.stopped = true;
    this.ticker?.stop();
  }

  /**
   * Starts one scrape per engine not already being scraped (never waits for them). Replicas that share an
   * engine (a base model and its LoRA adapters' routes) share one scrape: it fills in all of them.
   */
  scrapeAll(): void {
    const now = this.clock.now();
    const byEngine = new Map<string, Replica[]>();
    for (const r of this.replicas()) {
      if (r.loadAt !== 0 && now - r.loadAt > 3 * this.opts.intervalMs) {
        r.waiting = 0;
        r.running = 0;
        r.kvUsage = 0;
        r.loadAt = 0;
      }
      const key = `${r.target.origin}${r.target.basePath}`;
      const list = byEngine.get(key);
      if (list === undefined) byEngine.set(key, [r]);
      else list.push(r);
    }
    for (const [first, ...same] of byEngine.values()) {
      if (first && !first.scraping) void this.scrape(first, same);
    }
  }

  /** Scrapes one replica (and gives its load to `same`, replicas of the same engine); resolves when done. */
  async scrape(r: Replica, same: readonly Replica[] = []): Promise<void> {
    r.scraping = true;
    try {
      const res = await r.pools.scrape.request({
        path: `${r.target.basePath}/metrics`,
        method: 'GET',
        headersTimeout: this.opts.timeoutMs,
        bodyTimeout: this.opts.timeoutMs,
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      if (res.statusCode !== 200) {
        await res.body.dump();
        return;
      }
      const len = Number(res.headers['content-length'] ?? 0);
      if (len > MAX_METRICS_BYTES) {
        await res.body.dump();
        return;
      }
      const load = parseEngineLoad(await res.body.text());
      r.waiting = load.waiting ?? 0;
      r.running = load.running ?? 0;
      r.kvUsage = load.kvUsage ?? 0;
      r.loadAt = this.clock.now();
      for (const o of same) {
        o.waiting = r.waiting;
        o.running = r.running;
        o.kvUsage = r.kvUsage;
        o.loadAt = r.loadAt;
      }
    } catch (err) {
      this.opts.logger?.debug(
        { replica: r.id, err: err instanceof Error ? err.message : String(err) },
        'scrape failed',
      );
    } finally {
      r.scraping = false;
    }
  }
}
