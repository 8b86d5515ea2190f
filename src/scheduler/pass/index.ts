/**
 * One reconcile pass (pure): what should run, node availability, the plans that changed and their events,
 * and the fenced write per model it produces (executed by the control loop).
 */
export { desiredWorkloads, workloadOfDeployment, workloadOfRequest } from './desired.js';
export { nodeAvailability, type NodeAvailability, type NodeAvailabilityInput } from './node-health.js';
export {
  emptyNodeGrace,
  nodeGraceStep,
  noteNodeBack,
  noteNodeGone,
  type NodeGraceInput,
  type NodeGraceState,
  type NodeGraceStep,
} from './node-grace.js';
export { computePass, type PassInput, type PassOutput } from './pass.js';
export { buildPlan, planChanged, nextPlanVersion } from './plan-build.js';
export { emptyOp, executeOp, touchesPlan, touchesRequest, type WriteOp } from './writer.js';
