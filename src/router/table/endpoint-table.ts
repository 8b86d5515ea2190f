import type { RoutingPolicy } from '../../core/domain/model.js';
import type { Logger } from '../../core/logger.js';
import {
  createBalancer,
  PrefixAwareBalancer,
  type Balancer,
  type PrefixAwareOptions,
} from '../balancers/index.js';
import { HoldQueue } from './hold-queue.js';
import type { PoolSet } from './pool-set.js';
import { Replica, targetFingerprint, type UpstreamTarget } from './replica.js';
import { WILDCARD_MODEL, type StaticModel } from './static-upstreams.js';

/** A model Nebula manages, as read from the store (see store-source.ts). */
export interface ManagedModel {
  modelUid: string;
  /** Other names clients may use (served model names). */
  aliases: string[];
  /** The id listed in `/v1/models`. */
  listName: string;
  /** Set when this is a LoRA adapter of `modelUid`: its name and the base's listed name (`parent`). */
  adapter?: { name: string; parent: string } | undefined;
  policy?: RoutingPolicy | undefined;
  /** The model's own proxy timeouts (spec `proxy_timeouts`); unset ones take the router's defaults. */
  timeouts?: RouteTimeouts | undefined;
  /** Ready replicas only. */
  ready: { replicaId: number; target: UpstreamTarget }[];
  /** Unix seconds, for `/v1/models`. */
  created: number;
  /**
   * The model is autoscaled and running: with no ready replica it is idle or waking, so requests are held
   * (bounded) until one is ready instead of answered 503.
   */
  wakeable?: boolean | undefined;
}

/** Per-model proxy timeouts (ms); undefined ones are the router's defaults. */
export interface RouteTimeouts {
  firstByteMs?: number | undefined;
  idleMs?: number | undefined;
}

/** Everything the router knows about one model: its policy, its balancer and its ready replicas. */
export class ModelRoute {
  replicas: readonly Replica[] = [];
  /** Proxy timeouts of this model (undefined: the router's defaults). */
  timeouts: RouteTimeouts | undefined;
  balancer: Balancer;
  /**
   * The `model` label of this model's metrics: the model_uid, the adapter's name for a LoRA adapter (one
   * series per adapter, bounded by the spec's MAX_ADAPTERS), or the configured name of a static model.
   */
  readonly label: string;
  /** The model_uid of a managed route: an adapter's route (`uid#adapter`) belongs to its base model. */
  get modelUid(): string {
    const i = this.model.indexOf('#');
    return i < 0 ? this.model : this.model.slice(0, i);
  }
  /** Autoscaled and running: hold requests while no replica is ready (see ManagedModel.wakeable). */
  wakeable = false;
  /** Requests held for a replica to become ready. */
  readonly holds = new HoldQueue();
  /** Requests routed to this model since the router started, and when the last one came (the load signal). */
  requests = 0;
  lastRequestAt = 0;

  constructor(
    /** model_uid for managed models, the configured name for static ones. */
    readonly model: string,
    public listName: string,
    public policy: RoutingPolicy,
    readonly managed: boolean,
    public created: number,
    prefix: Partial<PrefixAwareOptions> | undefined,
    /** For a LoRA adapter: the base model's listed name (`/v1/models` shows it as `parent`). */
    readonly parent?: string,
  ) {
    this.balancer = createBalancer(policy, prefix);
    this.label = managed && parent === undefined ? model : listName;
  }
}

export interface EndpointTableOptions {
  pools: PoolSet;
  defaultPolicy: RoutingPolicy;
  prefix?: Partial<PrefixAwareOptions> | undefined;
  logger?: Logger | undefined;
  /** Called after every rebuild with the ready replica count per model. */
  onChange?: (ready: ReadonlyMap<string, number>) => void;
  now?: () => number;
}

/**
 * The routing table: model names -> routes -> ready replicas, merged from managed endpoints and static
 * upstreams. Rebuilt on every change of either; replica objects (with their load counters and pools) and
 * balancers (with their hash rings and prefix tables) survive rebuilds that do not change them.
 */
