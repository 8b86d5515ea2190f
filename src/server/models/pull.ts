/**
 * Pre-pulls, server side: which nodes download a model's files (the named ones, validated, or the nodes the
 * scheduler's planner would choose in a dry run over the current cluster), and the `/pulls/{uid}/{node}`
 * requests the nodes' cache managers carry out. The choice is a pure function; the writes are idempotent:
 * a pull of the same files still pending or downloading on a node is left to run.
 */
import type { Clock } from '../../core/clock.js';
import {
  type ModelCacheEntry,
  ModelDeployment,
  ModelPull,
  type ModelSpec,
  type NodeSettings,
  type NodeStatus,
  type PlacementPlan,
  type PullTarget,
  pullTargetFrom,
  samePullTarget,
} from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { planModel } from '../../scheduler/planner/index.js';
import { workloadOfDeployment } from '../../scheduler/pass/index.js';
import { decode, encode } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import type { ServerContext } from '../context.js';
import { errors } from '../errors.js';

export interface PullChoiceInput {
  spec: ModelSpec;
  deployment: ModelDeployment | undefined;
  /** Live nodes (status key present). */
  statuses: ReadonlyMap<string, NodeStatus>;
  settings: ReadonlyMap<string, NodeSettings>;
  plans: ReadonlyMap<string, PlacementPlan>;
  cache: readonly ModelCacheEntry[];
  /** Nodes the caller named (absent: the planner chooses). */
  named?: readonly string[] | undefined;
}

export interface PullChoice {
  nodes: string[];
  chosenBy: 'request' | 'planner';
  unplaced: { replicas: number; reason: string } | null;
}

/** The files a start of `spec` loads; 422 NOTHING_TO_PULL for a model read from a local path. */
export function pullTargetOf(spec: ModelSpec): PullTarget {
  if (spec.model_source === 'local') {
    throw errors.invalid(
      `model "${spec.model_uid}" is read from a local path on each node; there is nothing to download`,
      'NOTHING_TO_PULL',
      { model_uid: spec.model_uid, model_source: spec.model_source },
    );
  }
  return pullTargetFrom({ ...spec, model_source: spec.model_source });
}

/**
 * The nodes to pull onto (pure). Named nodes must be registered and alive (404 NODE_NOT_FOUND) and take
 * new replicas (409 NODE_UNSCHEDULABLE when cordoned or draining). Otherwise the planner places
 * `max(1, replicas)` replicas as it would on a start (other models' plans keep their room, nodes that
 * cache the model win); nothing placed is 409 PULL_UNPLACEABLE with the planner's reason.
 */
export function choosePullNodes(input: PullChoiceInput): PullChoice {
  const uid = input.spec.model_uid;
  if (input.named) {
    for (const n of input.named) {
      if (!input.statuses.has(n))
        throw errors.notFound('NODE_NOT_FOUND', `node "${n}" is not registered or not alive`, { node_id: n });
      const s = input.settings.get(n);
      if (s?.cordoned || s?.draining) {
        throw errors.conflict(
          'NODE_UNSCHEDULABLE',
          `node "${n}" is ${s.draining ? 'draining' : 'cordoned'}: it takes no new models`,
          { node_id: n },
        );
      }
    }
    return { nodes: [...input.named].sort(), chosenBy: 'request', unplaced: null };
  }
  const now = input.spec.updated_at;
  const dep: ModelDeployment = input.deployment ?? {
    model_uid: uid,
    desired_state: 'stopped',
    replicas: 1,
    node_selector: {},
    placement_strategy: 'binpack',
    generation: 1,
    created_at: now,
    updated_at: now,
  };
  const workload = workloadOfDeployment({ ...dep, replicas: Math.max(1, dep.replicas) }, input.spec);
  const decision = planModel(
    {
      nodes: [...input.statuses.values()].map((status) => ({
        status,
        settings: input.settings.get(status.node_id),
      })),
      plans: input.plans,
      cache: input.cache,
    },
    workload,
  );
  const nodes = [...new Set(decision.assignments.map((a) => a.node_id))].sort();
  if (nodes.length === 0) {
    const reason = decision.unplaced?.reason ?? 'no node fits';
    throw errors.conflict('PULL_UNPLACEABLE', `model "${uid}" fits no node: ${reason}`, {
      model_uid: uid,
      reason,
    });
  }
  return { nodes, chosenBy: 'planner', unplaced: decision.unplaced };
}

