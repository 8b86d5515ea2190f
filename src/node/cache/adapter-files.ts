/**
 * LoRA adapters are model files like any other (DESIGN §11 "Adapters"): each one is fetched, verified and
 * kept by the same code as weights, in the same layouts, under its own repository name, so it is a cache
 * entry of its own (scan, purge, LRU). This module says what an adapter is as a download: the base's spec
 * with the adapter's repository (or path) in place of the base's.
 */
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { LoraAdapter, ModelSpec } from '../../core/domain/index.js';

/** The spec the cache manager fetches an adapter by (the base's engine decides the layout and GGUF rule). */
export function adapterFilesSpec(base: ModelSpec, a: LoraAdapter): ModelSpec {
  const spec: ModelSpec = {
    ...base,
    model_name: a.model_id ?? a.path ?? a.name,
    model_source: a.source,
    revision: a.revision ?? 'main',
  };
  delete spec.model_path;
  delete spec.gguf_file;
  delete spec.gguf_quant;
  delete spec.adapters;
  delete spec.facts;
  if (a.path !== undefined) spec.model_path = a.path;
  if (a.gguf_file !== undefined) spec.gguf_file = a.gguf_file;
  return spec;
}

/** The cache's names (`source`, model name) of a spec's adapters, as scans and in-use checks key them. */
export function adapterRefs(
  spec: Pick<ModelSpec, 'adapters'>,
): { model_name: string; model_source: string }[] {
  return (spec.adapters ?? []).map((a) =>
    a.source === 'local'
      ? { model_name: resolve(a.path ?? ''), model_source: 'local' }
      : { model_name: a.model_id ?? '', model_source: a.source },
  );
}

/**
 * The LoRA rank `r` of a PEFT adapter folder (its `adapter_config.json`), for vLLM's and SGLang's
 * `--max-lora-rank`; undefined for a file (GGUF), a folder without the config or a value that is not a
 * whole number in 1-4096.
 */
export async function readAdapterRank(path: string): Promise<number | undefined> {
  let text: string;
  try {
    text = await readFile(join(path, 'adapter_config.json'), 'utf8');
  } catch {
    return undefined;
  }
  try {
    const r = (JSON.parse(text) as { r?: unknown }).r;
    return typeof r === 'number' && Number.isInteger(r) && r >= 1 && r <= 4096 ? r : undefined;
  } catch {
    return undefined;
  }
}
