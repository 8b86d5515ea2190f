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
} from './engine-contract.js';
export { parseGpuMode, type GpuMode } from './gpu-mode.js';
export { parseNvidiaSmiCsv, NVIDIA_SMI_ARGS } from './nvidia-smi.js';
export {
  DEFAULT_REPLICA_TIMING,
  type ReplicaTiming,
  type ReplicaView,
  type ReplicaPhase,
} from './replica-types.js';
export { DEFAULT_BACKOFF, type RestartBackoffPolicy } from './backoff.js';
export { ModelFilesError, EngineLaunchError, NodeConfigError } from './errors.js';
