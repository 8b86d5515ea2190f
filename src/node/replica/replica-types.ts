import type { Clock } from '../../core/clock.js';
import type {
  EndpointStatus,
  EngineType,
  EventLevel,
  EventType,
  LoraAdapter,
} from '../../core/domain/index.js';
import type { Logger } from '../../core/logger.js';
import type { ModelFiles } from '../cache/index.js';
import type { DesiredReplica } from './desired.js';
import type { EndpointWriter } from '../endpoint-writer.js';
import type {
  EngineAdapterLoader,
  EngineProcess,
  InFlight,
  NebulaBin,
  ReadinessSpec,
} from '../engine/index.js';
import type { EngineMetricNames } from '../../engines/types.js';
import type { EngineLaunchRequest } from './engine-launch.js';
import type { RestartBackoffPolicy } from './backoff.js';
import { DEFAULT_BACKOFF } from './backoff.js';

/** Environment variables that mark an engine as started by the agent owning `data-dir` (orphan scan). */
export const AGENT_MARKER_ENV = 'NEBULA_NODE_AGENT_DIR';
export const REPLICA_MARKER_ENV = 'NEBULA_REPLICA';

/**
 * Local lifecycle of a replica. `draining` (left the plan for a planned reason: out of rotation, finishing
 * its in-flight requests within the plan's grace before it is stopped), `unready` (was ready, stopped answering its probe: out of rotation, restarted
 * unless it answers again), `backoff` (waiting to restart after a failure) and `held` (force-stopped by an
 * operator) all show as endpoint status `failed`; `idle` has no endpoint.
 */
export type ReplicaPhase =
  'idle' | 'downloading' | 'starting' | 'ready' | 'unready' | 'backoff' | 'draining' | 'stopping' | 'held';

export function endpointStatusOf(phase: ReplicaPhase): EndpointStatus | undefined {
  switch (phase) {
    case 'downloading':
    case 'starting':
    case 'ready':
    case 'draining':
    case 'stopping':
      return phase;
    case 'unready':
    case 'backoff':
    case 'held':
      return 'failed';
    case 'idle':
      return undefined;
  }
}

/** Timings of the replica supervisor; tests shrink them. */
export interface ReplicaTiming {
  backoff: RestartBackoffPolicy;
  /** SIGTERM to SIGKILL when stopping an engine. */
  stopGraceMs: number;
  /** SIGTERM to SIGKILL for an operator's force-stop. */
  forceStopGraceMs: number;
  /**
   * A replica leaving the plan is published `draining` this long before its in-flight requests are
   * counted, so every router (they watch endpoints) has taken it out of rotation.
   */
  drainSettleMs: number;
  /** How often a draining engine's in-flight requests are read from its metrics. */
  drainPollMs: number;
  /** Readiness probe period while an engine starts. */
  probeIntervalMs: number;
  probeTimeoutMs: number;
  /** An engine not ready after this long is restarted (vLLM can take many minutes to load weights). */
  startupTimeoutMs: number;
  /** Readiness probe period once ready (a probe that times out counts towards it). */
  healthIntervalMs: number;
  /** Consecutive failed probes after ready that take the engine out of rotation (endpoint `failed`). */
  healthFailureThreshold: number;
  /**
   * How long an engine out of rotation may stay silent before it is restarted (one good answer puts it back
   * instead). Restarting reloads the weights (minutes for vLLM), so a briefly stalled engine is not killed.
   */
  unhealthyRestartMs: number;
  /** How often the exit of an adopted (not child) engine is checked. */
  adoptPollMs: number;
  /** Readiness deadline of an adopted engine that had been ready (a hung engine is restarted sooner). */
  adoptReadyTimeoutMs: number;
  /** Log files kept per replica. */
  keepLogs: number;
}

