import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Live engine state read at scrape time (gauges cost nothing per request). */
export interface SimLoad {
  running(): number;
  waiting(): number;
  kvUsage(): number;
}

export type SuccessReason = 'stop' | 'length' | 'abort';

const TTFT_BUCKETS = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640,
  2560,
];
const LATENCY_BUCKETS = [
  0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680,
];

/**
 * The simulator's metrics under vLLM's own names, types, labels (`model_name`, `engine`) and buckets, so
 * whatever reads a vLLM engine (the router's load balancer, dashboards) reads the simulator unchanged.
 */
export class SimMetrics {
  readonly registry: Registry;
  private readonly prompt: { inc(v: number): void };
  private readonly generation: { inc(v: number): void };
  private readonly queries: { inc(v: number): void };
  private readonly hits: { inc(v: number): void };
  private readonly success: Record<SuccessReason, { inc(): void }>;
  private readonly ttft: { observe(v: number): void };
  private readonly e2e: { observe(v: number): void };
  private readonly queue: { observe(v: number): void };

  constructor(modelName: string, load: SimLoad, registry: Registry = new Registry()) {
    this.registry = registry;
    const labelNames = ['model_name', 'engine'] as const;
    const labels = { model_name: modelName, engine: '0' };
    const registers = [registry];
    const gauge = (name: string, help: string, read: () => number) =>
      new Gauge({
        name,
        help,
        labelNames,
        registers,
        collect() {
          this.set(labels, read());
        },
      });
    gauge('vllm:num_requests_running', 'Number of requests in model execution batches.', () =>
      load.running(),
    );
    gauge('vllm:num_requests_waiting', 'Number of requests waiting to be processed.', () => load.waiting());
    gauge('vllm:kv_cache_usage_perc', 'KV-cache usage. 1 means 100 percent usage.', () => load.kvUsage());
    gauge(
      'vllm:gpu_cache_usage_perc',
      'GPU KV-cache usage. 1 means 100 percent usage. DEPRECATED: Use vllm:kv_cache_usage_perc instead.',
      () => load.kvUsage(),
    );
    // Series exist from the start at 0 (as vLLM pre-creates them), so scrapers see them before traffic.
    const counter = (name: string, help: string) => {
      const child = new Counter({ name, help, labelNames, registers }).labels(labels);
      child.inc(0);
      return child;
    };
    this.prompt = counter('vllm:prompt_tokens_total', 'Number of prefill tokens processed.');
    this.generation = counter('vllm:generation_tokens_total', 'Number of generation tokens processed.');
    this.queries = counter(
      'vllm:prefix_cache_queries_total',
      'Prefix cache queries, in terms of number of queried tokens.',
    );
    this.hits = counter(
      'vllm:prefix_cache_hits_total',
      'Prefix cache hits, in terms of number of cached tokens.',
    );
    const success = new Counter({
      name: 'vllm:request_success_total',
      help: 'Count of successfully processed requests.',
      labelNames: [...labelNames, 'finished_reason'],
      registers,
    });
    const reason = (finished_reason: SuccessReason) => {
      const child = success.labels({ ...labels, finished_reason });
      child.inc(0);
      return child;
    };
    this.success = { stop: reason('stop'), length: reason('length'), abort: reason('abort') };
    const histogram = (name: string, help: string, buckets: number[]) => {
      const h = new Histogram({ name, help, labelNames, buckets, registers });
      h.zero(labels);
      return h.labels(labels);
    };
    this.ttft = histogram(
      'vllm:time_to_first_token_seconds',
      'Histogram of time to first token in seconds.',
      TTFT_BUCKETS,
    );
    this.e2e = histogram(
      'vllm:e2e_request_latency_seconds',
      'Histogram of e2e request latency in seconds.',
      LATENCY_BUCKETS,
    );
    this.queue = histogram(
      'vllm:request_queue_time_seconds',
      'Histogram of time spent in WAITING phase for request.',
      LATENCY_BUCKETS,
    );
  }

  prefill(
    promptTokens: number,
    queried: number,
    hit: number,
    ttftSeconds: number,
    queueSeconds: number,
  ): void {
    this.prompt.inc(promptTokens);
    this.queries.inc(queried);
    if (hit > 0) this.hits.inc(hit);
    this.ttft.observe(ttftSeconds);
    this.queue.observe(queueSeconds);
  }

  finished(reason: SuccessReason, generatedTokens: number, e2eSeconds: number): void {
    if (generatedTokens > 0) this.generation.inc(generatedTokens);
    this.success[reason].inc();
    if (reason !== 'abort') this.e2e.observe(e2eSeconds);
  }

  /** Prompt tokens of requests that need no generation slot (embeddings, rerank). */
  pooled(promptTokens: number): void {
    this.prompt.inc(promptTokens);
  }
}
