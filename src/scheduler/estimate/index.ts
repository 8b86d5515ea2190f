/** GPU memory per replica (pure): weights, KV cache and runtime, each part with its source. */
export {
  estimateReplicaMemory,
  perGpuBytesFromWeights,
  ESTIMATOR,
  RUNTIME,
  KV_SEQUENCES,
  currentFacts,
  formatParts,
  type EstimateBasis,
  type EstimateParts,
  type MemoryEstimate,
} from './estimator.js';
export { parseParamCountB } from './model-size.js';
export { formatBytes, formatSelector } from './format.js';
