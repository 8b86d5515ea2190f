import type { DiskAlert, ModelRequest } from '../../core/domain/index.js';
import type { ModelView } from '../../api/schemas/models.js';
import type { Overview } from '../../api/schemas/v1.js';
import { countModelStates } from './model-view.js';
import type { NodesSnapshot } from './nodes-snapshot.js';
import type { ModelsSnapshot } from './snapshot.js';

function countBy<T>(items: readonly T[], key: (t: T) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of items) out[key(t)] = (out[key(t)] ?? 0) + 1;
  return out;
}

/** The cluster overview (pure): counts and health of nodes, GPUs, endpoints, placements, requests, models. */
export function buildOverview(input: {
  models: ModelsSnapshot;
  views: readonly ModelView[];
  nodes: NodesSnapshot;
  requests: readonly ModelRequest[];
  leader: string | null;
  revision: number;
  nowMs: number;
}): Overview {
  const { models, nodes } = input;
  const online = nodes.statuses.size;
  const known = new Set([...nodes.statuses.keys(), ...nodes.settings.keys()]);
  let gpus = 0;
  let memTotal = 0;
  let memUsed = 0;
  for (const s of nodes.statuses.values()) {
    for (const g of s.value.gpus) {
      gpus++;
      memTotal += g.memory_total_bytes;
      memUsed += g.memory_used_bytes;
    }
  }
  let reserved = 0;
  let replicas = 0;
  let unplaced = 0;
  for (const p of models.planList) {
    if (p.value.unplaced) unplaced++;
    for (const a of p.value.assignments) {
      replicas++;
      reserved += a.gpu_memory_bytes * a.gpu_indices.length;
    }
  }
  const endpoints = models.endpointList.map((t) => t.value);
  const alerts: DiskAlert[] = [...nodes.alerts.values()].flat();
  const counts = countModelStates(input.views);
  return {
    nodes: {
      total: known.size,
      online,
      offline: known.size - online,
      cordoned: [...nodes.settings.values()].filter((s) => s.value.cordoned || s.value.draining).length,
    },
    gpus: {
      total: gpus,
      memory_total_bytes: memTotal,
      memory_used_bytes: memUsed,
      memory_reserved_bytes: reserved,
    },
    endpoints: { total: endpoints.length, by_status: countBy(endpoints, (e) => e.status) },
    placements: { total: models.planList.length, unplaced, replicas },
    requests: { total: input.requests.length, by_status: countBy(input.requests, (r) => r.status) },
    models: { total: models.specs.size, by_state: counts },
    alerts: { total: alerts.length, critical: alerts.filter((a) => a.level === 'critical').length },
    scheduler_leader: input.leader,
    store_revision: input.revision,
    generated_at: new Date(input.nowMs).toISOString(),
  };
}
