import { fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Role } from '../../api/types.ts';
import { apiError, type Call, fakeApi, fixtures, renderApp, sessionAs } from '../../test/harness.tsx';

const item = (id: string, source = 'huggingface') => ({
  id,
  source,
  name: id.split('/')[1],
  author: id.split('/')[0],
  task: 'text-generation',
  size: 3 * 1024 ** 3,
  downloads: 12_345,
  likes: 67,
  updated_at: '2025-01-02T03:04:05.000Z',
  tags: [],
  library: 'transformers',
});

function setup(role: Role, opts: { hubDown?: boolean } = {}) {
  let models: unknown[] = [];
  const cache = {
    items: [
      {
        model_name: 'org/cached',
        source: 'huggingface',
        revision: 'main',
        size_bytes: 2 * 1024 ** 3,
        total_bytes: 4 * 1024 ** 3,
        node_count: 2,
        complete_nodes: 2,
        nodes: [
          {
            node_id: 'n1',
            size_bytes: 1,
            complete: true,
            last_used_at: null,
            path: '/c',
            name_hash: 'aaaa0001',
          },
          {
            node_id: 'n2',
            size_bytes: 1,
            complete: true,
            last_used_at: null,
            path: '/c',
            name_hash: 'bbbb0002',
          },
        ],
        last_used_at: null,
        models: [],
      },
    ],
    total_bytes: 4 * 1024 ** 3,
    node_count: 2,
  };
  const api = fakeApi({
    'GET /api/v2/cache/summary': () => cache,
    'GET /api/v2/models': () => fixtures.modelList(models),
    'GET /api/v2/catalog/search': ({ query }: Call) => {
      if (opts.hubDown)
        return apiError(503, 'HUB_UNAVAILABLE', 'huggingface is unreachable: connect ECONNREFUSED');
      const q = query.get('q') ?? '';
      const page = Number(query.get('page'));
      const all = Array.from({ length: 45 }, (_, i) => item(`org/${q || 'model'}-${i}`));
      return {
        provider: query.get('provider'),
        query: q,
        page,
        limit: 20,
        items: all.slice((page - 1) * 20, page * 20),
        has_more: page * 20 < all.length,
      };
    },
    'POST /api/v2/catalog/import': ({ body }: Call) => {
      const b = body as { model_id: string; model_uid: string };
      const m = fixtures.model({
        model_uid: b.model_uid,
        model_name: b.model_id,
        state: 'downloading',
        ready_replicas: 0,
        download: { bytes_done: 10, bytes_total: 100, percent: 10, replicas: 1 },
      });
      models = [m];
      return { model: m, warnings: [] };
    },
  });
  renderApp({ route: '/catalog', fetch: api.fetch, sessions: sessionAs(role) });
  return { api, user: userEvent.setup() };
}

const searches = (api: ReturnType<typeof fakeApi>) => api.callsTo('GET', '/api/v2/catalog/search');

