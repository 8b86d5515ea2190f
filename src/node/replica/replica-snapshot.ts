import type { Endpoint } from '../../core/domain/index.js';
import type { DesiredReplica } from './desired.js';
import type { EngineProcess } from '../engine/index.js';
import type { ReplicaRecord } from './node-state.js';
import { endpointStatusOf, type ReplicaPhase, type ReplicaView } from './replica-types.js';

/** What a replica controller knows at one moment (read-only), from which every outside view is derived. */
export interface ReplicaFacts {
  desired: DesiredReplica;
  phase: ReplicaPhase;
  proc: EngineProcess | undefined;
  appliedPlanVersion: number;
  runningPlanVersion: number | undefined;
  restarts: number;
  lastError: string | undefined;
  startedAt: number | undefined;
  readyAt: number | undefined;
  nextRestartAt: number | undefined;
  held: { planVersion: number; reason: string } | undefined;
  lastLogPath: string | undefined;
}

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());
const livePid = (f: ReplicaFacts) => (f.proc?.running ? f.proc.pid : undefined);

/** The endpoint to publish, or undefined in a phase that has none. */
export function toEndpoint(
  f: ReplicaFacts,
  nodeId: string,
  address: string,
  now: number,
): Endpoint | undefined {
  const status = endpointStatusOf(f.phase);
  if (!status) return undefined;
  const d = f.desired;
  return {
    model_uid: d.modelUid,
    replica_id: d.replicaId,
    node_id: nodeId,
    address,
    port: d.assignment.port,
    engine_type: d.spec.engine_type,
    served_model_name: d.spec.served_model_name ?? d.modelUid,
    status,
    plan_version: f.appliedPlanVersion,
    ...(d.revision !== undefined ? { revision: d.revision } : {}),
    gpu_indices: d.assignment.gpu_indices,
    pid: livePid(f),
    restarts: f.restarts,
    last_error: f.lastError?.slice(0, 4000),
    started_at: iso(f.startedAt),
    ready_at: f.phase === 'ready' ? iso(f.readyAt) : undefined,
    next_restart_at: f.phase === 'backoff' || f.phase === 'unready' ? iso(f.nextRestartAt) : undefined,
    updated_at: new Date(now).toISOString(),
  };
}

/** The admin API's view. */
export function toView(f: ReplicaFacts): ReplicaView {
  const d = f.desired;
  return {
    model_uid: d.modelUid,
    replica_id: d.replicaId,
    model_name: d.spec.model_name,
    model_source: d.spec.model_source,
    phase: f.phase,
    status: endpointStatusOf(f.phase),
    pid: livePid(f),
    port: d.assignment.port,
    gpu_indices: d.assignment.gpu_indices,
    revision: d.revision,
    plan_version: f.appliedPlanVersion,
    running_plan_version: f.runningPlanVersion,
    restarts: f.restarts,
    adopted: f.proc?.adopted ?? false,
    last_error: f.lastError,
    started_at: iso(f.startedAt),
    ready_at: iso(f.readyAt),
    next_restart_at: iso(f.nextRestartAt),
    log_path: f.proc?.logPath ?? f.lastLogPath,
    held: f.held !== undefined,
  };
}

/** The state file's record. */
export function toRecord(f: ReplicaFacts): ReplicaRecord {
  const d = f.desired;
  const r: ReplicaRecord = {
    model_uid: d.modelUid,
    replica_id: d.replicaId,
    port: d.assignment.port,
    fingerprint: d.fingerprint,
    plan_version: f.appliedPlanVersion,
    restarts: f.restarts,
  };
  if (f.proc?.running) {
    r.pid = f.proc.pid;
    r.start_time = f.proc.startTime;
    r.log_path = f.proc.logPath;
  }
  if (f.startedAt !== undefined) r.started_at = iso(f.startedAt);
  if (f.readyAt !== undefined) r.ready_at = iso(f.readyAt);
  if (f.held) r.held = { plan_version: f.held.planVersion, reason: f.held.reason };
  return r;
}
