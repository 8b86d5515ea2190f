/** The node agent (DESIGN §3): heartbeat, GPUs, placement reconciler, engine supervisor, admin API. */
export {
  startNodeAgent,
  defaultNebulaBin,
  type NodeAgentOptions,
  type NodeAgentDeps,
  type NodeAgentHandle,
} from './agent.js';
export type {
  EngineAdapterLike,
  EngineAdapterLoader,
  LaunchContext,
  LaunchSpec,
  NebulaBin,
} from './engine/index.js';
export { parseGpuMode, type GpuMode, parseNvidiaSmiCsv, NVIDIA_SMI_ARGS } from './gpu/index.js';
export {
  DEFAULT_REPLICA_TIMING,
  type ReplicaTiming,
  type ReplicaView,
  type ReplicaPhase,
  DEFAULT_BACKOFF,
  type RestartBackoffPolicy,
} from './replica/index.js';
export { ModelFilesError, EngineLaunchError, NodeConfigError } from './errors.js';
