/**
 * How a request for a LoRA adapter reaches an engine (DESIGN §11 "Adapters"): the router resolves the
 * client's `model` to (base, adapter) and asks this what to send. vLLM and SGLang serve each adapter under
 * its own name (`--lora-modules name=path`), so the adapter's name is the `model`. llama.cpp serves one
 * model and selects adapters per request (`lora: [{id, scale}]`, tools/server/server-schema.cpp; ids not
 * listed run at scale 0), so the base's name plus a `lora` list with the adapter at scale 1. Requests for
 * the base of a llama.cpp model with adapters carry every id at scale 0, for two reasons seen on the
 * pinned llama-server: `--lora-init-without-apply` only skips applying the adapters at startup, so a
 * request without `lora` gets every adapter at its load scale (1); and such a request reuses the slot's
 * cached prompt computed under another selection (server-context.cpp clears it only when a request names
 * a different adapter set).
 */
import type { EngineType } from '../core/domain/index.js';

/** What the router puts in the body for one replica: the `model`, and fields that replace the client's. */
export interface EngineModelSelection {
  servedName: string;
  bodyFields?: Record<string, unknown>;
}

/**
 * The selection for `adapter` (undefined: the base) on a replica of `engine` that serves the base as
 * `servedName` with `loaded` adapters (name and engine id).
 */
export function engineModelSelection(
  engine: EngineType,
  servedName: string,
  loaded: readonly { name: string; id: number }[],
  adapter: string | undefined,
): EngineModelSelection {
  if (engine !== 'llamacpp') return { servedName: adapter ?? servedName };
  if (loaded.length === 0) return { servedName };
  const lora = loaded.map((a) => ({ id: a.id, scale: a.name === adapter ? 1 : 0 }));
  return { servedName, bodyFields: { lora } };
}
