import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../src/cli/run-cli.js';
import { createLogger, type Logger } from '../../src/core/logger.js';
import { initTracing, type Tracing } from '../../src/core/tracing.js';
import { Capture } from '../cli/harness.js';
import { tempDir } from '../helpers/tmp.js';
import { startTestCluster, type TestCluster } from './cluster.js';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js';

type Line = Record<string, unknown>;

/** A real role logger (JSON lines, `component` on each) whose lines the test can read. */
function captured(component: string): { logger: Logger; lines: Line[] } {
  const lines: Line[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const l of chunk.toString().split('\n')) if (l.trim() !== '') lines.push(JSON.parse(l) as Line);
      cb();
    },
  });
  return { logger: createLogger({ component, level: 'debug', destination: sink }), lines };
}

const TP = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/;

/**
 * W3C trace context end to end with OpenTelemetry export on: CLI -> server and client -> router ->
 * engine carry one trace; the server and the router export their spans to an OTLP/HTTP receiver, with
 * the caller's span as parent; logs carry component, trace_id and request_id.
 */
describe('traces and logs', () => {
  let otlp: OtlpReceiver;
  let cluster: TestCluster;
  let serverTracing: Tracing;
  let routerTracing: Tracing;
  const server = captured('server');
  const router = captured('router');
  const engine = captured('engine-sim');
  const home = tempDir('nebula-trace-home-');

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: otlp.endpoint };
    serverTracing = await initTracing({ serviceName: 'nebula-server', env, exportDelayMs: 50 });
    routerTracing = await initTracing({ serviceName: 'nebula-router', env, exportDelayMs: 50 });
    cluster = await startTestCluster({
      tracing: { server: serverTracing, router: routerTracing },
      serverLogger: server.logger,
      routerLogger: router.logger,
      engineLogger: engine.logger,
    });
  });
  afterAll(async () => {
    await cluster?.stop();
    await serverTracing?.shutdown();
    await routerTracing?.shutdown();
    await otlp?.close();
    home.cleanup();
  });

  it('is off without an OTLP endpoint', async () => {
    const t = await initTracing({ serviceName: 'x', env: {} });
    expect(t.enabled).toBe(false);
    expect(t.startSpan('nothing')).toBeUndefined();
    expect(serverTracing.enabled).toBe(true);
  });

  it('CLI -> server: each call sends a new traceparent; the server span continues it and its log carries it', async () => {
    const sent: string[] = [];
    const fetchSpy: typeof fetch = async (input, init) => {
      const h = new Headers(init?.headers);
      if (h.get('traceparent')) sent.push(h.get('traceparent') ?? '');
      return fetch(input, init);
    };
    const stdout = new Capture();
    const stderr = new Capture();
    const code = await runCli(['status', '-o', 'json'], {
      stdout,
      stderr,
      fetch: fetchSpy,
      env: {
        HOME: home.path,
        NEBULA_CONFIG: `${home.path}/config.yaml`,
        NEBULA_SERVER: cluster.urls.server,
        NEBULA_TOKEN: cluster.adminKey,
      },
    });
    expect(stderr.text).toBe('');
    expect(code).toBe(0);
    expect(sent).toHaveLength(2);
    const ids = sent.map((tp) => TP.exec(tp));
    expect(ids.every((m) => m !== null)).toBe(true);
    expect(new Set(ids.map((m) => m?.[1])).size).toBe(2);

    await serverTracing.flush();
    for (const m of ids) {
      const [, traceId, parent] = m as RegExpExecArray;
      const span = otlp.spans.find((s) => s.traceId === traceId && s.service === 'nebula-server');
      expect(span).toMatchObject({ parentSpanId: parent, kind: 2 });
      expect(['GET /api/overview', 'GET /api/health']).toContain(span?.name);
      const line = server.lines.find((l) => l['msg'] === 'request' && l['trace_id'] === traceId);
      expect(line).toMatchObject({ component: 'server', status: 200 });
      expect(line?.['request_id']).toMatch(/^[0-9a-f]{16}$/);
    }
    expect(otlp.contentTypes[0]).toMatch(/^application\/json/);
  });

  it('client -> router -> engine: one trace, the router span is the engine request parent', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const clientSpan = '00f067aa0ba902b7';
    const res = await fetch(`${cluster.urls.router}/v1/chat/completions`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        traceparent: `00-${traceId}-${clientSpan}-01`,
        'x-request-id': 'trace-req-1',
      },
      body: JSON.stringify({
        model: 'static-sim',
        messages: [{ role: 'user', content: 'trace me' }],
        max_tokens: 3,
      }),
    });
    expect(res.status).toBe(200);
    await res.text();

    const engineLine = engine.lines.find((l) => l['msg'] === 'request' && l['request_id'] === 'trace-req-1');
    const received = TP.exec(String(engineLine?.['traceparent']));
    expect(received?.[1]).toBe(traceId);
    const routerSpanId = received?.[2];
    expect(routerSpanId).not.toBe(clientSpan);

    await routerTracing.flush();
    const span = otlp.spans.find((s) => s.traceId === traceId && s.service === 'nebula-router');
    expect(span).toMatchObject({
      name: 'router chat',
      spanId: routerSpanId,
      parentSpanId: clientSpan,
      attributes: expect.objectContaining({
        'http.response.status_code': 200,
        'gen_ai.request.model': 'static-sim',
        'nebula.request_id': 'trace-req-1',
      }),
    });

    const access = router.lines.find((l) => l['msg'] === 'request' && l['request_id'] === 'trace-req-1');
    expect(access).toMatchObject({
      component: 'router',
      trace_id: traceId,
      status: 200,
      model: 'static-sim',
    });
  });

  it('a request without traceparent starts a trace the engine and the exporter agree on', async () => {
    const res = await fetch(`${cluster.urls.router}/v1/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'trace-req-2' },
      body: JSON.stringify({ model: 'static-sim', prompt: 'x', max_tokens: 2 }),
    });
    expect(res.status).toBe(200);
    await res.text();
    const engineLine = engine.lines.find((l) => l['request_id'] === 'trace-req-2');
    const received = TP.exec(String(engineLine?.['traceparent']));
    expect(received).not.toBeNull();
    await routerTracing.flush();
    const span = otlp.spans.find((s) => s.traceId === received?.[1]);
    expect(span).toMatchObject({
      name: 'router completions',
      spanId: received?.[2],
      parentSpanId: undefined,
    });
  });
});
