import { describe, expect, it } from 'vitest';
import type { ModelDetailView } from '../../api/schemas/models.js';
import { rolloutLine } from '../../core/rollout-line.js';
import { specFor } from '../../scheduler/fixtures.js';
import { memoryEstimateView } from '../../server/aggregation/estimate-view.js';
import { styleFor } from '../output/index.js';
import { describeRollout } from './model-revisions.js';
import { modelDetail } from './model-views.js';

const style = styleFor({ isTTY: false } as never, {});

function detailOf(spec: ReturnType<typeof specFor>): ModelDetailView {
  return {
    model_uid: spec.model_uid,
    model_name: spec.model_name,
    model_source: spec.model_source,
    engine_type: spec.engine_type,
    served_model_name: spec.model_uid,
    state: 'stopped',
    state_reason: null,
    desired_state: 'stopped',
    desired_replicas: 1,
    ready_replicas: 0,
    total_replicas: 0,
    plan_version: null,
    download: null,
    spec,
    deployment: null,
    labels: {},
    created_at: spec.created_at,
    updated_at: spec.updated_at,
    resource_version: 1,
    plan: null,
    endpoints: [],
    downloads: [],
    cache: [],
    events: [],
    stats: null,
    memory_estimate: memoryEstimateView(spec),
  };
}

describe('nebula model get', () => {
  it('shows the memory estimate and where each part came from', () => {
    const spec = specFor('llama', {
      model_name: 'meta-llama/Llama-3.1-8B-Instruct',
      engine_type: 'vllm',
      engine_config: { max_model_len: 8192, extra_args: [], env: {} },
      facts: {
        read_for: {
          model_name: 'meta-llama/Llama-3.1-8B-Instruct',
          model_source: 'huggingface',
          revision: 'main',
        },
        computed_at: '2026-01-01T00:00:00.000Z',
        format: 'safetensors',
        weights_bytes: 16_060_522_496,
        weights_from: 'safetensors-index',
        geometry_from: 'config.json',
        num_layers: 32,
        num_attention_heads: 32,
        num_kv_heads: 8,
        hidden_size: 4096,
        vocab_size: 128256,
        notes: [],
      },
    });
    const out = modelDetail(detailOf(spec), style, Date.parse('2026-01-02T00:00:00Z'));
    expect(out).toMatch(/Memory:\s+\d+\.\d GiB\/GPU = 15\.0 weights \+ 1\.0 KV at 8k \+ \d\.\d runtime/);
    expect(out).toMatch(/weights:\s+15 GiB of safetensors \(safetensors index\)/);
    expect(out).toMatch(
      /KV cache:\s+128 KiB\/token \(32 layers x 8 KV heads x 128\+128 dims x 2 bytes, config\.json\)/,
    );
  });

  it('labels a size guessed from the name', () => {
    const spec = specFor('q', { model_name: 'Qwen/Qwen2.5-7B-Instruct', engine_type: 'vllm' });
    expect(modelDetail(detailOf(spec), style)).toMatch(/Memory:\s+.*\(name-guess\)/);
  });
});

describe('the rollout line (one wording for the CLI and the console)', () => {
  const base = { to_revision: 3, updated_ready: 1, wanted: 2 };
  it.each([
    ['progressing', undefined, 'updating 1/2 on r3', 'updating 1/2 on r3'],
    ['paused', undefined, 'paused at 1/2 on r3', 'paused at 1/2 on r3'],
    ['complete', undefined, 'complete 1/2 on r3', 'complete 1/2 on r3'],
    ['rolled_back', undefined, 'rolled back from r3', 'rolled back from r3'],
    ['rolled_back', 'crashed', 'rolled back from r3 (crashed)', 'rolled back from r3: crashed'],
    ['failed', 'no GPU', 'rollout to r3 failed (no GPU)', 'rollout to r3 failed: no GPU'],
  ] as const)('%s (%s)', (phase, reason, cli, console) => {
    const r = { ...base, phase, ...(reason !== undefined ? { reason } : {}) };
    expect(describeRollout({ rollout: { ...r, started_at: '2026-01-01T00:00:00.000Z' } })).toBe(cli);
    expect(rolloutLine(r)).toBe(cli);
    expect(rolloutLine(r, 'colon')).toBe(console);
  });

  it('says nothing without a rollout', () => {
    expect(describeRollout({})).toBeUndefined();
  });
});
