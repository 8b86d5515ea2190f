/**
 * The server's side of model files facts (DESIGN §11): when a model is created or imported, and when its
 * identity changes (model_name, model_source, revision, model_path, engine_type, GGUF file), the server
 * reads what its files say and stores it in `ModelSpec.facts`; the estimator then needs no name guessing.
 * Reading never blocks a write: failures leave facts out and are logged and recorded as a `facts` event.
 */
import type { ModelFacts } from '../../core/domain/model-facts.js';
import type { ModelSpec } from '../../core/domain/model.js';
import { SPEC_IDENTITY_FIELDS } from '../../core/domain/spec-fields.js';
import type { FactsResult, FactsTarget, RepoFile } from '../../facts/index.js';
import { formatBytes } from '../../scheduler/estimate/index.js';

/** Reads the facts of a model (bound to the server's hub clients and catalog listing). */
export type FactsComputer = (target: FactsTarget, files?: RepoFile[]) => Promise<FactsResult>;

/** The GGUF file a spec names (exact name or quantisation tag), when it names one. */
export type GgufFileOf = (
  spec: Pick<ModelSpec, 'model_name'> & Record<string, unknown>,
) => string | undefined;

/** The spec fields whose change means other files, so other facts (the `identity` role of spec-fields.ts). */
export const FACTS_IDENTITY_FIELDS = SPEC_IDENTITY_FIELDS;

/** What to read for `spec`; undefined for the simulator (it loads no files). */
export function factsTargetOf(spec: ModelSpec, file: string | undefined): FactsTarget | undefined {
  if (spec.engine_type === 'sim') return undefined;
  return {
    model_name: spec.model_name,
    model_source: spec.model_source,
    revision: spec.revision,
    model_path: spec.model_path,
    engine_type: spec.engine_type,
    ...(file !== undefined ? { file } : {}),
  };
}

/** One line for the `facts` event: "4.6 GiB gguf Q4_K_M, 32 layers, 8 KV heads, context 131072 (gguf-header)". */
export function describeFacts(f: ModelFacts): string {
  const bits: string[] = [];
  if (f.weights_bytes !== undefined) bits.push(`${formatBytes(f.weights_bytes)} of ${f.format} weights`);
  if (f.gguf_file_type) bits.push(f.gguf_file_type);
  if (f.num_layers !== undefined) bits.push(`${f.num_layers} layers`);
  if (f.num_kv_heads !== undefined) bits.push(`${f.num_kv_heads} KV heads`);
  if (f.head_dim !== undefined) bits.push(`head dim ${f.head_dim}`);
  if (f.max_context !== undefined) bits.push(`context ${f.max_context}`);
  if (f.num_experts !== undefined) bits.push(`${f.num_experts} experts`);
  const from = [f.weights_from, f.geometry_from].filter(Boolean).join(', ');
  return `${bits.join(', ')}${from ? ` (${from})` : ''}`;
}
