import type { Clock } from '../../core/clock.js';
import { Endpoint } from '../../core/domain/endpoint.js';
import { durationMs } from '../../core/duration.js';
import { ModelDeployment, ModelSpec } from '../../core/domain/model.js';
import { PlacementPlan } from '../../core/domain/placement.js';
import { kindFilter, prefixes, type ParsedKey } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../store/types.js';
import type { z } from 'zod';
import { Informer, type InvalidEntry } from '../../store/informer.js';
import type { ManagedModel, RouteTimeouts } from './endpoint-table.js';
import { engineModelSelection } from '../../engines/lora-routing.js';

/** `http://host:port`, bracketing IPv6 literals. */
export function originOf(address: string, port: number): string {
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return `http://${host}:${port}`;
}

/** A spec's `proxy_timeouts` in ms (undefined when it sets none). */
export function routeTimeouts(spec: ModelSpec | undefined): RouteTimeouts | undefined {
  const t = spec?.proxy_timeouts;
  if (t === undefined) return undefined;
  const firstByteMs = t.first_byte === undefined ? undefined : durationMs(t.first_byte);
  const idleMs = t.idle === undefined ? undefined : durationMs(t.idle);
  if (firstByteMs === undefined && idleMs === undefined) return undefined;
  return { firstByteMs, idleMs };
}

/**
 * Pure: managed models from the store's endpoints, specs and placements. A model is known (404 otherwise)
 * when it has a spec, a plan or any endpoint; only `ready` endpoints are routable. The policy and served
 * name come from the spec, else from the plan's snapshot of it.
 */
export function buildManagedModels(
  endpoints: Iterable<Endpoint>,
  specs: ReadonlyMap<string, ModelSpec>,
  now: number,
  /** Models that are autoscaled and running (their requests are held while no replica is ready). */
  wakeable: ReadonlySet<string> = new Set(),
): ManagedModel[] {
  const byModel = new Map<string, Endpoint[]>();
  for (const ep of endpoints) {
    let list = byModel.get(ep.model_uid);
    if (list === undefined) byModel.set(ep.model_uid, (list = []));
    list.push(ep);
  }
  const uids = new Set([...byModel.keys(), ...specs.keys()]);
  const out: ManagedModel[] = [];
  for (const uid of [...uids].sort()) {
    const spec = specs.get(uid);
    const eps = (byModel.get(uid) ?? []).sort((a, b) => a.replica_id - b.replica_id);
    const ready = eps.filter((e) => e.status === 'ready');
    const aliases = new Set<string>();
    if (spec?.served_model_name !== undefined) aliases.add(spec.served_model_name);
    for (const e of ready) aliases.add(e.served_model_name);
    aliases.delete(uid);
    const listName = spec?.served_model_name ?? uid;
    const created = Math.floor((spec ? Date.parse(spec.created_at) : now) / 1000);
    const targetOf = (e: Endpoint, adapter: string | undefined) => {
      const sel = engineModelSelection(e.engine_type, e.served_model_name, e.adapters ?? [], adapter);
      return {
        origin: originOf(e.address, e.port),
        basePath: '',
        servedName: sel.servedName,
        ...(sel.bodyFields ? { bodyFields: sel.bodyFields } : {}),
      };
    };
    out.push({
      modelUid: uid,
      aliases: [...aliases],
      listName,
      policy: spec?.routing_policy,
      timeouts: routeTimeouts(spec),
      ready: ready.map((e) => ({ replicaId: e.replica_id, target: targetOf(e, undefined) })),
      created,
      ...(wakeable.has(uid) ? { wakeable: true } : {}),
    });
    // Each adapter is a route of its own (its own name, balancer and metrics label), over the base's ready
    // replicas that loaded it. The spec decides which adapters exist: a removed one is gone at once, even
    // while replicas that still load it drain.
    const names = spec
      ? (spec.adapters ?? []).map((a) => a.name)
      : [...new Set(ready.flatMap((e) => (e.adapters ?? []).map((a) => a.name)))];
    for (const name of names) {
      out.push({
        modelUid: uid,
        adapter: { name, parent: listName },
        aliases: [],
        listName: name,
        policy: spec?.routing_policy,
        timeouts: routeTimeouts(spec),
        ready: ready
          .filter((e) => (e.adapters ?? []).some((a) => a.name === name))
          .map((e) => ({ replicaId: e.replica_id, target: targetOf(e, name) })),
        created,
        ...(wakeable.has(uid) ? { wakeable: true } : {}),
      });
    }
  }
  return out;
}

/**
 * Watches `/endpoints/`, `/models/`, `/placements/` and `/deployments/` (informers: list + watch + re-list) and feeds the
 * endpoint table. Changes arriving together (one txn, several prefixes) are folded into one rebuild.
 */
export class StoreSource {
  private readonly endpoints: Informer<Endpoint>;
  private readonly specs: Informer<ModelSpec>;
  private readonly plans: Informer<PlacementPlan>;
  private readonly deployments: Informer<ModelDeployment>;
  private started = false;
  private pending = false;

  constructor(
    store: Store,
    private readonly apply: (models: ManagedModel[]) => void,
    private readonly opts: { logger?: Logger | undefined; clock?: Clock | undefined; now?: () => number },
  ) {
    const common = {
      store,
      onChange: () => this.schedule(),
      onInvalid: (e: InvalidEntry) =>
        opts.logger?.warn({ key: e.key, reason: e.reason }, 'invalid record ignored by the router'),
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    };
    // One informer per record kind the table is built from, each keeping only its own keys.
    const watch = <T>(
      name: string,
      prefix: string,
      schema: z.ZodType<T>,
      kind: ParsedKey['kind'],
    ): Informer<T> => new Informer({ ...common, prefix, schema, keyFilter: kindFilter(kind), name });
    this.endpoints = watch('router-endpoints', prefixes.endpoints, Endpoint, 'endpoint');
    this.specs = watch('router-specs', prefixes.models, ModelSpec, 'modelSpec');
    this.plans = watch('router-placements', prefixes.placements, PlacementPlan, 'placement');
    this.deployments = watch('router-deployments', prefixes.deployments, ModelDeployment, 'deployment');
  }

  private get informers(): Informer<unknown>[] {
    return [this.endpoints, this.specs, this.plans, this.deployments] as Informer<unknown>[];
  }

  async start(): Promise<void> {
    const all = this.informers;
    for (const i of all) i.start();
    try {
      await Promise.all(all.map((i) => i.ready()));
    } catch (err) {
      await this.stop();
      throw err;
    }
    this.started = true;
    this.rebuild();
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all(this.informers.map((i) => i.stop()));
  }

  /** True while every watch is established. */
  get healthy(): boolean {
    return this.informers.every((i) => i.state === 'watching');
  }

  private schedule(): void {
    if (!this.started || this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      if (this.started) this.rebuild();
    });
  }

  private rebuild(): void {
    const specs = new Map<string, ModelSpec>();
    for (const plan of this.plans.list()) specs.set(plan.value.model_uid, plan.value.spec);
    for (const spec of this.specs.list()) specs.set(spec.value.model_uid, spec.value);
    const eps = this.endpoints.list().map((t) => t.value);
    const wakeable = new Set<string>();
    for (const d of this.deployments.list())
      if (d.value.autoscaling && d.value.desired_state === 'running') wakeable.add(d.value.model_uid);
    this.apply(buildManagedModels(eps, specs, (this.opts.now ?? Date.now)(), wakeable));
  }
}
