/** Rolling updates, automatic rollback and migrating drains (pure): one step per pass beside the planner. */
export {
  drainGraceSeconds,
  launchIdentity,
  needsRollout,
  normalizePlan,
  resolveTarget,
  revisionOf,
  rolloutStep,
  sameLaunch,
  specOfRevision,
  specsFor,
  type PlaceFn,
  type PlaceRequest,
  type ReadinessEndpoint,
  type RolloutInput,
  type RolloutOutput,
  type Target,
} from './rollout.js';
