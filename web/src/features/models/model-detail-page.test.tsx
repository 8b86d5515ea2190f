import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { apiError, fakeApi, fixtures, renderApp, sessionAs } from '../../test/harness.tsx';

const now = new Date().toISOString();
const detail = {
  ...fixtures.model({
    model_uid: 'tiny',
    model_name: 'org/tiny',
    state: 'downloading',
    ready_replicas: 0,
    desired_replicas: 2,
  }),
  plan: null,
  endpoints: [],
  downloads: [
    {
      model_uid: 'tiny',
      replica_id: 0,
      node_id: 'n1',
      model_name: 'org/tiny',
      source: 'huggingface',
      phase: 'downloading',
      bytes_done: 300,
      bytes_total: 1000,
      files_done: 1,
      files_total: 3,
      current_file: 'model.safetensors',
      speed_bps: 2048,
      eta_seconds: 5,
      attempt: 2,
      started_at: now,
      updated_at: now,
    },
  ],
  cache: [
    {
      node_id: 'n2',
      model_name: 'org/tiny',
      source: 'huggingface',
      layout: 'huggingface',
      revision: 'main',
      path: '/cache/models--org--tiny',
      size_bytes: 1000,
      file_count: 3,
      complete: true,
      scanned_at: now,
    },
  ],
  events: [
    {
      id: 'e1',
      model_uid: 'tiny',
      time: now,
      type: 'scheduled',
      level: 'info',
      message: 'placed 2 replicas',
      source: 'scheduler',
    },
  ],
  stats: null,
  memory_estimate: {
    gpu_count: 1,
    per_gpu_bytes: 22.4 * 1024 ** 3,
    basis: 'facts',
    summary: '22.4 GiB/GPU = 15.2 weights + 6.1 KV at 32k + 1.1 runtime',
    parts: {
      weights_bytes: 15.2 * 1024 ** 3,
      kv_bytes: 6.1 * 1024 ** 3,
      runtime_bytes: 1.1 * 1024 ** 3,
      weights_from: 'files',
      kv_from: 'config.json',
      kv_tokens: 32768,
      kv_bytes_per_token: 57344,
      weights_what: '15.2 GiB of safetensors (hub file list)',
      kv_what: '56 KiB/token (28 layers x 4 KV heads x 128+128 dims x 2 bytes, config.json) x 32768 tokens',
      runtime_what: 'CUDA context and graphs 1 GiB',
    },
  },
};

describe('model detail', () => {
  it('shows download progress, cache status and events, refreshed from the API', async () => {
    const api = fakeApi({ 'GET /api/v2/models/tiny': () => detail });
    renderApp({ route: '/models/tiny', fetch: api.fetch, sessions: sessionAs('viewer') });
    const dl = await screen.findByTestId('download-progress');
    expect(dl).toHaveTextContent('Replica 0 on n1');
    expect(dl).toHaveTextContent('attempt 2');
    expect(dl).toHaveTextContent('1/3 files');
    expect(within(screen.getByTestId('cache-card')).getByText('complete')).toBeInTheDocument();
    expect(screen.getByTestId('spec-card')).toHaveTextContent('org/tiny');
    const mem = screen.getByTestId('memory-estimate');
    expect(mem).toHaveTextContent('22.4 GiB/GPU = 15.2 weights + 6.1 KV at 32k + 1.1 runtime');
    expect(mem).toHaveTextContent("from the model's files");
    expect(mem).toHaveTextContent('KV cache: 56 KiB/token');
    // viewers get no lifecycle buttons
    expect(screen.queryByRole('button', { name: 'Scale' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Start' })).toBeNull();
    await userEvent.setup().click(screen.getByRole('tab', { name: /Events/ }));
    expect(await screen.findByText('placed 2 replicas')).toBeInTheDocument();
  });

  it('operators pre-pull a stopped model ("Download") and see the progress per node', async () => {
    const pull = {
      model_uid: 'tiny',
      node_id: 'n2',
      model_name: 'org/tiny',
      model_source: 'huggingface',
      revision: 'main',
      engine_type: 'vllm',
      requested_at: now,
      status: 'downloading',
      bytes_done: 250,
      bytes_total: 1000,
      files_done: 1,
      files_total: 4,
      speed_bps: 1024,
    };
    const stopped = { ...detail, state: 'stopped', downloads: [], pulls: [] as unknown[] };
    const api = fakeApi({
      'GET /api/v2/models/tiny': () => stopped,
      'POST /api/v2/models/tiny/pull': () => {
        stopped.pulls = [pull];
        return { model_uid: 'tiny', nodes: ['n2'], chosen_by: 'planner', unplaced: null, pulls: [pull] };
      },
    });
    renderApp({ route: '/models/tiny', fetch: api.fetch, sessions: sessionAs('operator') });
    await userEvent.setup().click(await screen.findByTestId('pull-button'));
    const row = await screen.findByTestId('pull-progress');
    expect(row).toHaveTextContent('n2');
    expect(row).toHaveTextContent('downloading');
    expect(row).toHaveTextContent('1/4 files');
    expect(api.callsTo('POST', '/api/v2/models/tiny/pull')).toHaveLength(1);
  });

  it('viewers get no Download button', async () => {
    const api = fakeApi({
      'GET /api/v2/models/tiny': () => ({ ...detail, state: 'stopped', downloads: [] }),
    });
    renderApp({ route: '/models/tiny', fetch: api.fetch, sessions: sessionAs('viewer') });
    expect(await screen.findByTestId('spec-card')).toBeInTheDocument();
    expect(screen.queryByTestId('pull-button')).toBeNull();
  });

  it('says so when the model does not exist', async () => {
    const api = fakeApi({
      'GET /api/v2/models/ghost': () => apiError(404, 'MODEL_NOT_FOUND', 'model ghost not found'),
    });
    renderApp({ route: '/models/ghost', fetch: api.fetch, sessions: sessionAs('admin') });
    expect(await screen.findByText('Model ghost does not exist')).toBeInTheDocument();
  });

  it('shows the server message when loading fails', async () => {
    const api = fakeApi({
      'GET /api/v2/models/tiny': () => apiError(503, 'STORE_UNAVAILABLE', 'the store does not answer'),
    });
    renderApp({ route: '/models/tiny', fetch: api.fetch, sessions: sessionAs('admin') });
    await waitFor(
      () => expect(screen.getByTestId('error-state')).toHaveTextContent('the store does not answer'),
      { timeout: 15_000 },
    );
    expect(screen.getByTestId('error-state')).toHaveTextContent('STORE_UNAVAILABLE');
  });
});
