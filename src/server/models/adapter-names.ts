/**
 * LoRA adapter names share one namespace with the names clients reach base models by (model_uid and
 * served_model_name): the router resolves a request's `model` to (base, adapter) by name alone, so a name
 * must point at one thing in the whole cluster. Pure: the spec to store against every other stored spec.
 */
import type { ModelSpec } from '../../core/domain/index.js';
import { ApiError, errors } from '../errors.js';

/** Engines that load LoRA adapters (the simulator does not). */
const LORA_ENGINES: ReadonlySet<string> = new Set(['vllm', 'sglang', 'llamacpp']);

/** What a name points at, for the message. */
function claims(spec: ModelSpec): Map<string, string> {
  const out = new Map<string, string>();
  out.set(spec.model_uid, `model "${spec.model_uid}"`);
  if (spec.served_model_name !== undefined)
    out.set(spec.served_model_name, `the served name of model "${spec.model_uid}"`);
  for (const a of spec.adapters ?? []) out.set(a.name, `an adapter of model "${spec.model_uid}"`);
  return out;
}

/** The one-line reason `spec` may not be stored next to `others`, or undefined. */
export function adapterNameProblem(spec: ModelSpec, others: Iterable<ModelSpec>): string | undefined {
  const adapters = spec.adapters ?? [];
  for (const a of adapters) {
    if (a.name === spec.model_uid || a.name === spec.served_model_name)
      return `adapter name "${a.name}" is the base model's own name`;
  }
  const own = claims(spec);
  for (const other of others) {
    if (other.model_uid === spec.model_uid) continue;
    const theirs = claims(other);
    // Adapter names against every name of the others; the base's names against the others' adapters.
    for (const a of adapters) {
      const hit = theirs.get(a.name);
      if (hit !== undefined) return `adapter name "${a.name}" is taken by ${hit}`;
    }
    for (const oa of other.adapters ?? []) {
      const hit = own.get(oa.name);
      if (hit !== undefined && !adapters.some((a) => a.name === oa.name))
        return `name "${oa.name}" of model "${spec.model_uid}" is taken by an adapter of model "${other.model_uid}"`;
    }
  }
  return undefined;
}

/** 422 when the engine cannot load adapters; 409 ADAPTER_NAME_TAKEN when a name is not free. */
export function checkAdapters(spec: ModelSpec, others: Iterable<ModelSpec>): void {
  if ((spec.adapters?.length ?? 0) > 0 && !LORA_ENGINES.has(spec.engine_type)) {
    throw errors.invalid(`engine "${spec.engine_type}" does not load LoRA adapters`, 'VALIDATION_FAILED', {
      issues: [{ path: 'adapters', message: `not supported by engine ${spec.engine_type}` }],
    });
  }
  const problem = adapterNameProblem(spec, others);
  if (problem !== undefined) throw new ApiError(409, 'ADAPTER_NAME_TAKEN', problem);
}

/** `; adapters +fr -sql` for the model's event (empty when the names did not change). */
export function adapterChange(
  before: readonly { name: string }[] | undefined,
  after: readonly { name: string }[] | undefined,
): string {
  const b = new Set((before ?? []).map((a) => a.name));
  const a = new Set((after ?? []).map((x) => x.name));
  const parts = [
    ...[...a].filter((n) => !b.has(n)).map((n) => `+${n}`),
    ...[...b].filter((n) => !a.has(n)).map((n) => `-${n}`),
  ];
  return parts.length === 0 ? '' : `; adapters ${parts.join(' ')}`;
}
