import { ComponentStatus, LeaderRecord, NodeStatus } from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import { keys, kindFilter, prefixes } from '../../core/keys.js';
import { storeFault } from '../system-routes.js';
import { buildOverview } from '../aggregation/overview.js';
import type { ServerContext } from '../context.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { aggregateState } from '../aggregation/state.js';
import { engineHealth, gpuSignals, healthIssues, portConflicts } from '../aggregation/health-signals.js';
const HEARTBEAT_STALE_SECONDS = 30;

async function leader(ctx: ServerContext): Promise<{ holder: string; since: string } | undefined> {
  const t = await ctx.reader.get(keys.leader('scheduler'), LeaderRecord).catch(() => undefined);
  return t?.value;
}

/** Endpoints running an older plan than their model's current one (seed 001: plan_version consistency). Pure. */
export function laggingEndpoints(
  plans: Map<string, { value: { plan_version: number; assignments: { replica_id: number }[] } }>,
  endpoints: readonly { model_uid: string; replica_id: number; node_id: string; plan_version: number }[],
) {
  const out = [];
  for (const e of endpoints) {
    const plan = plans.get(e.model_uid)?.value;
    if (!plan || !plan.assignments.some((a) => a.replica_id === e.replica_id)) continue;
    if (e.plan_version < plan.plan_version) {
      out.push({
        model_uid: e.model_uid,
        replica_id: e.replica_id,
        node_id: e.node_id,
        endpoint_plan_version: e.plan_version,
        plan_version: plan.plan_version,
      });
    }
  }
  return out;
}

