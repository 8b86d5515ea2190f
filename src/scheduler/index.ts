/**
 * The scheduler: places model replicas on GPUs of nodes (DESIGN.md §3).
 * Pure parts: estimator, planner, node availability, pass. Thin controller around them.
 */
export { startScheduler, SchedulerOptions, type SchedulerDeps, type SchedulerHandle } from './start.js';
export { SchedulerController, type ControllerOptions } from './controller.js';
export { planModel, planWorkloads } from './planner.js';
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
export { desiredWorkloads, workloadOfDeployment, workloadOfRequest } from './desired.js';
export { nodeAvailability, type NodeAvailability } from './node-health.js';
export { buildPlan, planChanged, nextPlanVersion } from './plan-build.js';
export { PortPool } from './ports.js';
export { LeaderElector } from './leader.js';
export { SchedulerConfigError } from './errors.js';
export type { ClusterNode, ClusterState, Workload, PlanDecision, Move, Unplaced } from './types.js';