/**
 * Writes one pending pull per node; a pull of the same files already pending or downloading there is kept
 * (asking twice does not restart it). Returns the records as stored.
 */
export async function writePulls(
  store: Store,
  clock: Clock,
  spec: ModelSpec,
  nodes: readonly string[],
  requestedBy: string,
): Promise<ModelPull[]> {
  const target = pullTargetOf(spec);
  const at = new Date(clock.now()).toISOString();
  return Promise.all(
    nodes.map(async (node) => {
      const key = keys.pull(spec.model_uid, node);
      const kv = await store.get(key);
      const cur = kv ? decode(ModelPull, kv).value : undefined;
      if (cur && (cur.status === 'pending' || cur.status === 'downloading') && samePullTarget(cur, target))
        return cur;
      const value = ModelPull.parse({
        ...target,
        model_uid: spec.model_uid,
        node_id: node,
        requested_by: requestedBy.slice(0, 200),
        requested_at: at,
        status: 'pending',
      });
      // Unconditional and without a lease: it replaces a finished result (and its lease) or another
      // target's pull, whose node then finds its request replaced and stops.
      await store.put(key, encode(ModelPull, value));
      return value;
    }),
  );
}

type PullCtx = Pick<ServerContext, 'store' | 'clock' | 'views' | 'models'>;

/** Chooses the nodes and writes the pulls of one model (the API's `POST /models/{uid}/pull`). */
export async function requestModelPull(
  ctx: PullCtx,
  uid: string,
  named: readonly string[] | undefined,
  requestedBy: string,
): Promise<PullChoice & { pulls: ModelPull[] }> {
  const pair = await ctx.models.require(uid);
  pullTargetOf(pair.spec.value);
  const [nodes, cache] = await Promise.all([ctx.views.nodes(), ctx.views.cacheEntries()]);
  const choice = choosePullNodes({
    spec: pair.spec.value,
    deployment: pair.deployment?.value,
    statuses: new Map([...nodes.statuses].map(([id, t]) => [id, t.value])),
    settings: new Map([...nodes.settings].map(([id, t]) => [id, t.value])),
    plans: new Map(nodes.plans.map((t) => [t.value.model_uid, t.value])),
    cache,
    named,
  });
  const pulls = await writePulls(ctx.store, ctx.clock, pair.spec.value, choice.nodes, requestedBy);
  await ctx.models.event({
    model_uid: uid,
    type: 'pull',
    source: 'server',
    message: `download requested by ${requestedBy} on ${choice.nodes.join(', ')}${
      choice.unplaced
        ? ` (${choice.unplaced.replicas} replica(s) fit nowhere: ${choice.unplaced.reason})`
        : ''
    }`.slice(0, 1000),
  });
  return { ...choice, pulls };
}

/**
 * The pull of a download-only create or import (`auto_start: false`): never fails the create; says why
 * nothing was pulled instead.
 */
export async function pullAfterCreate(
  ctx: PullCtx,
  uid: string,
  requestedBy: string,
): Promise<{ nodes: string[] } | { warning: string }> {
  try {
    const r = await requestModelPull(ctx, uid, undefined, requestedBy);
    return { nodes: r.nodes };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    await ctx.models.event({
      model_uid: uid,
      type: 'pull',
      level: 'warning',
      source: 'server',
      message: `download not started: ${message}`.slice(0, 1000),
    });
    return { warning: `the download was not started: ${message}` };
  }
}