describe('model catalog', () => {
  it('lists downloaded models with source, size and node spread', async () => {
    setup('viewer');
    const row = await screen.findByTestId('downloaded-row-org/cached');
    expect(row).toHaveTextContent('Hugging Face');
    expect(row).toHaveTextContent('2.00 GiB');
    expect(row).toHaveTextContent('2 nodes');
    expect(row).toHaveTextContent('files only');
  });

  it('searches once per pause in typing, 20 per page, with the seed columns', async () => {
    const { api, user } = setup('viewer');
    await screen.findByTestId('search-results');
    expect(searches(api)[0]?.query.get('limit')).toBe('20');
    const before = searches(api).length;
    // Keystrokes in a burst: one request for the final text, and not before the pause.
    const box = screen.getByLabelText('Search the hub');
    for (const v of ['q', 'qw', 'qwe', 'qwen']) fireEvent.change(box, { target: { value: v } });
    expect(searches(api).length).toBe(before);
    await waitFor(() => expect(searches(api).some((c) => c.query.get('q') === 'qwen')).toBe(true));
    const typed = searches(api).slice(before);
    expect(typed.map((c) => c.query.get('q'))).toEqual(['qwen']);

    const table = await screen.findByTestId('search-results');
    await within(table).findByText('org/qwen-0');
    expect(within(table).getAllByRole('row')).toHaveLength(21);
    for (const col of ['Model ID', 'Source', 'Task', 'Size', 'Downloads', 'Likes', 'Updated'])
      expect(within(table).getByRole('columnheader', { name: col })).toBeInTheDocument();
    expect(within(screen.getByTestId('hub-row-org/qwen-0')).getByText('12.3k')).toBeInTheDocument();

    await user.click(screen.getByRole('button', { name: '2' }));
    await within(screen.getByTestId('search-results')).findByText('org/qwen-20');
    expect(searches(api).at(-1)?.query.get('page')).toBe('2');

    await user.click(screen.getByRole('radio', { name: 'ModelScope' }));
    await waitFor(() => expect(searches(api).at(-1)?.query.get('provider')).toBe('modelscope'));
    expect(searches(api).at(-1)?.query.get('page')).toBe('1');
  });

  it('imports from a search result with the small form and shows the download under Downloaded models', async () => {
    const { api, user } = setup('operator');
    await screen.findByTestId('search-results');
    await user.click(screen.getByRole('button', { name: 'Download org/model-3' }));
    const dialog = await screen.findByRole('dialog', { name: 'Download model' });
    expect(within(dialog).getByLabelText('Model UID')).toHaveValue('model-3');
    await user.clear(within(dialog).getByLabelText('Model UID'));
    await user.type(within(dialog).getByLabelText('Model UID'), 'Bad_UID');
    await user.click(within(dialog).getByRole('button', { name: 'Download' }));
    expect(await within(dialog).findByText(/lowercase letters/)).toBeInTheDocument();
    expect(api.callsTo('POST', '/api/v2/catalog/import')).toHaveLength(0);

    await user.clear(within(dialog).getByLabelText('Model UID'));
    await user.type(within(dialog).getByLabelText('Model UID'), 'my-model');
    await user.click(within(dialog).getByRole('button', { name: 'Download' }));
    expect(await api.sentOnce('POST', '/api/v2/catalog/import')).toEqual({
      provider: 'huggingface',
      model_id: 'org/model-3',
      model_uid: 'my-model',
      engine_type: 'vllm',
      replicas: 1,
      auto_start: true,
    });
    const row = await screen.findByTestId('downloaded-row-my-model');
    expect(within(row).getByTestId('catalog-download-progress')).toBeInTheDocument();
    expect(row.querySelector('[data-state]')).toHaveAttribute('data-state', 'downloading');
  });

  it('falls back to downloaded-only mode when the hub is unavailable', async () => {
    setup('admin', { hubDown: true });
    expect(await screen.findByTestId('downloaded-only')).toHaveTextContent('huggingface is unreachable');
    expect(screen.getByTestId('search-unavailable')).toBeInTheDocument();
    expect(screen.queryByTestId('search-results')).toBeNull();
    expect(await screen.findByTestId('downloaded-row-org/cached')).toBeInTheDocument();
  });

  it('hides download from viewers and delete from operators', async () => {
    setup('viewer');
    await screen.findByTestId('search-results');
    expect(screen.queryAllByRole('button', { name: /^Download / })).toHaveLength(0);
    expect(screen.queryByRole('button', { name: /^Delete / })).toBeNull();
  });

  it('deletes cached files after confirmation (admins), naming each entry by the hash the server gives', async () => {
    const { api, user } = setup('admin');
    await screen.findByTestId('downloaded-row-org/cached');
    await user.click(screen.getByRole('button', { name: 'Delete org/cached' }));
    const dialog = await screen.findByRole('dialog', { name: 'Delete org/cached?' });
    await user.click(within(dialog).getByRole('button', { name: 'Delete' }));
    await waitFor(() =>
      expect(api.calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual([
        '/api/v2/nodes/n1/cache/aaaa0001',
        '/api/v2/nodes/n2/cache/bbbb0002',
      ]),
    );
  });
});
