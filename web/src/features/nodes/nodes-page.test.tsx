import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { fakeApi, renderApp, sessionAs } from '../../test/harness.tsx';

function node(id: string, over: Record<string, unknown> = {}) {
  const now = new Date().toISOString();
  return {
    node_id: id,
    online: true,
    address: '10.0.0.1',
    admin_port: 9092,
    version: '0.1.0',
    heartbeat_at: now,
    heartbeat_age_seconds: 1,
    cordoned: false,
    draining: false,
    labels: {},
    gpu_source: 'simulated',
    port_range: { start: 40000, end: 40999 },
    engines: [{ type: 'sim', version: '0.1.0', path: '/opt/nebula/bin/nebula.js' }],
    engine_errors: [],
    gpus: [],
    gpu_memory_total_bytes: 0,
    gpu_memory_used_bytes: 0,
    gpu_memory_reserved_bytes: 0,
    replicas: 0,
    ready_replicas: 0,
    disk: null,
    alerts: [],
    settings_resource_version: 0,
    ...over,
  };
}

describe('nodes page', () => {
  it("shows each node's engines with versions, unusable ones, and nodes that do not report them", async () => {
    const api = fakeApi({
      'GET /api/v2/nodes': () => ({
        items: [
          node('gpu-1', {
            engines: [
              { type: 'sim', version: '0.1.0', path: '/opt/nebula/bin/nebula.js' },
              { type: 'llamacpp', version: '4589 (1d1e6a90)', path: '/opt/llama/bin/llama-server' },
            ],
            engine_errors: [
              { type: 'vllm', path: '/opt/venv/bin/vllm', error: '/opt/venv/bin/vllm is not executable' },
            ],
          }),
          node('old-agent', { engines: null }),
          node('gone', { online: false, engines: null }),
        ],
      }),
    });
    renderApp({ route: '/nodes', fetch: api.fetch, sessions: sessionAs('viewer') });

    const gpu1 = await screen.findByTestId('node-engines-gpu-1');
    // Mantine puts a badge's label in an inner span: the attribute is on the badge around it.
    expect(within(gpu1).getByText('llamacpp 4589 (1d1e6a90)').closest('[data-engine]')).toHaveAttribute(
      'data-engine',
      'llamacpp',
    );
    expect(within(gpu1).getByText('sim 0.1.0')).toBeInTheDocument();
    expect(within(gpu1).getByText('vllm unusable').closest('[data-engine-error]')).toHaveAttribute(
      'data-engine-error',
      'vllm',
    );
    expect(screen.getByTestId('node-engines-old-agent')).toHaveTextContent(/not reported/);
    expect(screen.queryByTestId('node-engines-gone')).toBeNull();
  });
});
