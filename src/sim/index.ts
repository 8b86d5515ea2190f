/** The engine simulator: an OpenAI-compatible server that behaves like vLLM, without a GPU. */
export { startEngineSim, type EngineSimDeps, type EngineSimHandle, type SimSnapshot } from './server.js';
export { runEngineSim } from './run.js';
export {
  SimOptions,
  SimMode,
  resolveSimOptions,
  type SimOptionsInput,
  type ResolvedSimOptions,
} from './options.js';
export { tokenize, renderChat } from './tokenizer.js';
export { blockHashes, PrefixCache, lookupPrefix, type PrefixLookup } from './prefix-cache.js';
export { SimScheduler, type ScheduledRequest, type SubmitResult } from './scheduler.js';