export const DEFAULT_REPLICA_TIMING: ReplicaTiming = {
  backoff: DEFAULT_BACKOFF,
  stopGraceMs: 10_000,
  forceStopGraceMs: 2_000,
  drainSettleMs: 1_500,
  drainPollMs: 250,
  probeIntervalMs: 500,
  // A frozen engine (SIGSTOP, a hung event loop) leaves the router within 1 + 3 x 1 s = 4 s of its last answer.
  probeTimeoutMs: 1_000,
  startupTimeoutMs: 30 * 60_000,
  healthIntervalMs: 1_000,
  healthFailureThreshold: 3,
  unhealthyRestartMs: 10_000,
  adoptPollMs: 1_000,
  adoptReadyTimeoutMs: 60_000,
  keepLogs: 10,
};

/** A replica as the admin API and metrics show it. */
export interface ReplicaView {
  model_uid: string;
  replica_id: number;
  /** The model's hub name (or local path) and source, from the plan's spec snapshot. */
  model_name: string;
  model_source: string;
  /** Its LoRA adapters, from the spec (their files are in use while the engine runs). */
  adapters?: LoraAdapter[];
  phase: ReplicaPhase;
  status: EndpointStatus | undefined;
  pid: number | undefined;
  port: number;
  gpu_indices: number[];
  /** Spec revision the replica runs (undefined on plans without revisions). */
  revision?: number | undefined;
  /** Plan version the replica applies (the endpoint's plan_version). */
  plan_version: number;
  /** Plan version its running, ready process serves (undefined while not ready). */
  running_plan_version: number | undefined;
  restarts: number;
  adopted: boolean;
  last_error: string | undefined;
  started_at: string | undefined;
  ready_at: string | undefined;
  next_restart_at: string | undefined;
  log_path: string | undefined;
  held: boolean;
}

export interface ReplicaEvent {
  type: EventType;
  message: string;
  level?: EventLevel;
}

/** What a replica controller needs from the agent. */
export interface ReplicaEnv {
  nodeId: string;
  address: string;
  dataDir: string;
  engineHost: string;
  clock: Clock;
  logger: Logger;
  writer: EndpointWriter;
  modelFiles: ModelFiles;
  loadAdapter: EngineAdapterLoader;
  nebulaBin: NebulaBin;
  /**
   * The program to launch for an engine: what the node's engine detection found (the one source of
   * `LaunchInput.executable`); undefined for `sim`. Rejects when the node does not have the engine.
   */
  engineExecutable(type: EngineType): Promise<string | undefined>;
  timing: ReplicaTiming;
  /** Smallest total memory of the given GPUs. */
  gpuMemoryTotal(indices: readonly number[]): number;
  /** Records a lifecycle event for this replica (fire and forget). */
  event(replica: DesiredReplica, planVersion: number, e: ReplicaEvent): void;
  /** Something the state file or metrics show changed. */
  onChange(): void;
  /** An engine was restarted after a failure. */
  onRestart(modelUid: string): void;
  /**
   * Whether a process listens on `port` (the engine's own having exited or not started yet, it is someone
   * else's). Default: the node's listening TCP ports (`/proc/net/tcp*`), the list its heartbeat reports.
   */
  portInUse?: (port: number) => Promise<boolean>;
  /** A replica's port turned out to be taken: publish the node's status now (the scheduler moves it). */
  onPortTaken?: () => void;
  fetch?: typeof fetch;
  /** Spawns an engine (default `launchEngine`; tests inject their own process). */
  launch?: (req: EngineLaunchRequest) => Promise<EngineProcess>;
  /** One readiness probe (default `probeOnce` on loopback). */
  probe?: (port: number, readiness: ReadinessSpec, timeoutMs: number) => Promise<boolean>;
  /** Reads a draining engine's in-flight requests (default `readInFlight` of its `/metrics`). */
  inFlight?: (
    port: number,
    names: Pick<EngineMetricNames, 'running' | 'waiting'>,
    timeoutMs: number,
  ) => Promise<InFlight>;
}
