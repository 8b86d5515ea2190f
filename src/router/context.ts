import type { Logger } from '../core/logger.js';
import type { Tracing } from '../core/tracing.js';
import type { Authenticator } from './auth/authenticator.js';
import type { RateLimiter } from './auth/rate-limiter.js';
import type { PrefixHashOptions } from './balancers/prefix-hash.js';
import type { RouterMetrics } from './metrics.js';
import type { ForwardSettings } from './proxy/forward.js';
import type { EndpointTable } from './table/endpoint-table.js';

/** What request handlers (HTTP and gRPC) share: built once by startRouter. */
export interface RouterContext {
  table: EndpointTable;
  auth: Authenticator;
  limiter: RateLimiter;
  metrics: RouterMetrics;
  forward: ForwardSettings;
  logger: Logger;
  /** Debug logging is on: one line per request. */
  accessLog: boolean;
  now: () => number;
  maxBodyBytes: number;
  prefixHash: PrefixHashOptions;
  /** Body of `/healthz`. */
  health: () => Record<string, unknown>;
  /** Spans of proxied requests (a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set). */
  tracing: Tracing;
}
