import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { Store } from '../store/types.js';

/** The server's own metrics, on its own registry (never prom-client's global one). */
export interface ServerMetrics {
  registry: Registry;
  requests: Counter<'route' | 'method' | 'status'>;
  duration: Histogram<'route' | 'method'>;
  authFailures: Counter<'reason'>;
  auditWrites: Counter<'result'>;
  rateLimited: Counter<'kind'>;
}

export function createServerMetrics(registry: Registry): ServerMetrics {
  return {
    registry,
    requests: new Counter({
      name: 'nebula_server_requests_total',
      help: 'HTTP requests answered by the control API, by route template, method and status code.',
      labelNames: ['route', 'method', 'status'],
      registers: [registry],
    }),
    duration: new Histogram({
      name: 'nebula_server_request_duration_seconds',
      help: 'Time to answer control API requests, by route template and method.',
      labelNames: ['route', 'method'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    authFailures: new Counter({
      name: 'nebula_server_auth_failures_total',
      help: 'Requests refused by authentication or authorization, by reason.',
      labelNames: ['reason'],
      registers: [registry],
    }),
    auditWrites: new Counter({
      name: 'nebula_server_audit_writes_total',
      help: 'Audit events, by result: ok (stored), error (store write failed), log_only (anonymous flood, logged only).',
      labelNames: ['result'],
      registers: [registry],
    }),
    rateLimited: new Counter({
      name: 'nebula_server_rate_limited_total',
      help: 'Requests refused with 429 by the per-principal or login rate limit.',
      labelNames: ['kind'],
      registers: [registry],
    }),
  };
}

/**
 * `nebula_server_store_healthy` / `nebula_server_store_file_errors`, read from the store's own fault record
 * at scrape time (the embedded store's SQLite file: corruption, I/O errors). Stores that cannot tell (etcd)
 * report healthy and 0.
 */
export function registerStoreHealthMetrics(registry: Registry, store: Store): void {
  new Gauge({
    name: 'nebula_server_store_healthy',
    help: '1 while the state store reports no fault of its medium, 0 after corruption or recent I/O errors.',
    registers: [registry],
    collect() {
      this.set(store.health?.().ok === false ? 0 : 1);
    },
  });
  new Gauge({
    name: 'nebula_server_store_file_errors',
    help: 'Faults (SQLITE_CORRUPT, I/O errors) the embedded store met since it opened.',
    registers: [registry],
    collect() {
      this.set(store.health?.().errors ?? 0);
    },
  });
}
