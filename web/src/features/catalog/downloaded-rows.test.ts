import { describe, expect, it } from 'vitest';
import type { CachedModel, ModelView } from '../../api/types.ts';
import { fixtures } from '../../test/harness.tsx';
import { buildDownloadedRows } from './downloaded-rows.ts';

const cached = (over: Partial<CachedModel> = {}): CachedModel => ({
  model_name: 'org/a',
  source: 'huggingface',
  revision: 'main',
  size_bytes: 1000,
  total_bytes: 2000,
  node_count: 2,
  complete_nodes: 2,
  nodes: [
    { node_id: 'n1', size_bytes: 1000, complete: true, last_used_at: null, path: '/c/a', name_hash: 'h1' },
    {
      node_id: 'n2',
      size_bytes: 1000,
      complete: true,
      last_used_at: '2025-01-01T00:00:00.000Z',
      path: '/c/a',
      name_hash: 'h1',
    },
  ],
  last_used_at: '2025-01-01T00:00:00.000Z',
  models: [],
  ...over,
});
const model = (over: Record<string, unknown>) => fixtures.model(over) as unknown as ModelView;

describe('buildDownloadedRows', () => {
  it('lists cached files nobody uses as a row without uid or state', () => {
    const rows = buildDownloadedRows([cached()], []);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      model_name: 'org/a',
      model_uid: null,
      state: null,
      node_count: 2,
      size_bytes: 1000,
    });
  });

  it('gives each model using the files its own row with its live state', () => {
    const rows = buildDownloadedRows(
      [cached({ models: [{ model_uid: 'a-one', state: 'running' }] })],
      [
        model({ model_uid: 'a-one', model_name: 'org/a', state: 'degraded' }),
        model({ model_uid: 'a-two', model_name: 'org/a', state: 'stopped' }),
      ],
    );
    expect(rows.map((r) => [r.model_uid, r.state, r.node_count])).toEqual([
      ['a-one', 'degraded', 2],
      ['a-two', 'stopped', 2],
    ]);
  });

  it('shows models with nothing cached yet (a download under way) with their progress', () => {
    const download = { bytes_done: 50, bytes_total: 100, percent: 50, replicas: 1 };
    const rows = buildDownloadedRows(
      [],
      [model({ model_uid: 'fresh', model_name: 'org/b', state: 'downloading', download })],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        model_uid: 'fresh',
        state: 'downloading',
        download,
        node_count: 0,
        size_bytes: 100,
      }),
    ]);
  });

  it('does not match files of another source with the same name', () => {
    const rows = buildDownloadedRows(
      [cached({ source: 'modelscope' })],
      [model({ model_uid: 'hf', model_name: 'org/a' })],
    );
    expect(rows.map((r) => [r.source, r.model_uid])).toEqual([
      ['modelscope', null],
      ['huggingface', 'hf'],
    ]);
  });
});
