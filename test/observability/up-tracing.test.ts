import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '../../src/client/index.js';
import { waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { startTestUp, type TestUp } from '../helpers/up.js';
import { Capture } from '../cli/harness.js';
import { startOtlpReceiver, type OtlpReceiver } from './otlp-receiver.js';

/** `nebula up` with OTEL_EXPORTER_OTLP_ENDPOINT set exports the server's and the router's spans. */
describe('nebula up with OpenTelemetry', () => {
  const dir = tempDir('nebula-up-otel-');
  let otlp: OtlpReceiver;
  let up: TestUp | undefined;
  const saved = process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = otlp.endpoint;
    up = await startTestUp(dir.path, { nodeId: 'up-otel', gpus: 'sim:1x80GiB' }, { out: new Capture() });
  });
  afterAll(async () => {
    await up?.stop();
    if (saved === undefined) delete process.env['OTEL_EXPORTER_OTLP_ENDPOINT'];
    else process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = saved;
    await otlp?.close();
    dir.cleanup();
  });

  it('exports a server span continuing the caller trace, and flushes on stop', async () => {
    const { up: handle, token } = up as TestUp;
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const api = createClient({
      baseUrl: handle.serverUrl,
      token,
      headers: { traceparent: `00-${traceId}-b7ad6b7169203331-01` },
    });
    await api.models.list();
    const span = await waitFor(
      () => otlp.spans.find((s) => s.traceId === traceId && s.service === 'nebula-server'),
      { timeoutMs: 10_000, what: 'the server span at the OTLP receiver' },
    );
    expect(span).toMatchObject({ name: 'GET /api/v2/models', parentSpanId: 'b7ad6b7169203331' });
  });
});