export function v1ViewRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.v1.overview, async () => {
      const models = await ctx.views.models();
      const [nodes, requests, lead] = await Promise.all([
        ctx.views.nodes(models),
        ctx.views.requests(),
        leader(ctx),
      ]);
      return buildOverview({
        models: models.snap,
        views: models.views,
        nodes,
        requests,
        leader: lead?.holder ?? null,
        revision: models.snap.revision,
        nowMs: ctx.clock.now(),
      });
    }),
    implement(api.v1.nodes, async () => {
      const snap = await ctx.views.nodes();
      const cordoned = new Set(
        [...snap.settings.values()]
          .filter((t) => t.value.cordoned || t.value.draining)
          .map((t) => t.value.node_id),
      );
      const now = ctx.clock.now();
      return {
        items: [...snap.statuses.values()]
          .sort((a, b) => a.value.node_id.localeCompare(b.value.node_id))
          .map((t) => ({
            ...t.value,
            heartbeat_age_seconds: Math.max(0, (now - Date.parse(t.value.heartbeat_at)) / 1000),
            cordoned: cordoned.has(t.value.node_id),
          })),
      };
    }),
    implement(api.v1.endpoints, async () => ({
      items: (await ctx.views.models()).snap.endpointList.map((t) => t.value),
    })),
    implement(api.v1.placements, async () => {
      return { items: (await ctx.views.models()).snap.planList.map((t) => t.value) };
    }),
    implement(api.v1.requests, async () => ({ items: await ctx.views.requests() })),
    implement(api.v1.models, async () => {
      const { snap, views } = await ctx.views.models();
      const requests = await ctx.views.requests();
      const out = new Map<string, ReturnType<typeof row>>();
      function row(
        uid: string,
        name: string,
        engine: string,
        origin: 'deployment' | 'request' | 'placement',
        replicas: number,
        state: string,
      ) {
        const ready = (snap.endpoints.get(uid) ?? []).filter((e) => e.status === 'ready').length;
        return {
          model_uid: uid,
          model_name: name,
          engine_type: engine,
          origin,
          replicas,
          ready_replicas: ready,
          state,
          plan_version: snap.plans.get(uid)?.value.plan_version ?? null,
        };
      }
      for (const v of views)
        out.set(
          v.model_uid,
          row(v.model_uid, v.model_name, v.engine_type, 'deployment', v.desired_replicas, v.state),
        );
      for (const r of requests) {
        const uid = r.spec.model_uid;
        if (out.has(uid)) continue;
        out.set(uid, row(uid, r.spec.model_name, r.spec.engine_type, 'request', r.replicas, r.status));
      }
      for (const [uid, plan] of snap.plans) {
        if (out.has(uid)) continue;
        const s = aggregateState({
          deployment: { desired_state: 'running', replicas: plan.value.assignments.length },
          plan: plan.value,
          endpoints: snap.endpoints.get(uid) ?? [],
          downloads: snap.downloads.get(uid) ?? [],
        });
        out.set(
          uid,
          row(
            uid,
            plan.value.spec.model_name,
            plan.value.spec.engine_type,
            'placement',
            plan.value.assignments.length,
            s.state,
          ),
        );
      }
      return { items: [...out.values()].sort((a, b) => a.model_uid.localeCompare(b.model_uid)) };
    }),
    implement(api.v1.health, async (c) => {
      const now = ctx.clock.now();
      let store: { ok: boolean; kind: string; revision: number | null; error: string | null };
      try {
        const revision = await ctx.store.revision();
        const fault = storeFault(ctx.store);
        store = { ok: fault === undefined, kind: ctx.store.kind, revision, error: fault ?? null };
      } catch (err) {
        store = { ok: false, kind: ctx.store.kind, revision: null, error: errorMessage(err) };
      }
      const [router, lead, nodes, comps, snap] = await Promise.all([
        ctx.router.health(c.var.traceparent),
        leader(ctx),
        ctx.reader.list(prefixes.nodes, NodeStatus, kindFilter('nodeStatus')).catch(() => ({ items: [] })),
        ctx.reader
          .list(prefixes.components, ComponentStatus, kindFilter('component'))
          .catch(() => ({ items: [] })),
        ctx.views
          .models()
          .then((m) => m.snap)
          .catch(() => undefined),
      ]);
      const nodeRows = nodes.items.map((t) => {
        const age = Math.max(0, (now - Date.parse(t.value.heartbeat_at)) / 1000);
        return {
          node_id: t.value.node_id,
          heartbeat_at: t.value.heartbeat_at,
          age_seconds: age,
          healthy: age <= HEARTBEAT_STALE_SECONDS,
        };
      });
      const lagging = snap
        ? laggingEndpoints(
            snap.plans,
            snap.endpointList.map((t) => t.value),
          )
        : [];
      const nodeValues = nodes.items.map((t) => t.value);
      const conflicts = portConflicts(nodeValues, snap ? snap.planList.map((t) => t.value) : []);
      const engines = engineHealth(snap ? snap.endpointList.map((t) => t.value) : []);
      const gpus = gpuSignals(nodeValues);
      const { issues, healthy } = healthIssues({
        storeOk: store.ok,
        // It answered but reports a fault of its file: say which (unreachable otherwise).
        ...(store.revision !== null && store.error !== null ? { storeError: store.error } : {}),
        routerOk: router.ok,
        leader: lead !== undefined,
        staleNodes: nodeRows.filter((n) => !n.healthy).map((n) => n.node_id),
        lagging: lagging.length,
        conflicts,
        engines,
        gpus,
      });
      return {
        status: healthy ? ('ok' as const) : ('degraded' as const),
        port_conflicts: conflicts,
        engines,
        gpus,
        issues,
        store,
        router,
        scheduler: { leader: lead?.holder ?? null, since: lead?.since ?? null },
        nodes: nodeRows,
        components: comps.items.map((t) => t.value),
        plan_consistency: { consistent: lagging.length === 0, lagging },
      };
    }),
    implement(api.metrics.router, async (c) => ctx.router.metrics(c.var.traceparent)),
    implement(api.v1.routerMetrics, async (c) => ctx.router.metrics(c.var.traceparent)),
  ];
}
