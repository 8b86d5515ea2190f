import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';
import { ModelUid, NodeId, ReplicaId } from '../../core/ids.js';
import type { DesiredReplica } from './desired.js';
import { replicaKey } from './desired.js';

/**
 * `<data-dir>/node-state.json`: what this node's engines are, so a restarted agent (after a crash, a
 * kill -9 or an upgrade) adopts them instead of starting twins. Written atomically after every change.
 */
export const ReplicaRecord = z.object({
  model_uid: ModelUid,
  replica_id: ReplicaId,
  /** Absent when no process runs (force-stopped, or between a crash and its restart). */
  pid: z.number().int().positive().optional(),
  /** `/proc/<pid>/stat` field 22, to tell our process from a later one that reused the pid. */
  start_time: z.number().int().min(0).optional(),
  port: z.number().int().min(1).max(65535),
  fingerprint: z.string(),
  plan_version: z.number().int().min(0),
  log_path: z.string().optional(),
  restarts: z.number().int().min(0).default(0),
  started_at: z.string().optional(),
  ready_at: z.string().optional(),
  /** Force-stopped by an operator at this plan version: stays down until the plan changes. */
  held: z.object({ plan_version: z.number().int().min(0), reason: z.string() }).optional(),
});
export type ReplicaRecord = z.infer<typeof ReplicaRecord>;

export const NodeStateFile = z.object({
  version: z.literal(1),
  node_id: NodeId,
  updated_at: z.string(),
  replicas: z.array(ReplicaRecord),
});
export type NodeStateFile = z.infer<typeof NodeStateFile>;

/**
 * Reads the state file. A missing file is an empty state; an unreadable one is reported (and treated as
 * empty) rather than stopping the agent, since the orphan scan still finds its engines.
 */
export function readStateFile(path: string): { records: ReplicaRecord[]; nodeId?: string; error?: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { records: [] };
    return { records: [], error: `cannot read ${path}: ${(err as Error).message}` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return { records: [], error: `${path} is not JSON` };
  }
  const parsed = NodeStateFile.safeParse(raw);
  if (!parsed.success)
    return { records: [], error: `${path}: ${parsed.error.issues[0]?.message ?? 'invalid'}` };
  return { records: parsed.data.replicas, nodeId: parsed.data.node_id };
}

/** Writes the state file atomically (temp file + rename), so a crash never leaves half a file. */
export function writeStateFile(
  path: string,
  nodeId: string,
  records: ReplicaRecord[],
  now = new Date(),
): void {
  const body: NodeStateFile = {
    version: 1,
    node_id: nodeId,
    updated_at: now.toISOString(),
    replicas: records,
  };
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(NodeStateFile.parse(body), null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/** What to do with each record of a previous agent, given the plans and which processes still live. */
export interface AdoptionPlan {
  /** Alive, still planned, same launch: take over the running process. */
  adopt: ReplicaRecord[];
  /** Alive but no longer planned, launched differently, or a duplicate: stop it. */
  kill: ReplicaRecord[];
  /** Not running but still planned with the same launch: restart counters and holds carry over. */
  carry: ReplicaRecord[];
}

/**
 * Decides adoption (pure). `isAlive(pid, startTime)` says whether the recorded process still runs.
 * Never adopts two processes for one replica, and never keeps a process the plan no longer wants.
 */
export function planAdoption(
  records: readonly ReplicaRecord[],
  desired: ReadonlyMap<string, DesiredReplica>,
  isAlive: (pid: number, startTime: number) => boolean,
): AdoptionPlan {
  const plan: AdoptionPlan = { adopt: [], kill: [], carry: [] };
  const claimed = new Set<string>();
  for (const r of records) {
    const key = replicaKey(r.model_uid, r.replica_id);
    const d = desired.get(key);
    const alive = r.pid !== undefined && r.start_time !== undefined && isAlive(r.pid, r.start_time);
    const sameLaunch = d !== undefined && d.fingerprint === r.fingerprint;
    const stillHeld = r.held !== undefined && d !== undefined && d.planVersion <= r.held.plan_version;
    if (alive) {
      if (sameLaunch && !claimed.has(key) && !stillHeld) {
        plan.adopt.push(r);
        claimed.add(key);
      } else {
        plan.kill.push(r);
      }
    } else if (sameLaunch && !claimed.has(key)) {
      plan.carry.push(r);
      claimed.add(key);
    }
  }
  return plan;
}
