import type { Clock } from '../../core/clock.js';
import { ComponentStatus } from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import { keys } from '../../core/keys.js';
import { listJson } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import { ApiError } from '../errors.js';
import { fetchWithTimeout, hostForUrl } from './http.js';
import { parsePrometheusText } from './prometheus.js';
import { summariseRouterMetrics, type ScrapeTotals } from './router-metrics.js';
import type { RouterMetrics } from '../../api/schemas/v1.js';

/**
 * Talks to the router: /healthz and /metrics. Its URL comes from configuration or from the router's own
 * registration in the store (`/components/router/*`), never from a request.
 */
export class RouterClient {
  private previous: ScrapeTotals | undefined;
  private cached: { atMs: number; value: RouterMetrics } | undefined;

  constructor(
    private readonly store: Store,
    private readonly fetchImpl: typeof fetch,
    private readonly clock: Clock,
    private readonly configuredUrl: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  /** The router base URL, or undefined when none is configured or registered. */
  async url(): Promise<string | undefined> {
    if (this.configuredUrl) return this.configuredUrl.replace(/\/+$/, '');
    const res = await listJson(this.store, keys.componentsOf('router'), ComponentStatus);
    const first = res.items.map((t) => t.value).sort((a, b) => a.instance_id.localeCompare(b.instance_id))[0];
    if (!first || first.port <= 0) return undefined;
    const host = first.address === '0.0.0.0' || first.address === '::' ? '127.0.0.1' : first.address;
    return `http://${hostForUrl(host)}:${first.port}`;
  }

  async health(
    traceparent: string,
  ): Promise<{ ok: boolean; url: string | null; status: number | null; error: string | null }> {
    const url = await this.url().catch(() => undefined);
    if (!url) return { ok: false, url: null, status: null, error: 'no router configured or registered' };
    try {
      const res = await fetchWithTimeout(this.fetchImpl, `${url}/healthz`, {
        timeoutMs: this.timeoutMs,
        headers: { traceparent },
      });
      await res.body?.cancel();
      return { ok: res.ok, url, status: res.status, error: res.ok ? null : `HTTP ${res.status}` };
    } catch (err) {
      return { ok: false, url, status: null, error: errorMessage(err) };
    }
  }

  /**
   * Scrapes and summarises the router's metrics. Scrapes less than a second apart share one result (many
   * console tabs polling do not multiply the router's load). Throws 503 ROUTER_UNAVAILABLE.
   */
  async metrics(traceparent: string): Promise<RouterMetrics> {
    const now = this.clock.now();
    if (this.cached && now - this.cached.atMs < 1000) return this.cached.value;
    const url = await this.url();
    if (!url)
      throw new ApiError(503, 'ROUTER_UNAVAILABLE', 'no router configured (--router-url) or registered');
    let text: string;
    try {
      const res = await fetchWithTimeout(this.fetchImpl, `${url}/metrics`, {
        timeoutMs: this.timeoutMs,
        headers: { traceparent },
      });
      if (!res.ok) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}`);
      }
      text = await res.text();
    } catch (err) {
      throw new ApiError(503, 'ROUTER_UNAVAILABLE', `router metrics unavailable: ${errorMessage(err)}`, {
        details: { url },
      });
    }
    const summary = summariseRouterMetrics(parsePrometheusText(text), now, this.previous);
    this.previous = summary.scrape;
    const value: RouterMetrics = {
      url,
      scraped_at: new Date(now).toISOString(),
      totals: summary.totals,
      models: summary.models,
      families: summary.families,
    };
    this.cached = { atMs: now, value };
    return value;
  }
}
