/**
 * The scheduler: places model replicas on GPUs of nodes (DESIGN.md §3).
 * Pure parts: estimator, planner, node availability, pass. Thin controller around them.
 */
export { startScheduler, SchedulerOptions, type SchedulerDeps, type SchedulerHandle } from './start.js';
export { SchedulerController, type ControllerOptions } from './loop/index.js';
export { planModel, planWorkloads, PortPool } from './planner/index.js';
export {
  estimateReplicaMemory,
  perGpuBytesFromWeights,
  ESTIMATOR,
  RUNTIME,
  KV_SEQUENCES,
  currentFacts,
  formatParts,
  parseParamCountB,
  type EstimateBasis,
  type EstimateParts,
  type MemoryEstimate,
} from './estimate/index.js';
export {
  desiredWorkloads,
  workloadOfDeployment,
  workloadOfRequest,
  nodeAvailability,
  type NodeAvailability,
  buildPlan,
  planChanged,
  nextPlanVersion,
} from './pass/index.js';
export { LeaderElector } from './leader.js';
export { SchedulerConfigError } from './errors.js';
export type { ClusterNode, ClusterState, Workload, PlanDecision, Move, Unplaced } from './types.js';
