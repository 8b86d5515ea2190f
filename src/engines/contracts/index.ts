import type { EngineType } from '../../core/domain/index.js';
import type { EngineContract } from '../contract.js';
import { LLAMACPP_CONTRACT } from './llamacpp.js';
import { SGLANG_CONTRACT } from './sglang.js';
import { SIM_CONTRACT } from './sim.js';
import { VLLM_CONTRACT } from './vllm.js';

/** Every engine's contract (data only, small: the server checks engine_config without loading adapters). */
export const ENGINE_CONTRACTS: Readonly<Record<EngineType, EngineContract>> = {
  vllm: VLLM_CONTRACT,
  sglang: SGLANG_CONTRACT,
  llamacpp: LLAMACPP_CONTRACT,
  sim: SIM_CONTRACT,
};

export { LLAMACPP_CONTRACT, SGLANG_CONTRACT, SIM_CONTRACT, VLLM_CONTRACT };
