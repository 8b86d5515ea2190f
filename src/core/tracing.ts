/**
 * OpenTelemetry traces (DESIGN §8): when `OTEL_EXPORTER_OTLP_ENDPOINT` is set, roles export spans over
 * OTLP/HTTP (JSON) to a collector; otherwise tracing is a no-op that loads nothing. Spans continue the
 * caller's W3C `traceparent`, and the `traceparent` a span hands on names that span as the parent, so a
 * trace runs CLI -> server and client -> router -> engine.
 *
 * Nothing is registered globally (no global tracer provider, no context manager): each role gets its own
 * `Tracing` through its deps, like its logger and metrics registry, so several roles in one process
 * (`nebula up`) and parallel tests keep apart.
 */
import { nebulaVersion } from './version.js';
import { tracingConfigFromEnv, type TracingConfig } from './tracing-config.js';

export { tracingConfigFromEnv, type TracingConfig } from './tracing-config.js';

export type SpanKindName = 'server' | 'client' | 'internal';
export type SpanAttributes = Record<string, string | number | boolean | undefined>;

export interface StartSpanOptions {
  /** Incoming W3C traceparent; a missing or invalid one starts a new trace. */
  traceparent?: string | undefined;
  tracestate?: string | undefined;
  kind?: SpanKindName;
  attributes?: SpanAttributes;
}

/** A span in progress. */
export interface TraceSpan {
  readonly traceId: string;
  readonly spanId: string;
  /** The traceparent to send downstream: this trace, with this span as the parent. */
  readonly traceparent: string;
  setAttributes(attributes: SpanAttributes): void;
  /** Ends the span; an HTTP status >= 500 or an error marks it failed. Later calls do nothing. */
  end(outcome?: { status?: number; error?: string }): void;
}

export interface Tracing {
  /** False when no exporter is configured: `startSpan` then returns undefined and costs nothing. */
  readonly enabled: boolean;
  startSpan(name: string, opts?: StartSpanOptions): TraceSpan | undefined;
  /** Exports the spans ended so far (tests, shutdown). */
  flush(): Promise<void>;
  /** Flushes and stops the exporter. */
  shutdown(): Promise<void>;
}

/** Tracing that does nothing (the default of every role). */
export const noopTracing: Tracing = {
  enabled: false,
  startSpan: () => undefined,
  flush: async () => undefined,
  shutdown: async () => undefined,
};

export interface InitTracingOptions {
  /** `service.name` of the spans (`nebula-server`, `nebula-router`...). */
  serviceName: string;
  /** Where OTEL_* variables are read (default process.env). */
  env?: Record<string, string | undefined>;
  /** Delay of the batch exporter (default 1 s). */
  exportDelayMs?: number;
}

/**
 * Tracing for one role: a no-op unless an OTLP endpoint is configured (see `tracingConfigFromEnv`), in
 * which case the OpenTelemetry SDK is loaded (lazily) with a batching OTLP/HTTP JSON exporter.
 */
export async function initTracing(opts: InitTracingOptions): Promise<Tracing> {
  const config = tracingConfigFromEnv(opts.env ?? process.env, opts.serviceName);
  if (!config) return noopTracing;
  return createOtelTracing(config, opts.exportDelayMs ?? 1000);
}

async function createOtelTracing(config: TracingConfig, exportDelayMs: number): Promise<Tracing> {
  const [api, core, sdk, exporterMod, resources, semconv] = await Promise.all([
    import('@opentelemetry/api'),
    import('@opentelemetry/core'),
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/semantic-conventions'),
  ]);
  const exporter = new exporterMod.OTLPTraceExporter({ url: config.url, headers: config.headers });
  const provider = new sdk.BasicTracerProvider({
    resource: resources.resourceFromAttributes({
      [semconv.ATTR_SERVICE_NAME]: config.serviceName,
      [semconv.ATTR_SERVICE_VERSION]: nebulaVersion(),
    }),
    sampler: new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() }),
    spanProcessors: [new sdk.BatchSpanProcessor(exporter, { scheduledDelayMillis: exportDelayMs })],
  });
  const tracer = provider.getTracer('nebula', nebulaVersion());
  const propagator = new core.W3CTraceContextPropagator();
  const kinds = {
    server: api.SpanKind.SERVER,
    client: api.SpanKind.CLIENT,
    internal: api.SpanKind.INTERNAL,
  } as const;
  const clean = (a: SpanAttributes | undefined) => {
    const out: Record<string, string | number | boolean> = {};
    for (const [k, v] of Object.entries(a ?? {})) if (v !== undefined) out[k] = v;
    return out;
  };

  return {
    enabled: true,
    startSpan(name, o = {}) {
      const carrier: Record<string, string> = {};
      if (o.traceparent) carrier['traceparent'] = o.traceparent;
      if (o.tracestate) carrier['tracestate'] = o.tracestate;
      const parent = propagator.extract(api.ROOT_CONTEXT, carrier, api.defaultTextMapGetter);
      const span = tracer.startSpan(
        name,
        { kind: kinds[o.kind ?? 'internal'], attributes: clean(o.attributes) },
        parent,
      );
      const sc = span.spanContext();
      // Bit 0 of the trace flags is "sampled" (W3C trace context).
      const sampled = (sc.traceFlags & 1) === 1;
      let ended = false;
      return {
        traceId: sc.traceId,
        spanId: sc.spanId,
        traceparent: `00-${sc.traceId}-${sc.spanId}-${sampled ? '01' : '00'}`,
        setAttributes: (a) => span.setAttributes(clean(a)),
        end(outcome = {}) {
          if (ended) return;
          ended = true;
          if (outcome.status !== undefined) span.setAttribute('http.response.status_code', outcome.status);
          if (outcome.error !== undefined || (outcome.status ?? 0) >= 500) {
            span.setStatus({
              code: api.SpanStatusCode.ERROR,
              ...(outcome.error !== undefined ? { message: outcome.error } : {}),
            });
          }
          span.end();
        },
      };
    },
    flush: () => provider.forceFlush(),
    shutdown: () => provider.shutdown(),
  };
}
