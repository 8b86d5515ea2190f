import { describe, expect, it } from 'vitest';
import type { ModelDetailView } from '../../api/schemas/models.js';
import { specFor } from '../../scheduler/fixtures.js';
import { memoryEstimateView } from '../../server/aggregation/estimate-view.js';
import { styleFor } from '../output/index.js';
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
