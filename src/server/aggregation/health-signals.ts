/**
 * Health and capacity signals of seed 001 §3.2 (engine health, GPU memory and utilisation, port
 * conflicts; plan_version consistency is `laggingEndpoints` in v1/views.ts), as pure functions of what
 * the store holds, so `/api/health`, `nebula status` and the console agree and the rules are tested alone.
 */
import type { Endpoint, NodeStatus, PlacementPlan } from '../../core/domain/index.js';

/** A GPU at or above this share of memory in use is reported as under memory pressure. */
export const GPU_MEMORY_PRESSURE_RATIO = 0.95;
/** An engine restarted this often and not ready is crash-looping. */
export const CRASH_LOOP_RESTARTS = 3;

export interface PortConflict {
  node_id: string;
  port: number;
  model_uid: string;
  replica_id: number;
  /** `foreign_process`: something Nebula did not start listens there; `duplicate`: two replicas share it. */
  kind: 'foreign_process' | 'duplicate';
  other_model_uid?: string;
  other_replica_id?: number;
}

/** Assignments whose port is taken on their node: by a foreign process, or by another assignment. */
export function portConflicts(
  nodes: readonly Pick<NodeStatus, 'node_id' | 'ports_in_use'>[],
  plans: readonly Pick<PlacementPlan, 'model_uid' | 'assignments'>[],
): PortConflict[] {
  const foreign = new Map(nodes.map((n) => [n.node_id, new Set(n.ports_in_use)]));
  const taken = new Map<string, { model_uid: string; replica_id: number }>();
  const out: PortConflict[] = [];
  const sorted = [...plans].sort((a, b) => a.model_uid.localeCompare(b.model_uid));
  for (const plan of sorted) {
    for (const a of plan.assignments) {
      const base = { node_id: a.node_id, port: a.port, model_uid: plan.model_uid, replica_id: a.replica_id };
      if (foreign.get(a.node_id)?.has(a.port)) out.push({ ...base, kind: 'foreign_process' });
      const slot = `${a.node_id}:${a.port}`;
      const first = taken.get(slot);
      if (first) {
        out.push({
          ...base,
          kind: 'duplicate',
          other_model_uid: first.model_uid,
          other_replica_id: first.replica_id,
        });
      } else {
        taken.set(slot, { model_uid: plan.model_uid, replica_id: a.replica_id });
      }
    }
  }
  return out;
}

export interface EngineIssue {
  model_uid: string;
  replica_id: number;
  node_id: string;
  status: Endpoint['status'];
  restarts: number;
  crash_looping: boolean;
  last_error: string | null;
  next_restart_at: string | null;
}

export interface EngineHealth {
  total: number;
  by_status: Record<string, number>;
  /** Engines that failed, or restarted at least once (newest problems are the operator's first read). */
  issues: EngineIssue[];
}

/** Engine health from the endpoints nodes publish: failed ones, restarts, crash loops. */
export function engineHealth(endpoints: readonly Endpoint[]): EngineHealth {
  const byStatus: Record<string, number> = {};
  const issues: EngineIssue[] = [];
  for (const e of endpoints) {
    byStatus[e.status] = (byStatus[e.status] ?? 0) + 1;
    if (e.status !== 'failed' && e.restarts === 0) continue;
    issues.push({
      model_uid: e.model_uid,
      replica_id: e.replica_id,
      node_id: e.node_id,
      status: e.status,
      restarts: e.restarts,
      crash_looping: e.restarts >= CRASH_LOOP_RESTARTS && e.status !== 'ready',
      last_error: e.last_error ?? null,
      next_restart_at: e.next_restart_at ?? null,
    });
  }
  issues.sort((a, b) => a.model_uid.localeCompare(b.model_uid) || a.replica_id - b.replica_id);
  return { total: endpoints.length, by_status: byStatus, issues };
}