export class EndpointTable {
  private managed: ManagedModel[] = [];
  private statics: StaticModel[] = [];
  private routes = new Map<string, ModelRoute>();
  private names = new Map<string, ModelRoute>();
  private wildcard: ModelRoute | undefined;
  private replicas = new Map<string, Replica>();
  private modelsBody: string | undefined;
  private readonly now: () => number;

  constructor(private readonly opts: EndpointTableOptions) {
    this.now = opts.now ?? Date.now;
  }

  setManaged(models: ManagedModel[]): void {
    this.managed = models;
    this.rebuild();
  }

  setStatic(models: StaticModel[]): void {
    this.statics = models;
    this.rebuild();
  }

  /** The route for a client's `model` (model_uid, served name or static name), else the catch-all, if any. */
  lookup(name: string): ModelRoute | undefined {
    return this.names.get(name) ?? this.wildcard;
  }

  allRoutes(): IterableIterator<ModelRoute> {
    return this.routes.values();
  }

  allReplicas(): IterableIterator<Replica> {
    return this.replicas.values();
  }

  /**
   * One replica per engine: without the routes of LoRA adapters, which reach the same engines as their
   * base's (their route key is `uid#adapter`; a model_uid has no "#").
   */
  *engineReplicas(): IterableIterator<Replica> {
    for (const r of this.replicas.values()) if (!(r.managed && r.model.includes('#'))) yield r;
  }

  /** `/v1/models` body (OpenAI list format), cached between rebuilds: one entry per model with a ready replica. */
  modelsListBody(): string {
    if (this.modelsBody === undefined) {
      const data = [];
      const seen = new Set<string>();
      for (const r of this.routes.values()) {
        if (r === this.wildcard || r.replicas.length === 0) continue;
        // Two models claiming one served name: the one the name resolves to keeps it, the other is listed by uid.
        const id = this.names.get(r.listName) === r && !seen.has(r.listName) ? r.listName : r.model;
        seen.add(id);
        data.push(
          r.parent === undefined
            ? { id, object: 'model', created: r.created, owned_by: 'nebula' }
            : { id, object: 'model', created: r.created, owned_by: 'nebula', parent: r.parent },
        );
      }
      data.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      this.modelsBody = JSON.stringify({ object: 'list', data });
    }
    return this.modelsBody;
  }

  /** Counts for /healthz. */
  counts(): { models: number; ready_models: number; ready_replicas: number } {
    let ready = 0;
    let readyModels = 0;
    for (const r of this.routes.values()) {
      ready += r.replicas.length;
      if (r.replicas.length > 0) readyModels++;
    }
    return { models: this.routes.size, ready_models: readyModels, ready_replicas: ready };
  }

  /** Releases every replica's pool (router shutdown). */
  clear(): void {
    this.managed = [];
    this.statics = [];
    this.rebuild();
  }

