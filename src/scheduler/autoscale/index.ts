export {
  Autoscaler,
  type AutoscalerOptions,
  type AutoscalerView,
  type AutoscalerMetrics,
} from './autoscaler.js';
export { decideReplicas, type AutoscaleInput, type AutoscaleMemory, type AutoscaleResult } from './decide.js';
export { createAutoscalerMetrics } from './metrics.js';
