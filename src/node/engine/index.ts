/**
 * One engine process: how to launch it (the adapters' contract), supervise and stop it, ask whether it is
 * ready, and where its logs go.
 */
export {
  defaultEngineAdapterLoader,
  type EngineAdapterLike,
  type EngineAdapterLoader,
  type LaunchContext,
  type LaunchSpec,
  type NebulaBin,
} from './engine-contract.js';
export { EngineProcess, describeExit, type ExitInfo, type SpawnSpec } from './engine-process.js';
export { probeOnce, type ReadinessSpec } from './probe.js';
export { waitUntilReady, watchReadiness, type Probe, type ReadinessLoopOptions } from './readiness-loops.js';
export {
  fileSize,
  listReplicaLogs,
  nextLogNumber,
  pruneReplicaLogs,
  readRange,
  replicaLogDir,
  replicaLogPath,
  tailFile,
  withLogTail,
} from './log-files.js';
export { readInFlight, type InFlight } from './in-flight.js';
export { drainInFlight, type DrainLoopOptions, type DrainOutcome } from './drain-loop.js';