  private rebuild(): void {
    const nextRoutes = new Map<string, ModelRoute>();
    const nextNames = new Map<string, ModelRoute>();
    const nextReplicas = new Map<string, Replica>();
    const aliases: [string, ModelRoute][] = [];
    const nowS = Math.floor(this.now() / 1000);

    for (const m of this.managed) {
      // An adapter's route and replicas are keyed apart from the base's (`uid#adapter`), so its balancer
      // (prefix tables included) and load counters never mix with the base's.
      const key = m.adapter === undefined ? m.modelUid : `${m.modelUid}#${m.adapter.name}`;
      const route = this.route(key, m.listName, m.policy, true, m.created, m.adapter?.parent);
      route.timeouts = m.timeouts;
      route.wakeable = m.wakeable === true;
      const suffix = m.adapter === undefined ? '' : `#${m.adapter.name}`;
      const list = m.ready.map((r) =>
        this.replica(`${m.modelUid}/${r.replicaId}${suffix}`, key, r.target, true, nextReplicas),
      );
      this.setReplicas(route, list);
      nextRoutes.set(route.model, route);
      if (m.adapter === undefined) nextNames.set(m.modelUid, route);
      else if (!nextNames.has(m.adapter.name)) nextNames.set(m.adapter.name, route);
      for (const a of m.aliases) aliases.push([a, route]);
    }
    let wildcard: ModelRoute | undefined;
    for (const s of this.statics) {
      if (nextNames.has(s.name)) {
        this.opts.logger?.warn(
          { model: s.name },
          'static upstream names a managed model; the managed one wins',
        );
        continue;
      }
      const key = `static:${s.name}`;
      const route = this.route(key, s.name, s.policy, false, this.routes.get(key)?.created ?? nowS);
      const list = s.targets.map((t, i) =>
        this.replica(
          `${key}#${i}`,
          s.name,
          {
            origin: t.origin,
            basePath: t.basePath,
            servedName: s.servedName,
            authorization: s.authorization,
          },
          false,
          nextReplicas,
        ),
      );
      this.setReplicas(route, list);
      nextRoutes.set(key, route);
      if (s.name === WILDCARD_MODEL) wildcard = route;
      else nextNames.set(s.name, route);
    }
    // Served names come last: a name that is some model's uid keeps pointing at that model.
    for (const [name, route] of aliases) if (!nextNames.has(name)) nextNames.set(name, route);

    for (const [id, old] of this.replicas) {
      if (nextReplicas.get(id) === old) continue;
      this.opts.pools.release(old.target.origin);
      const oldRoute = this.routes.get(old.managed ? old.model : `static:${old.model}`);
      if (oldRoute?.balancer instanceof PrefixAwareBalancer) oldRoute.balancer.forgetReplica(id);
    }
    // Held requests go on once their model has a ready replica, and end when it is gone or no longer waits.
    for (const r of nextRoutes.values())
      if (r.holds.size > 0 && r.replicas.length > 0) r.holds.release();
      else if (r.holds.size > 0 && !r.wakeable) r.holds.drop();
    for (const [key, r] of this.routes) if (!nextRoutes.has(key)) r.holds.drop();
    this.routes = nextRoutes;
    this.names = nextNames;
    this.wildcard = wildcard;
    this.replicas = nextReplicas;
    this.modelsBody = undefined;
    if (this.opts.onChange) {
      const ready = new Map<string, number>();
      for (const r of nextRoutes.values()) ready.set(r.label, r.replicas.length);
      this.opts.onChange(ready);
    }
  }

  private route(
    key: string,
    listName: string,
    policy: RoutingPolicy | undefined,
    managed: boolean,
    created: number,
    parent?: string,
  ): ModelRoute {
    const want = policy ?? this.opts.defaultPolicy;
    const old = this.routes.get(key);
    if (old === undefined || old.parent !== parent)
      return new ModelRoute(key, listName, want, managed, created, this.opts.prefix, parent);
    old.listName = listName;
    old.created = created;
    if (old.policy !== want) {
      old.policy = want;
      old.balancer = createBalancer(want, this.opts.prefix);
    }
    return old;
  }

  /** Reuses the replica object when it still points at the same target (keeping its counters and pool). */
  private replica(
    id: string,
    model: string,
    target: UpstreamTarget,
    managed: boolean,
    next: Map<string, Replica>,
  ): Replica {
    const old = this.replicas.get(id);
    const r =
      old !== undefined && targetFingerprint(old.target) === targetFingerprint(target)
        ? old
        : new Replica(id, model, target, this.opts.pools.acquire(target.origin), managed);
    next.set(id, r);
    return r;
  }

  /** Keeps the old array when membership is unchanged, so balancers can cache per-array state (hash rings). */
  private setReplicas(route: ModelRoute, list: Replica[]): void {
    const cur = route.replicas;
    if (cur.length === list.length && cur.every((r, i) => r === list[i])) return;
    route.replicas = list;
  }
}
