/**
 * The scheduler: places model replicas on GPUs of nodes (DESIGN.md §3).
 * Pure parts: estimator, planner, node availability, pass. Thin controller around them.
 */
export { startScheduler, SchedulerOptions, type SchedulerDeps, type SchedulerHandle } from './start.js';
export { SchedulerController, type ControllerOptions } from './loop/index.js';
export { planModel, planWorkloads, PortPool } from './planner/index.js';
/** The memory estimator: `estimate/index.ts` owns its export list. */
export * from './estimate/index.js';
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
