/**
 * Prints the memory estimate of a local .gguf (or model directory) on llama.cpp for several `-c` values,
 * from the facts the server would store (file sizes, GGUF header), for comparing with the resident memory
 * of llama-server (bench/llamacpp). Usage:
 *   npx vite-node bench/facts/estimate.ts -- --path /abs/tiny-llama-Q8_0.gguf --ctx 256,4096 [--gpus 0]
 */
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { ModelSpec } from '../../src/core/domain/model.js';
import { readModelFacts } from '../../src/facts/index.js';
import { HubClient, hubPolicies } from '../../src/hub/index.js';
import { estimateReplicaMemory } from '../../src/scheduler/estimate/index.js';

const { values } = parseArgs({
  args: process.argv.slice(2).filter((a) => a !== '--'),
  options: {
    path: { type: 'string' },
    ctx: { type: 'string', default: '256,4096' },
    gpus: { type: 'string', default: '0' },
  },
});
if (!values.path) throw new Error('--path /abs/file.gguf is required');
const path = resolve(values.path);
const p = hubPolicies({
  hfEndpoint: 'https://huggingface.co',
  modelscopeEndpoint: 'https://www.modelscope.cn',
});
const hub = new HubClient({ policy: p.huggingface });
const target = {
  model_name: 'tiny',
  model_source: 'local' as const,
  revision: 'main',
  model_path: path,
  engine_type: 'llamacpp' as const,
};
const r = await readModelFacts(target, {
  hubs: { huggingface: hub, modelscope: hub },
  listFiles: async () => [],
  now: () => Date.now(),
});
if (!r.facts) throw new Error(`no facts: ${r.reason}`);
console.log('facts:', JSON.stringify(r.facts));
for (const c of (values.ctx ?? '').split(',').map(Number)) {
  const spec = ModelSpec.parse({
    model_uid: 'tiny',
    ...target,
    engine_config: { max_model_len: c },
    resources: { gpu_count: Number(values.gpus) },
    facts: r.facts,
    created_at: new Date().toISOString(),
    updated_at: new Date().toISOString(),
  });
  const e = estimateReplicaMemory(spec);
  console.log(`-c ${c}: ${e.summary}`);
  console.log(
    `  weights: ${e.parts?.weightsWhat}\n  KV: ${e.parts?.kvWhat}\n  runtime: ${e.parts?.runtimeWhat}`,
  );
}
