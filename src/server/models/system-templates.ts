import { ModelTemplate, type TemplateSpec } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { encode } from '../../store/json.js';
import type { Store } from '../../store/types.js';

interface SystemTemplateDef {
  template_id: string;
  name: string;
  description: string;
  category: ModelTemplate['category'];
  spec: TemplateSpec;
  replicas?: number;
}

const spec = (
  s: Partial<TemplateSpec> & Pick<TemplateSpec, 'model_name' | 'model_source' | 'engine_type'>,
): TemplateSpec => ({
  revision: 'main',
  engine_config: { extra_args: [], env: {} },
  resources: { gpu_count: 1 },
  labels: {},
  ...s,
});

/** A Hugging Face model served by vLLM on one GPU (the common case); `engine` adds vLLM settings. */
const vllmFromHf = (
  model_name: string,
  engine: Partial<TemplateSpec['engine_config']>,
  resources: Omit<TemplateSpec['resources'], 'gpu_count'>,
): TemplateSpec =>
  spec({
    model_name,
    model_source: 'huggingface',
    engine_type: 'vllm',
    engine_config: { extra_args: [], env: {}, ...engine },
    resources: { gpu_count: 1, ...resources },
  });

/**
 * Built-in templates for common models (seed 002 follow-up "系统内置模板"). Written at startup when absent,
 * with source `system`: users cannot edit or delete them (they can copy one by deploying it or saving a
 * model as a template of their own).
 */
export const SYSTEM_TEMPLATES: readonly SystemTemplateDef[] = [
  {
    template_id: 'qwen2.5-7b-instruct-vllm',
    name: 'Qwen2.5 7B Instruct (vLLM)',
    description: 'General chat model, 7.6B parameters, 32k context; one 24 GiB+ GPU.',
    category: 'chat',
    spec: vllmFromHf(
      'Qwen/Qwen2.5-7B-Instruct',
      { max_model_len: 32768, dtype: 'bfloat16' },
      { param_count_b: 7.6 },
    ),
  },
  {
    template_id: 'llama-3.1-8b-instruct-vllm',
    name: 'Llama 3.1 8B Instruct (vLLM)',
    description: 'Meta Llama 3.1 chat model, 8B parameters (gated on Hugging Face: needs HF_TOKEN on nodes).',
    category: 'chat',
    spec: vllmFromHf(
      'meta-llama/Llama-3.1-8B-Instruct',
      { max_model_len: 16384, dtype: 'bfloat16' },
      { param_count_b: 8 },
    ),
  },
  {
    template_id: 'bge-m3-embedding',
    name: 'BGE-M3 embeddings (vLLM)',
    description: 'Multilingual embedding model (568M parameters) for /v1/embeddings.',
    category: 'embedding',
    spec: vllmFromHf(
      'BAAI/bge-m3',
      { extra_args: ['--task', 'embed'] },
      { param_count_b: 0.57, gpu_memory_gib: 4 },
    ),
  },
  {
    template_id: 'bge-reranker-v2-m3',
    name: 'BGE reranker v2 M3 (vLLM)',
    description: 'Cross-encoder reranker for /v1/rerank.',
    category: 'rerank',
    spec: vllmFromHf(
      'BAAI/bge-reranker-v2-m3',
      { extra_args: ['--task', 'score'] },
      { param_count_b: 0.57, gpu_memory_gib: 4 },
    ),
  },
  {
    template_id: 'qwen2.5-0.5b-instruct-gguf',
    name: 'Qwen2.5 0.5B Instruct GGUF (llama.cpp)',
    description:
      'Small quantised chat model (Q4_K_M) that runs on CPU with llama.cpp; only that file of the repository is downloaded.',
    category: 'chat',
    spec: spec({
      model_name: 'Qwen/Qwen2.5-0.5B-Instruct-GGUF',
      model_source: 'huggingface',
      engine_type: 'llamacpp',
      gguf_quant: 'Q4_K_M',
      resources: { gpu_count: 0, param_count_b: 0.5 },
    }),
  },
  {
    template_id: 'sim-demo',
    name: 'Simulator demo',
    description: 'The built-in engine simulator: OpenAI-compatible answers without GPUs or weights.',
    category: 'chat',
    spec: spec({
      model_name: 'nebula/sim-demo',
      model_source: 'local',
      engine_type: 'sim',
      resources: { gpu_count: 0 },
    }),
  },
];

/**
 * Writes the system templates that are absent, and rewrites a stored system template whose definition
 * differs from the shipped one (users cannot edit system templates, so a difference is an older release's
 * definition: e.g. the GGUF template that once downloaded the whole repository). An unchanged definition
 * is not written again: a restart changes nothing.
 */
export async function seedSystemTemplates(store: Store, nowMs: number): Promise<number> {
  const iso = new Date(nowMs).toISOString();
  let written = 0;
  for (const def of SYSTEM_TEMPLATES) {
    const t = ModelTemplate.parse({
      template_id: def.template_id,
      name: def.name,
      description: def.description,
      category: def.category,
      source: 'system',
      spec: def.spec,
      deployment: { replicas: def.replicas ?? 1, node_selector: {}, placement_strategy: 'binpack' },
      created_at: iso,
      updated_at: iso,
    });
    const key = keys.template(def.template_id);
    const res = await store.txn({
      compare: [{ key, modRevision: 0 }],
      success: [{ op: 'put', key, value: encode(ModelTemplate, t) }],
    });
    if (res.succeeded) {
      written++;
      continue;
    }
    const cur = await store.get(key);
    let stored: ReturnType<typeof ModelTemplate.safeParse> | undefined;
    try {
      stored = cur ? ModelTemplate.safeParse(JSON.parse(cur.value)) : undefined;
    } catch {
      stored = undefined; // not JSON: leave it to the readers that report invalid stored values
    }
    if (!cur || !stored?.success || stored.data.source !== 'system') continue;
    const same = (a: ModelTemplate) =>
      JSON.stringify([a.name, a.description, a.category, a.spec, a.deployment]);
    if (same(stored.data) === same(t)) continue;
    const updated = { ...t, created_at: stored.data.created_at };
    const put = await store.txn({
      compare: [{ key, modRevision: cur.modRevision }],
      success: [{ op: 'put', key, value: encode(ModelTemplate, updated) }],
    });
    if (put.succeeded) written++;
  }
  return written;
}
