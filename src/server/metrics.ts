import { Counter, Histogram, type Registry } from 'prom-client';

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
