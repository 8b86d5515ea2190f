/**
 * One replica on this node: what the plan asks for, its controller (launch, readiness, restarts with
 * backoff), the state file that lets a new agent adopt it, and the views the API and metrics read.
 */
export { DEFAULT_BACKOFF, type RestartBackoffPolicy } from './backoff.js';
export {
  DEFAULT_DRAIN_GRACE_MS,
  desiredReplicas,
  drainGraceOf,
  replicaKey,
  specOfAssignment,
  type DesiredReplica,
} from './desired.js';
export { planAdoption, readStateFile, writeStateFile, type ReplicaRecord } from './node-state.js';
export { ReplicaController } from './replica-controller.js';
export {
  AGENT_MARKER_ENV,
  REPLICA_MARKER_ENV,
  DEFAULT_REPLICA_TIMING,
  type ReplicaEnv,
  type ReplicaEvent,
  type ReplicaPhase,
  type ReplicaTiming,
  type ReplicaView,
} from './replica-types.js';