export interface GpuSignal {
  node_id: string;
  index: number;
  name: string;
  memory_used_bytes: number;
  memory_total_bytes: number;
  memory_used_ratio: number;
  utilization_percent: number;
  memory_pressure: boolean;
}

/** Every GPU's memory and utilisation, flagged when its memory is nearly full. */
export function gpuSignals(nodes: readonly Pick<NodeStatus, 'node_id' | 'gpus'>[]): GpuSignal[] {
  const out: GpuSignal[] = [];
  for (const n of [...nodes].sort((a, b) => a.node_id.localeCompare(b.node_id))) {
    for (const g of n.gpus) {
      const ratio = g.memory_total_bytes > 0 ? g.memory_used_bytes / g.memory_total_bytes : 0;
      out.push({
        node_id: n.node_id,
        index: g.index,
        name: g.name,
        memory_used_bytes: g.memory_used_bytes,
        memory_total_bytes: g.memory_total_bytes,
        memory_used_ratio: Math.round(ratio * 1000) / 1000,
        utilization_percent: g.utilization_percent,
        memory_pressure: ratio >= GPU_MEMORY_PRESSURE_RATIO,
      });
    }
  }
  return out;
}

export interface HealthFacts {
  storeOk: boolean;
  /** What is wrong with the store, when it says (a fault of its file, an error answering). */
  storeError?: string;
  routerOk: boolean;
  leader: boolean;
  staleNodes: string[];
  lagging: number;
  conflicts: readonly PortConflict[];
  engines: EngineHealth;
  gpus: readonly GpuSignal[];
}

export interface HealthIssue {
  /** `critical` makes the cluster unhealthy; `warning` is worth a look but normal at times. */
  severity: 'critical' | 'warning';
  message: string;
}

/**
 * One line per problem, critical first. The cluster is healthy when none is critical. Replicas behind
 * their plan (every scale or update passes through that) and GPUs with nearly full memory (a GPU packed
 * by the scheduler, or vLLM's own pre-allocation, looks like that) are warnings.
 */
export function healthIssues(f: HealthFacts): { issues: HealthIssue[]; healthy: boolean } {
  const critical: string[] = [];
  const warning: string[] = [];
  if (!f.storeOk) critical.push(f.storeError ? `store error: ${f.storeError}` : 'store unreachable');
  if (!f.routerOk) critical.push('router unreachable');
  if (!f.leader) critical.push('scheduler has no leader');
  for (const n of f.staleNodes) critical.push(`node ${n}: heartbeat is stale`);
  for (const c of f.conflicts) {
    critical.push(
      c.kind === 'foreign_process'
        ? `port conflict: ${c.node_id}:${c.port} (${c.model_uid}/${c.replica_id}) is used by a process Nebula did not start`
        : `port conflict: ${c.node_id}:${c.port} is assigned to ${c.model_uid}/${c.replica_id} and ${c.other_model_uid}/${c.other_replica_id}`,
    );
  }
  for (const e of f.engines.issues) {
    const who = `engine ${e.model_uid}/${e.replica_id} on ${e.node_id}`;
    if (e.crash_looping) critical.push(`${who} is crash-looping (${e.restarts} restarts)`);
    else if (e.status === 'failed') critical.push(`${who} failed${e.last_error ? `: ${e.last_error}` : ''}`);
    else warning.push(`${who} restarted ${e.restarts} time(s)`);
  }
  for (const g of f.gpus) {
    if (g.memory_pressure) {
      warning.push(`GPU ${g.node_id}/${g.index}: memory ${Math.round(g.memory_used_ratio * 100)}% used`);
    }
  }
  if (f.lagging > 0) warning.push(`${f.lagging} replica(s) behind their plan_version`);
  return {
    issues: [
      ...critical.map((message) => ({ severity: 'critical' as const, message })),
      ...warning.map((message) => ({ severity: 'warning' as const, message })),
    ],
    healthy: critical.length === 0,
  };
}
