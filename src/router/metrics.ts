import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** Kinds of upstream failure, the `kind` label of nebula_router_upstream_errors_total. */
export type UpstreamErrorKind = 'connect' | 'timeout' | 'http_5xx' | 'http_429' | 'reset' | 'protocol';

/** What the load gauge reads from a replica of the routing table. */
export interface ScrapedReplicaLoad {
  readonly id: string;
  readonly model: string;
  readonly running: number;
  readonly waiting: number;
  /** When the last scrape succeeded (0 = never). */
  readonly loadAt: number;
}

type CounterChild = ReturnType<Counter<string>['labels']>;
type HistogramChild = ReturnType<Histogram<string>['labels']>;

const LATENCY_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120,
];
const TTFT_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30];

const HELD_BUCKETS = [0.1, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300];

/** Every router metric by name, with the help line `/metrics` shows for it. */
const HELP = {
  nebula_router_requests_total: 'Requests answered by the router, by model, HTTP status and route',
  nebula_router_request_duration_seconds: 'Time from receiving a request to the end of its response',
  nebula_router_time_to_first_token_seconds:
    'Time from receiving a streamed request to the first byte of the engine stream',
  nebula_router_prompt_tokens_total: 'Prompt tokens reported in responses (usage)',
  nebula_router_completion_tokens_total: 'Completion tokens reported in responses (usage)',
  nebula_router_upstream_errors_total:
    'Failed upstream attempts, by model and kind (connect, timeout, http_5xx, http_429, reset, protocol)',
  nebula_router_active_streams: 'Streamed responses in progress',
  nebula_router_ready_replicas: 'Ready replicas in the routing table, by model',
  nebula_router_retries_total: 'Requests sent again to another replica after a failure before the first byte',
  nebula_router_rate_limited_total: 'Requests refused with 429 by the per-key rate limit',
  nebula_router_auth_failures_total:
    'Requests refused with 401, by reason (missing, invalid, expired, revoked, disabled)',
  nebula_router_held_requests_total:
    'Requests held for an idle (autoscaled) model, by outcome: served, timeout, full (503 at once), cancelled, gone',
  nebula_router_held_seconds: 'How long served requests were held waiting for an idle model to wake',
  nebula_router_held_requests: 'Requests held right now for an idle (autoscaled) model',
  nebula_router_replica_engine_requests:
    "Requests in each replica's engine as the router's last /metrics scrape read them (state running|waiting); replicas never scraped are absent",
} as const;
type RouterMetricName = keyof typeof HELP;

/**
 * The router's metrics, registered in the role's own registry. Label children are cached by their label
 * values so the hot path does one Map lookup instead of prom-client's label hashing per request.
 */
export class RouterMetrics {
  private readonly requests: Counter<'model' | 'status' | 'route'>;
  private readonly duration: Histogram<'model' | 'route'>;
  private readonly ttft: Histogram<'model'>;
  private readonly promptTokens: Counter<'model'>;
  private readonly completionTokens: Counter<'model'>;
  private readonly upstreamErrors: Counter<'model' | 'kind'>;
  readonly activeStreams: Gauge;
  private readonly readyReplicas: Gauge<'model'>;
  private readonly retries: Counter<'model'>;
  readonly rateLimited: Counter;
  private readonly authFailures: Counter<'reason'>;
  private readonly heldTotal: Counter<'model' | 'outcome'>;
  private readonly heldSeconds: Histogram<'model'>;
  private heldNow: (() => Iterable<{ label: string; held: number }>) | undefined;
  private replicaLoad: (() => Iterable<ScrapedReplicaLoad>) | undefined;

  private readonly counterChildren = new Map<string, CounterChild>();
  private readonly histogramChildren = new Map<string, HistogramChild>();
  private readonly readyModels = new Set<string>();

