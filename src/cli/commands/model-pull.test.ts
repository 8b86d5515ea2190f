import { describe, expect, it } from 'vitest';
import { ModelPull } from '../../core/domain/index.js';
import { describePull } from './model-pull.js';

const base = ModelPull.parse({
  model_uid: 'm',
  node_id: 'gpu-1',
  model_name: 'org/m',
  model_source: 'huggingface',
  engine_type: 'vllm',
  requested_at: '2026-01-01T00:00:00.000Z',
});

describe('describePull (one line per node)', () => {
  it('says what each status means', () => {
    expect(describePull(base).line).toBe('gpu-1: waiting for the node');
    const dl = describePull({
      ...base,
      status: 'downloading',
      bytes_done: 512 * 1024,
      bytes_total: 2 * 1024 * 1024,
      speed_bps: 1024 * 1024,
    });
    expect(dl.line).toBe('gpu-1: downloading  [######------------------]  512 KiB / 2.0 MiB  25%  1.0 MiB/s');
    expect(dl.key).toBe('downloading');
    expect(
      describePull({ ...base, status: 'done', bytes_done: 2048, bytes_total: 2048, cached: true }).line,
    ).toBe('gpu-1: done  2.0 KiB (already cached)');
    expect(describePull({ ...base, status: 'failed', error: 'hub said 404' }).line).toBe(
      'gpu-1: failed  hub said 404',
    );
  });
});
