import { EngineType } from '../core/domain/index.js';
import { EngineLaunchError } from './errors.js';
import type { EngineAdapter } from './types.js';

/** One lazily imported module per engine: adding an engine is adding a module and a line here. */
const loaders: Record<EngineType, () => Promise<{ adapter: EngineAdapter }>> = {
  vllm: () => import('./vllm.js'),
  sglang: () => import('./sglang.js'),
  llamacpp: () => import('./llamacpp.js'),
  sim: () => import('./sim.js'),
};

const loaded = new Map<EngineType, Promise<EngineAdapter>>();

/** The adapter of an engine type, imported on first use. Unknown types throw UNKNOWN_ENGINE_TYPE. */
export function loadEngineAdapter(type: string): Promise<EngineAdapter> {
  const parsed = EngineType.safeParse(type);
  if (!parsed.success) {
    return Promise.reject(
      new EngineLaunchError(
        `unknown engine type "${type}" (known: ${EngineType.options.join(', ')})`,
        'UNKNOWN_ENGINE_TYPE',
      ),
    );
  }
  const t = parsed.data;
  let p = loaded.get(t);
  if (!p) {
    p = loaders[t]().then((m) => m.adapter);
    loaded.set(t, p);
  }
  return p;
}

/** Every engine type an adapter exists for. */
export const engineTypes: readonly EngineType[] = EngineType.options;
