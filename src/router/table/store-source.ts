import type { Clock } from '../../core/clock.js';
import { Endpoint } from '../../core/domain/endpoint.js';
import { ModelSpec } from '../../core/domain/model.js';
import { PlacementPlan } from '../../core/domain/placement.js';
import { parseKey, prefixes } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../store/types.js';
import { PrefixMirror } from '../prefix-mirror.js';
import type { ManagedModel } from './endpoint-table.js';

/** Decodes raw values with a schema, remembering the result per raw string (most values do not change). */
class DecodeCache<T> {
  private cache = new Map<string, { raw: string; value: T | undefined }>();

  constructor(
    private readonly parse: (raw: unknown) => { success: true; data: T } | { success: false },
    private readonly logger: Logger | undefined,
  ) {}

  decodeAll(entries: ReadonlyMap<string, string>): Map<string, T> {
    const next = new Map<string, { raw: string; value: T | undefined }>();
    const out = new Map<string, T>();
    for (const [key, raw] of entries) {
      let hit = this.cache.get(key);
      if (hit === undefined || hit.raw !== raw) {
        let value: T | undefined;
        try {
          const r = this.parse(JSON.parse(raw));
          value = r.success ? r.data : undefined;
        } catch {
          value = undefined;
        }
        if (value === undefined) this.logger?.warn({ key }, 'invalid record ignored by the router');
        hit = { raw, value };
      }
      next.set(key, hit);
      if (hit.value !== undefined) out.set(key, hit.value);
    }
    this.cache = next;
    return out;
  }
}

/** `http://host:port`, bracketing IPv6 literals. */
export function originOf(address: string, port: number): string {
  const host = address.includes(':') && !address.startsWith('[') ? `[${address}]` : address;
  return `http://${host}:${port}`;
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
    out.push({
      modelUid: uid,
      aliases: [...aliases],
      listName: spec?.served_model_name ?? uid,
      policy: spec?.routing_policy,
      ready: ready.map((e) => ({
        replicaId: e.replica_id,
        target: { origin: originOf(e.address, e.port), basePath: '', servedName: e.served_model_name },
      })),
      created: Math.floor((spec ? Date.parse(spec.created_at) : now) / 1000),
    });
  }
  return out;
}

/**
 * Watches `/endpoints/`, `/models/` and `/placements/` and feeds the endpoint table. Changes arriving
 * together (one txn, several prefixes) are folded into one rebuild.
 */
export class StoreSource {
  private readonly mirrors: PrefixMirror[];
  private readonly endpoints: PrefixMirror;
  private readonly specs: PrefixMirror;
  private readonly plans: PrefixMirror;
  private readonly endpointCache: DecodeCache<Endpoint>;
  private readonly specCache: DecodeCache<ModelSpec>;
  private readonly planCache: DecodeCache<PlacementPlan>;
  private started = false;
  private pending = false;

  constructor(
    store: Store,
    private readonly apply: (models: ManagedModel[]) => void,
    private readonly opts: { logger?: Logger | undefined; clock?: Clock | undefined; now?: () => number },
  ) {
    const onChange = () => this.schedule();
    const mirrorOpts = { onChange, logger: opts.logger, clock: opts.clock };
    this.endpoints = new PrefixMirror(store, prefixes.endpoints, mirrorOpts);
    this.specs = new PrefixMirror(store, prefixes.models, mirrorOpts);
    this.plans = new PrefixMirror(store, prefixes.placements, mirrorOpts);
    this.mirrors = [this.endpoints, this.specs, this.plans];
    this.endpointCache = new DecodeCache((v) => Endpoint.safeParse(v), opts.logger);
    this.specCache = new DecodeCache((v) => ModelSpec.safeParse(v), opts.logger);
    this.planCache = new DecodeCache((v) => PlacementPlan.safeParse(v), opts.logger);
  }

  async start(): Promise<void> {
    await Promise.all(this.mirrors.map((m) => m.start()));
    this.started = true;
    this.rebuild();
  }

  async stop(): Promise<void> {
    this.started = false;
    await Promise.all(this.mirrors.map((m) => m.stop()));
  }

  /** True while every watch is established. */
  get healthy(): boolean {
    return this.mirrors.every((m) => m.watching);
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
    const endpoints = new Map<string, string>();
    for (const [k, v] of this.endpoints.entries) if (parseKey(k)?.kind === 'endpoint') endpoints.set(k, v);
    const specEntries = new Map<string, string>();
    for (const [k, v] of this.specs.entries) if (parseKey(k)?.kind === 'modelSpec') specEntries.set(k, v);
    const planEntries = new Map<string, string>();
    for (const [k, v] of this.plans.entries) if (parseKey(k)?.kind === 'placement') planEntries.set(k, v);

    const specs = new Map<string, ModelSpec>();
    for (const plan of this.planCache.decodeAll(planEntries).values()) specs.set(plan.model_uid, plan.spec);
    for (const spec of this.specCache.decodeAll(specEntries).values()) specs.set(spec.model_uid, spec);
    const eps = this.endpointCache.decodeAll(endpoints).values();
    this.apply(buildManagedModels(eps, specs, (this.opts.now ?? Date.now)()));
  }
}