  constructor(readonly registry: Registry) {
    const registers = [registry];
    const counter = <L extends string>(name: RouterMetricName, labelNames: readonly L[] = []) =>
      new Counter<L>({ name, help: HELP[name], labelNames, registers });
    const histogram = <L extends string>(name: RouterMetricName, labelNames: L[], buckets: number[]) =>
      new Histogram<L>({ name, help: HELP[name], labelNames, buckets, registers });
    const gauge = <L extends string>(name: RouterMetricName, labelNames: readonly L[] = []) =>
      new Gauge<L>({ name, help: HELP[name], labelNames, registers });
    this.requests = counter('nebula_router_requests_total', ['model', 'status', 'route']);
    this.duration = histogram('nebula_router_request_duration_seconds', ['model', 'route'], LATENCY_BUCKETS);
    this.ttft = histogram('nebula_router_time_to_first_token_seconds', ['model'], TTFT_BUCKETS);
    this.promptTokens = counter('nebula_router_prompt_tokens_total', ['model']);
    this.completionTokens = counter('nebula_router_completion_tokens_total', ['model']);
    this.upstreamErrors = counter('nebula_router_upstream_errors_total', ['model', 'kind']);
    this.activeStreams = gauge('nebula_router_active_streams');
    this.readyReplicas = gauge('nebula_router_ready_replicas', ['model']);
    this.retries = counter('nebula_router_retries_total', ['model']);
    this.rateLimited = counter('nebula_router_rate_limited_total');
    this.authFailures = counter('nebula_router_auth_failures_total', ['reason']);
    this.heldTotal = counter('nebula_router_held_requests_total', ['model', 'outcome']);
    this.heldSeconds = histogram('nebula_router_held_seconds', ['model'], HELD_BUCKETS);
    // Gauges read at exposition time from the routing table: no series of models or replicas that are gone.
    const collected = <L extends string>(
      name: RouterMetricName,
      labelNames: L[],
      fill: (g: Gauge<L>) => void,
    ) =>
      new Gauge<L>({
        name,
        help: HELP[name],
        labelNames,
        registers,
        collect() {
          this.reset();
          fill(this);
        },
      });
    collected('nebula_router_held_requests', ['model'], (g) => {
      for (const r of this.heldNow?.() ?? []) if (r.held > 0) g.set({ model: r.label }, r.held);
    });
    collected('nebula_router_replica_engine_requests', ['model', 'replica', 'state'], (g) => {
      for (const r of this.replicaLoad?.() ?? []) {
        if (r.loadAt === 0) continue;
        g.set({ model: r.model, replica: r.id, state: 'running' }, r.running);
        g.set({ model: r.model, replica: r.id, state: 'waiting' }, r.waiting);
      }
    });
  }

  /** Where `nebula_router_replica_engine_requests` reads the scraped load from (the routing table). */
  trackReplicaLoad(replicas: () => Iterable<ScrapedReplicaLoad>): void {
    this.replicaLoad = replicas;
  }

  private counter(metric: Counter<string>, key: string, labels: Record<string, string>): CounterChild {
    let child = this.counterChildren.get(key);
    if (child === undefined) {
      child = metric.labels(labels);
      this.counterChildren.set(key, child);
    }
    return child;
  }

  private histogram(metric: Histogram<string>, key: string, labels: Record<string, string>): HistogramChild {
    let child = this.histogramChildren.get(key);
    if (child === undefined) {
      child = metric.labels(labels);
      this.histogramChildren.set(key, child);
    }
    return child;
  }

  /** One finished request: counts it and records its duration. */
  request(model: string, route: string, status: number, seconds: number): void {
    this.counter(this.requests, `r\0${model}\0${route}\0${status}`, {
      model,
      route,
      status: String(status),
    }).inc();
    this.histogram(this.duration, `d\0${model}\0${route}`, { model, route }).observe(seconds);
  }

  firstToken(model: string, seconds: number): void {
    this.histogram(this.ttft, `t\0${model}`, { model }).observe(seconds);
  }

  usage(model: string, prompt: number, completion: number): void {
    if (prompt > 0) this.counter(this.promptTokens, `p\0${model}`, { model }).inc(prompt);
    if (completion > 0) this.counter(this.completionTokens, `c\0${model}`, { model }).inc(completion);
  }

  upstreamError(model: string, kind: UpstreamErrorKind): void {
    this.counter(this.upstreamErrors, `e\0${model}\0${kind}`, { model, kind }).inc();
  }

  /** A held request ended: served (went on to a replica), timeout, full, cancelled or gone. */
  heldEnded(model: string, outcome: 'served' | 'timeout' | 'full' | 'cancelled' | 'gone', ms: number): void {
    this.counter(this.heldTotal, `h\0${model}\0${outcome}`, { model, outcome }).inc();
    if (outcome === 'served') this.heldSeconds.observe({ model }, ms / 1000);
  }

  /** Where `nebula_router_held_requests` reads the queues from (the routing table). */
  trackHeld(routes: () => Iterable<{ label: string; held: number }>): void {
    this.heldNow = routes;
  }

  retry(model: string): void {
    this.counter(this.retries, `y\0${model}`, { model }).inc();
  }

  authFailure(reason: 'missing' | 'invalid' | 'expired' | 'revoked' | 'disabled'): void {
    this.counter(this.authFailures, `a\0${reason}`, { reason }).inc();
  }

  /** Publishes the ready replica count of every model, dropping models that left the table. */
  setReadyReplicas(counts: ReadonlyMap<string, number>): void {
    for (const model of this.readyModels) {
      if (!counts.has(model)) {
        this.readyReplicas.remove({ model });
        this.readyModels.delete(model);
      }
    }
    for (const [model, n] of counts) {
      this.readyReplicas.set({ model }, n);
      this.readyModels.add(model);
    }
  }
}
