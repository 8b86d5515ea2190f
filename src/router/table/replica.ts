import type { Candidate } from '../balancers/types.js';
import type { UpstreamPool } from '../upstream/index.js';
import type { OriginPools } from './pool-set.js';

/** Where a replica's OpenAI API lives. */
export interface UpstreamTarget {
  /** `http://host:port` */
  origin: string;
  /** Prefix for every request path ('' for engines at the root). */
  basePath: string;
  /** The `model` the engine expects; when the client used another name the body is rewritten. */
  servedName?: string | undefined;
  /** `Authorization` header value for the upstream (static upstreams with a key). */
  authorization?: string | undefined;
  /**
   * Fields set in every request body sent to this target, over the client's (llama.cpp's per-request
   * `lora` selection of an adapter; see engines/lora-routing.ts).
   */
  bodyFields?: Record<string, unknown> | undefined;
}

/**
 * One routable replica: its target, its connection pools and the load the balancers read. `outstanding` is
 * kept by the proxy; `waiting`, `running` and `kvUsage` by the load scraper.
 */
export class Replica implements Candidate {
  outstanding = 0;
  waiting = 0;
  running = 0;
  kvUsage = 0;
  /** When the last scrape succeeded (ms since epoch; 0 = never). */
  loadAt = 0;
  /** Not chosen before this time (ms since epoch) after a connect failure, unless nothing else is left. */
  ejectedUntil = 0;
  /** Set while a scrape of this replica is in flight, so slow engines are not scraped twice. */
  scraping = false;

  constructor(
    readonly id: string,
    readonly model: string,
    readonly target: UpstreamTarget,
    readonly pools: OriginPools,
    /** True for replicas Nebula manages (from `/endpoints/`), false for static upstreams. */
    readonly managed: boolean,
  ) {
    this.upstream = pools.upstream;
  }

  /** Where proxied requests go. */
  readonly upstream: UpstreamPool;
}

/** Identity of what a replica points at: a replica whose target changes is a new replica. */
export function targetFingerprint(t: UpstreamTarget): string {
  const fields = t.bodyFields === undefined ? '' : JSON.stringify(t.bodyFields);
  return `${t.origin}${t.basePath}|${t.servedName ?? ''}|${t.authorization ?? ''}|${fields}`;
}
