import type { Clock } from '../../core/clock.js';
import type { AutoscalingPolicy } from '../../core/domain/index.js';
import {
  type EngineType,
  ModelDeployment,
  ModelRevision,
  ModelSpec,
  type ModelSource,
  type RevisionCause,
  RolloutPolicy,
  SPEC_INPUT_FIELDS,
  type SpecInputField,
} from '../../core/domain/index.js';
import type { Logger } from '../../core/logger.js';
import { errorMessage } from '../../core/errors.js';
import { keys, prefixes } from '../../core/keys.js';
import type { EventRecorder, NewModelEvent } from '../../store/events.js';
import { decode, encode, type Typed } from '../../store/json.js';
import type { Store, TxnCompare, TxnOp } from '../../store/types.js';
import { ApiError, errors } from '../errors.js';
import { ggufChoiceProblem, type CreateModelBody, type UpdateModelBody } from '../../api/schemas/models.js';
import { checkSpecEngineConfig, restoreMaskedEnv } from './engine-config-policy.js';
import { deriveModelUid } from './uid.js';
import type { RolloutInput } from '../../api/schemas/revisions.js';
import {
  buildRevision,
  canonicalJson,
  changedSpecFields,
  revisionNumbersOf,
  revisionPut,
} from './revisions.js';
import { adapterChange, checkAdapters } from './adapter-names.js';
import { listJson } from '../../store/json.js';
import { kindFilter } from '../../core/keys.js';
import type { RepoFile } from '../../facts/index.js';
import {
  describeFacts,
  FACTS_IDENTITY_FIELDS,
  factsTargetOf,
  type FactsComputer,
  type GgufFileOf,
} from './facts.js';

/** Spec fields as a create request gives them (before defaults). */
export type SpecInput = Pick<CreateModelBody, SpecInputField>;

/** `replicas` moved into a policy's min..max (unchanged without a policy). */
function withinPolicy(replicas: number, policy: AutoscalingPolicy | undefined): number {
  return policy ? Math.min(Math.max(replicas, policy.min_replicas), policy.max_replicas) : replicas;
}

export interface CreateModelInput {
  model_uid?: string | undefined;
  spec: SpecInput;
  replicas?: number | undefined;
  node_selector?: Record<string, string> | undefined;
  placement_strategy?: 'binpack' | 'spread' | undefined;
  auto_start: boolean;
  /** Rollout policy fields (merged over the defaults). */
  rollout?: RolloutInput | undefined;
  /** Load-based replica count: `replicas` is then clamped into its min..max. */
  autoscaling?: AutoscalingPolicy | undefined;
  /** The repository's file list when the caller already has it (catalog import): facts skip the listing. */
  files?: RepoFile[] | undefined;
}

/** How the service reads model files facts (absent: specs are stored without facts). */
export interface FactsOptions {
  compute: FactsComputer;
  /** The GGUF variant the spec names (`gguf_file`, else `gguf_quant`; undefined: the default rule). */
  ggufFileOf?: GgufFileOf;
}

export interface ModelPair {
  spec: Typed<ModelSpec>;
  deployment: Typed<ModelDeployment> | undefined;
}

export type PurgeHook = (modelName: string, source: ModelSource) => Promise<void>;

/** Why and by whom a spec change is made (recorded on the revision it makes). */
export interface RevisionMeta {
  /** `user:NAME`, `key:ID` or `system`. */
  by: string;
  cause: RevisionCause;
  rollback_of?: number | undefined;
  message?: string | undefined;
}

/**
 * Merges rollout fields over a policy (the stored one, else the defaults); 422 when the result could never
 * move (no surge and no unavailability allowed).
 */
export function mergeRollout(base: RolloutPolicy | undefined, input: RolloutInput): RolloutPolicy {
  const merged: Record<string, unknown> = { ...(base ?? RolloutPolicy.parse({})) };
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (v === null) delete merged[k];
    else merged[k] = v;
  }
  const policy = RolloutPolicy.parse(merged);
  if (policy.strategy === 'rolling' && policy.max_surge === 0 && policy.max_unavailable === 0) {
    throw errors.invalid(
      'max_surge and max_unavailable cannot both be 0 (the rollout could never move)',
      'VALIDATION_FAILED',
      {
        issues: [
          { path: 'rollout.max_unavailable', message: 'max_surge and max_unavailable cannot both be 0' },
        ],
      },
    );
  }
  return policy;
}

/** Default GPUs per replica: the simulator needs none; everything else one unless told. */
function defaultGpuCount(engine: EngineType): number {
  return engine === 'sim' ? 0 : 1;
}

/**
 * Builds a full, validated ModelSpec from request fields (ZodError -> 422 at the boundary); its
 * engine_config must pass the engine's contract (422 naming the field).
 */
export function buildSpec(uid: string, input: SpecInput, nowIso: string, createdAt = nowIso): ModelSpec {
  const { adapters, ...rest } = input;
  const spec = ModelSpec.parse({
    ...rest,
    // An empty adapter list is no list (the same spec, the same engine fingerprint).
    ...(adapters && adapters.length > 0 ? { adapters } : {}),
    model_uid: uid,
    engine_config: { extra_args: [], env: {}, ...(input.engine_config ?? {}) },
    resources: { gpu_count: defaultGpuCount(input.engine_type), ...(input.resources ?? {}) },
    labels: input.labels ?? {},
    created_at: createdAt,
    updated_at: nowIso,
  });
  checkSpecEngineConfig(spec.engine_type, spec.engine_config);
  return spec;
}

/**
 * Writes a new model's spec, deployment and revision 1 in one txn that succeeds only while none of the
 * keys exists (creation and the v1 migration alike): `succeeded` false means the uid was taken meanwhile.
 */
export async function createModelKeys(
  store: Store,
  uid: string,
  spec: ModelSpec,
  dep: ModelDeployment,
  first: { by: string; at: string; cause: 'create' | 'migrate' },
): Promise<{ succeeded: boolean }> {
  const rev = revisionPut(buildRevision({ spec, revision: 1, ...first, changed: [] }));
  return store.txn({
    compare: [
      { key: keys.modelSpec(uid), modRevision: 0 },
      { key: keys.deployment(uid), modRevision: 0 },
      rev.compare,
    ],
    success: [
      { op: 'put', key: keys.modelSpec(uid), value: encode(ModelSpec, spec) },
      { op: 'put', key: keys.deployment(uid), value: encode(ModelDeployment, dep) },
      rev.op,
    ],
  });
}

/** Throws 409 CONFLICT when the caller's resource_version is older than what is stored. */
export function checkExpected(expected: number | undefined, ...current: (number | undefined)[]): void {
  if (expected === undefined) return;
  const newest = Math.max(0, ...current.map((c) => c ?? 0));
  if (newest > expected) {
    throw new ApiError(409, 'CONFLICT', 'the model was changed since you read it; read it again and retry', {
      details: { resource_version: newest, expected },
    });
  }
}

/**
 * Writes of models (spec + deployment). Every write is one transaction compared on the revisions it read,
 * so concurrent changes fail with 409 instead of overwriting each other, and bad input writes nothing.
 */
export class ModelService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly events: EventRecorder,
    private readonly logger: Logger,
    private readonly purgeHook: PurgeHook | undefined,
    private readonly facts?: FactsOptions,
  ) {}

  /**
   * Reads the facts of `spec` (never throws). Returns the facts to store, or undefined with the reason
   * logged; `uid` events are recorded by the caller once the spec is written.
   */
  private async readFacts(
    spec: ModelSpec,
    files?: RepoFile[],
  ): Promise<{ facts?: ModelSpec['facts']; event?: NewModelEvent }> {
    if (!this.facts) return {};
    const target = factsTargetOf(spec, this.facts.ggufFileOf?.(spec));
    if (!target) return {};
    try {
      const r = await this.facts.compute(target, files);
      if (r.facts) {
        const msg = `model files facts: ${describeFacts(r.facts)}${r.reason ? `; not read: ${r.reason}` : ''}`;
        return {
          facts: r.facts,
          event: { model_uid: spec.model_uid, type: 'facts', source: 'server', message: msg.slice(0, 1000) },
        };
      }
      this.logger.warn({ model_uid: spec.model_uid, reason: r.reason }, 'model files facts unavailable');
      return {
        event: {
          model_uid: spec.model_uid,
          type: 'facts',
          level: 'warning',
          source: 'server',
          message:
            `model files facts unavailable (${r.reason ?? 'unknown'}); the memory estimate falls back to the spec or the name`.slice(
              0,
              1000,
            ),
        },
      };
    } catch (err) {
      this.logger.warn({ model_uid: spec.model_uid, err: errorMessage(err) }, 'model files facts failed');
      return {};
    }
  }

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async get(uid: string): Promise<ModelPair | undefined> {
    const [s, d] = await Promise.all([
      this.store.get(keys.modelSpec(uid)),
      this.store.get(keys.deployment(uid)),
    ]);
    if (!s) return undefined;
    return { spec: decode(ModelSpec, s), deployment: d ? decode(ModelDeployment, d) : undefined };
  }

  async require(uid: string): Promise<ModelPair> {
    const pair = await this.get(uid);
    if (!pair) throw errors.notFound('MODEL_NOT_FOUND', `model "${uid}" not found`, { model_uid: uid });
    return pair;
  }

  /** Records a lifecycle event; never fails the request that caused it. */
  async event(e: NewModelEvent): Promise<void> {
    try {
      await this.events.record(e);
    } catch (err) {
      this.logger.warn({ err: errorMessage(err), model_uid: e.model_uid }, 'could not record model event');
    }
  }

  private async takenUids(): Promise<Set<string>> {
    const res = await this.store.list(prefixes.models, { keysOnly: true });
    const out = new Set<string>();
    for (const kv of res.items) {
      const m = /^\/models\/([^/]+)\/spec$/.exec(kv.key);
      if (m?.[1]) out.add(m[1]);
    }
    return out;
  }

  /** Every stored spec (for the cluster-wide name checks of adapters). */
  private async allSpecs(): Promise<ModelSpec[]> {
    const res = await listJson(this.store, prefixes.models, ModelSpec, kindFilter('modelSpec'));
    return res.items.map((t) => t.value);
  }

  /** Creates spec + deployment in one transaction (both must be absent): 409 MODEL_ALREADY_EXISTS otherwise. */
  async create(input: CreateModelInput, actor: string, by?: string): Promise<string> {
    const derived = input.model_uid === undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      const uid = input.model_uid ?? deriveModelUid(input.spec.model_name, await this.takenUids());
      const now = this.now();
      const built = buildSpec(uid, input.spec, now);
      checkAdapters(built, await this.allSpecs());
      const read = await this.readFacts(built, input.files);
      const spec: ModelSpec = read.facts ? { ...built, facts: read.facts } : built;
      const dep = ModelDeployment.parse({
        model_uid: uid,
        desired_state: input.auto_start ? 'running' : 'stopped',
        replicas: withinPolicy(input.replicas ?? 1, input.autoscaling),
        node_selector: input.node_selector ?? {},
        placement_strategy: input.placement_strategy ?? 'binpack',
        generation: 1,
        spec_revision: 1,
        ...(input.rollout ? { rollout: mergeRollout(undefined, input.rollout) } : {}),
        ...(input.autoscaling ? { autoscaling: input.autoscaling } : {}),
        created_at: now,
        updated_at: now,
      });
      await this.dropOrphanRevisions(uid);
      const res = await createModelKeys(this.store, uid, spec, dep, {
        by: by ?? `user:${actor}`,
        at: now,
        cause: 'create',
      });
      if (res.succeeded) {
        await this.event({
          model_uid: uid,
          type: 'created',
          source: 'server',
          message: `created by ${actor} (${spec.model_source}:${spec.model_name}, ${dep.replicas} replica(s), ${dep.desired_state})`,
        });
        if (read.event) await this.event({ ...read.event, model_uid: uid });
        return uid;
      }
      if (!derived) {
        throw errors.conflict('MODEL_ALREADY_EXISTS', `model "${uid}" already exists`, { model_uid: uid });
      }
    }
    throw errors.conflict('MODEL_ALREADY_EXISTS', 'could not find a free model_uid; give one explicitly');
  }

  /**
   * Read-modify-write of a model: `change` gets the current spec and deployment and returns the new ones
   * (or undefined for no change). Compared on both revisions; 409 CONFLICT when someone wrote in between.
   * A new spec whose tracked fields differ makes a revision in the same transaction (`meta` says why and
   * who), and the deployment then names it (its generation bumped).
   */
  private async mutate(
    uid: string,
    expected: number | undefined,
    change: (pair: ModelPair, now: string) => { spec?: ModelSpec; deployment?: ModelDeployment } | undefined,
    meta?: RevisionMeta,
  ): Promise<{ changed: boolean; pair: ModelPair; revision?: ModelRevision }> {
    const pair = await this.require(uid);
    checkExpected(expected, pair.spec.modRevision, pair.deployment?.modRevision);
    const now = this.now();
    const next = change(pair, now);
    if (!next || (!next.spec && !next.deployment)) return { changed: false, pair };
    const compare: TxnCompare[] = [
      { key: keys.modelSpec(uid), modRevision: pair.spec.modRevision },
      { key: keys.deployment(uid), modRevision: pair.deployment?.modRevision ?? 0 },
    ];
    const success: TxnOp[] = [];
    let deployment = next.deployment;
    let revision: ModelRevision | undefined;
    const changed = next.spec ? changedSpecFields(pair.spec.value, next.spec) : [];
    if (next.spec && changed.length > 0) {
      const cur = await this.currentRevision(pair);
      if (cur.backfill) {
        const b = revisionPut(cur.backfill);
        compare.push(b.compare);
        success.push(b.op);
      }
      revision = buildRevision({
        spec: next.spec,
        revision: cur.n + 1,
        by: meta?.by ?? 'system',
        at: now,
        cause: meta?.cause ?? 'update',
        changed,
        rollback_of: meta?.rollback_of,
        message: meta?.message,
      });
      const r = revisionPut(revision);
      compare.push(r.compare);
      success.push(r.op);
      const base = deployment ?? this.bump(this.baseDeployment(pair, now), {}, now);
      deployment = ModelDeployment.parse({ ...base, spec_revision: revision.revision });
    }
    if (next.spec) success.push({ op: 'put', key: keys.modelSpec(uid), value: encode(ModelSpec, next.spec) });
    if (deployment)
      success.push({ op: 'put', key: keys.deployment(uid), value: encode(ModelDeployment, deployment) });
    const res = await this.store.txn({ compare, success });
    if (!res.succeeded) {
      throw new ApiError(409, 'CONFLICT', 'the model was changed concurrently; read it again and retry');
    }
    return revision ? { changed: true, pair, revision } : { changed: true, pair };
  }

  /** Revision numbers stored for a model, ascending. */
  private async revisionNumbers(uid: string): Promise<number[]> {
    const res = await this.store.list(keys.modelRevisionsOf(uid), { keysOnly: true });
    return revisionNumbersOf(res.items.map((kv) => kv.key));
  }

  /** Revision 1 for a model written before revisions: its spec as it is. */
  private firstRevision(spec: ModelSpec, n = 1): ModelRevision {
    return buildRevision({
      spec,
      revision: n,
      by: 'system',
      at: spec.updated_at,
      cause: 'migrate',
      changed: [],
      message: 'the spec as it was when revisions began',
    });
  }

  /** The revision the model is at, and (for a model from before revisions) the revision 1 to write first. */
  private async currentRevision(pair: ModelPair): Promise<{ n: number; backfill?: ModelRevision }> {
    const newest = (await this.revisionNumbers(pair.spec.value.model_uid)).at(-1);
    const want = pair.deployment?.value.spec_revision;
    if (newest !== undefined) return { n: Math.max(newest, want ?? 0) };
    const n = want ?? 1;
    return { n, backfill: this.firstRevision(pair.spec.value, n) };
  }

  /** Revisions a model that no longer exists left behind (written by something older): removed before a create. */
  private async dropOrphanRevisions(uid: string): Promise<void> {
    const res = await this.store.list(keys.modelRevisionsOf(uid), { keysOnly: true, limit: 1 });
    if (res.items.length === 0) return;
    if (await this.store.get(keys.modelSpec(uid))) return;
    await this.store.deletePrefix(keys.modelRevisionsOf(uid));
  }

  /**
   * Makes sure a model has its history: a model from before revisions gets revision 1 (its spec as it is)
   * and its deployment names it (no new generation: nothing changed). Returns the current revision.
   */
  async ensureRevisions(pair: ModelPair): Promise<number> {
    const uid = pair.spec.value.model_uid;
    const cur = await this.currentRevision(pair);
    if (!cur.backfill) return pair.deployment?.value.spec_revision ?? cur.n;
    const b = revisionPut(cur.backfill);
    const success: TxnOp[] = [b.op];
    const dep = pair.deployment;
    if (dep && dep.value.spec_revision === undefined) {
      const named = ModelDeployment.parse({ ...dep.value, spec_revision: cur.n });
      success.push({ op: 'put', key: keys.deployment(uid), value: encode(ModelDeployment, named) });
    }
    const res = await this.store.txn({
      compare: [
        { key: keys.modelSpec(uid), modRevision: pair.spec.modRevision },
        { key: keys.deployment(uid), modRevision: dep?.modRevision ?? 0 },
        b.compare,
      ],
      success,
    });
    if (res.succeeded)
      this.logger.info({ model_uid: uid, revision: cur.n }, 'model revision history started');
    return cur.n;
  }

  /** Gives every model from before revisions its revision 1 (server start); returns how many it did. */
  async backfillRevisions(): Promise<number> {
    let done = 0;
    for (const uid of await this.takenUids()) {
      try {
        const pair = await this.get(uid);
        if (!pair || pair.deployment?.value.spec_revision !== undefined) continue;
        if ((await this.revisionNumbers(uid)).length > 0) continue;
        await this.ensureRevisions(pair);
        done++;
      } catch (err) {
        this.logger.warn({ model_uid: uid, err: errorMessage(err) }, 'could not start the revision history');
      }
    }
    return done;
  }

  /** A model's revisions, newest first, and the current one (starting the history when it has none). */
  async revisions(uid: string): Promise<{ items: ModelRevision[]; current: number }> {
    const pair = await this.require(uid);
    const current = await this.ensureRevisions(pair);
    const res = await this.store.list(keys.modelRevisionsOf(uid));
    const items = res.items
      .map((kv) => decode(ModelRevision, kv).value)
      .sort((a, b) => b.revision - a.revision);
    return { items, current };
  }

  /** One revision; 404 MODEL_NOT_FOUND / REVISION_NOT_FOUND. */
  async revision(uid: string, n: number): Promise<ModelRevision> {
    const pair = await this.require(uid);
    await this.ensureRevisions(pair);
    const kv = await this.store.get(keys.modelRevision(uid, n));
    if (!kv) {
      throw errors.notFound('REVISION_NOT_FOUND', `model "${uid}" has no revision ${n}`, {
        model_uid: uid,
        revision: n,
      });
    }
    return decode(ModelRevision, kv).value;
  }

  /**
   * Restores the spec of an earlier revision as a NEW revision (cause `rollback`); the rollout moves the
   * replicas to it like any other change. Default target: the revision before the current one.
   * 404 REVISION_NOT_FOUND, 409 NOTHING_TO_ROLL_BACK when the target is what the model runs already.
   */
  async rollback(
    uid: string,
    body: { to?: number | undefined; message?: string | undefined },
    expected: number | undefined,
    actor: string,
    by?: string,
  ): Promise<{ revision: number; rollback_of: number; changed: string[] }> {
    const pair = await this.require(uid);
    const current = await this.ensureRevisions(pair);
    const target = body.to ?? current - 1;
    if (target < 1) {
      throw errors.conflict('NOTHING_TO_ROLL_BACK', `model "${uid}" has no revision before ${current}`, {
        model_uid: uid,
        revision: current,
      });
    }
    const from = await this.revision(uid, target);
    const { revision } = await this.mutate(
      uid,
      expected,
      (p, now) => {
        const cur = p.spec.value;
        const spec = ModelSpec.parse({
          ...from.spec,
          model_uid: uid,
          created_at: cur.created_at,
          updated_at: now,
        });
        if (changedSpecFields(cur, spec).length === 0) {
          throw errors.conflict(
            'NOTHING_TO_ROLL_BACK',
            `revision ${target} has the spec the model has now; nothing to roll back`,
            { model_uid: uid, revision: target },
          );
        }
        // The engine's contract may have changed since: a spec it refuses now is refused (422).
        checkSpecEngineConfig(spec.engine_type, spec.engine_config);
        return { spec, deployment: this.bump(this.baseDeployment(p, now), {}, now) };
      },
      { by: by ?? `user:${actor}`, cause: 'rollback', rollback_of: target, message: body.message },
    );
    if (!revision) throw errors.conflict('NOTHING_TO_ROLL_BACK', 'nothing to roll back');
    await this.event({
      model_uid: uid,
      type: 'updated',
      source: 'server',
      message: `rolled back to revision ${target} by ${actor} (revision ${revision.revision}: ${revision.changed.join(', ')})`,
    });
    return { revision: revision.revision, rollback_of: target, changed: revision.changed };
  }

  /** Pauses or resumes the model's rollout (deployment.rollout.paused); no change when it already is. */
  async setRolloutPaused(
    uid: string,
    paused: boolean,
    expected: number | undefined,
    actor: string,
  ): Promise<void> {
    const { changed } = await this.mutate(uid, expected, (pair, now) => {
      const dep = this.baseDeployment(pair, now);
      const rollout = dep.rollout ?? RolloutPolicy.parse({});
      if (pair.deployment && rollout.paused === paused) return undefined;
      return { deployment: this.bump(dep, { rollout: { ...rollout, paused } }, now) };
    });
    if (changed) {
      await this.event({
        model_uid: uid,
        type: 'updated',
        source: 'server',
        message: `rollout ${paused ? 'paused' : 'resumed'} by ${actor}`,
      });
    }
  }

  /** The deployment to change: the stored one, or a fresh stopped one for a spec without deployment. */
  private baseDeployment(pair: ModelPair, now: string): ModelDeployment {
    return (
      pair.deployment?.value ?? {
        model_uid: pair.spec.value.model_uid,
        desired_state: 'stopped',
        replicas: 1,
        node_selector: {},
        placement_strategy: 'binpack',
        generation: 0,
        created_at: now,
        updated_at: now,
      }
    );
  }

  private bump(dep: ModelDeployment, patch: Partial<ModelDeployment>, now: string): ModelDeployment {
    return ModelDeployment.parse({ ...dep, ...patch, generation: dep.generation + 1, updated_at: now });
  }

  /** Partial update of spec and deployment fields; bumps the generation so the scheduler re-plans. */
  async update(
    uid: string,
    body: UpdateModelBody,
    expected: number | undefined,
    actor: string,
    by?: string,
  ): Promise<void> {
    // Other files (name, source, revision, path, engine): read their facts before the write.
    const before = (await this.require(uid)).spec.value;
    const identity = (s: Record<string, unknown>) =>
      JSON.stringify(FACTS_IDENTITY_FIELDS.map((k) => s[k] ?? null));
    const next: Record<string, unknown> = { ...before };
    for (const k of FACTS_IDENTITY_FIELDS) {
      const v = body[k];
      if (v === null) delete next[k];
      else if (v !== undefined) next[k] = v;
    }
    // Identity changed, or facts are missing (the hub was away at create): read them (again).
    const specTouched = SPEC_INPUT_FIELDS.some((k) => body[k] !== undefined);
    const refacts = identity(next) !== identity(before) || (before.facts === undefined && specTouched);
    const parsedNext = refacts ? ModelSpec.safeParse(next) : undefined;
    const read = parsedNext?.success ? await this.readFacts(parsedNext.data) : {};
    const names =
      body.adapters !== undefined || body.served_model_name !== undefined || body.engine_type !== undefined;
    const others = names ? await this.allSpecs() : [];
    const { changed, revision } = await this.mutate(
      uid,
      expected,
      (pair, now) => {
        const cur = pair.spec.value;
        const merged: Record<string, unknown> = { ...cur };
        let specChanged = false;
        for (const k of SPEC_INPUT_FIELDS) {
          const v = body[k];
          if (v === undefined) continue;
          specChanged = true;
          // An empty adapter list is no list: the spec (and the engines' fingerprint) stays as without one.
          if (v === null || (k === 'adapters' && Array.isArray(v) && v.length === 0)) delete merged[k];
          else if (k === 'engine_config') {
            const cfg = { ...cur.engine_config, ...(v as Partial<ModelSpec['engine_config']>) };
            // Env values are shown masked; the placeholder sent back keeps the stored value.
            merged[k] = { ...cfg, env: restoreMaskedEnv({ ...cfg.env }, cur.engine_config.env) };
          } else if (k === 'resources') merged[k] = { ...cur.resources, ...(v as object) };
          else merged[k] = v;
        }
        if (merged['model_source'] === 'local' && !merged['model_path'] && merged['engine_type'] !== 'sim') {
          throw errors.invalid('model_path is required when model_source is "local"', 'VALIDATION_FAILED', {
            issues: [{ path: 'model_path', message: 'required for local models' }],
          });
        }
        const gguf = ggufChoiceProblem(merged);
        if (specChanged && gguf) {
          throw errors.invalid(gguf.message, 'VALIDATION_FAILED', { issues: [gguf] });
        }
        if (refacts || identity(cur) !== identity(before)) {
          // Facts follow the identity they were read for; anything else is dropped, never kept stale.
          delete merged['facts'];
          if (read.facts && identity(merged) === identity(next)) merged['facts'] = read.facts;
        }
        const parsed = specChanged ? ModelSpec.parse({ ...merged, updated_at: now }) : undefined;
        // The same values again change nothing (no revision, no new generation); new facts alone are written.
        const spec =
          parsed &&
          (changedSpecFields(cur, parsed).length > 0 ||
            canonicalJson(cur.facts) !== canonicalJson(parsed.facts))
            ? parsed
            : undefined;
        // A change of engine or engine_config must pass the (new) engine's contract.
        if (spec && (body.engine_config !== undefined || body.engine_type !== undefined))
          checkSpecEngineConfig(spec.engine_type, spec.engine_config);
        if (spec && names) checkAdapters(spec, others);
        const depPatch: Partial<ModelDeployment> = {};
        if (body.replicas !== undefined) depPatch.replicas = body.replicas;
        if (body.node_selector !== undefined) depPatch.node_selector = body.node_selector;
        if (body.placement_strategy !== undefined) depPatch.placement_strategy = body.placement_strategy;
        const autoscaling = body.autoscaling;
        if (autoscaling !== undefined && (autoscaling !== null || pair.deployment?.value.autoscaling)) {
          const cur = pair.deployment?.value.autoscaling;
          if (canonicalJson(autoscaling ?? undefined) !== canonicalJson(cur))
            depPatch.autoscaling = autoscaling ?? undefined;
          // The count moves into the new min..max at once (an idle model turned off serves again with 1).
          const base = depPatch.replicas ?? pair.deployment?.value.replicas ?? 1;
          const replicas = autoscaling ? withinPolicy(base, autoscaling) : Math.max(base, 1);
          if (replicas !== pair.deployment?.value.replicas) depPatch.replicas = replicas;
        } else if (body.replicas !== undefined && pair.deployment?.value.autoscaling) {
          throw errors.conflict(
            'AUTOSCALED',
            `model ${uid} is autoscaled: change its policy's min/max, or turn autoscaling off (autoscaling: null)`,
          );
        }
        if (body.rollout !== undefined) {
          const cur = pair.deployment?.value.rollout;
          const rollout = mergeRollout(cur, body.rollout);
          if (canonicalJson(rollout) !== canonicalJson(cur ?? RolloutPolicy.parse({})))
            depPatch.rollout = rollout;
        }
        if (!spec && Object.keys(depPatch).length === 0) return undefined;
        // A spec change is a new generation too: the scheduler re-plans from the new spec.
        const deployment = this.bump(this.baseDeployment(pair, now), depPatch, now);
        return spec ? { spec, deployment } : { deployment };
      },
      { by: by ?? `user:${actor}`, cause: 'update' },
    );
    if (changed) {
      const what = revision ? ` (revision ${revision.revision}: ${revision.changed.join(', ')})` : '';
      const lora =
        body.adapters !== undefined ? adapterChange(before.adapters, body.adapters ?? undefined) : '';
      await this.event({
        model_uid: uid,
        type: 'updated',
        source: 'server',
        message: `updated by ${actor}${what}${lora}`,
      });
      if (read.event) await this.event(read.event);
    }
  }

  async start(
    uid: string,
    replicas: number | undefined,
    expected: number | undefined,
    actor: string,
  ): Promise<void> {
    const { changed } = await this.mutate(uid, expected, (pair, now) => {
      const dep = this.baseDeployment(pair, now);
      const want = replicas ?? (dep.replicas > 0 ? dep.replicas : 1);
      if (pair.deployment && dep.desired_state === 'running' && dep.replicas === want) return undefined;
      return { deployment: this.bump(dep, { desired_state: 'running', replicas: want }, now) };
    });
    if (changed)
      await this.event({ model_uid: uid, type: 'updated', source: 'server', message: `started by ${actor}` });
  }

  async stop(uid: string, expected: number | undefined, actor: string): Promise<void> {
    const { changed } = await this.mutate(uid, expected, (pair, now) => {
      const dep = this.baseDeployment(pair, now);
      if (pair.deployment && dep.desired_state === 'stopped') return undefined;
      return { deployment: this.bump(dep, { desired_state: 'stopped' }, now) };
    });
    if (changed)
      await this.event({ model_uid: uid, type: 'stopped', source: 'server', message: `stopped by ${actor}` });
  }

  async scale(uid: string, replicas: number, expected: number | undefined, actor: string): Promise<void> {
    let from = 0;
    const { changed } = await this.mutate(uid, expected, (pair, now) => {
      const dep = this.baseDeployment(pair, now);
      const a = dep.autoscaling;
      if (a)
        throw errors.conflict(
          'AUTOSCALED',
          `model ${uid} is autoscaled (${a.min_replicas}-${a.max_replicas} replicas): change its policy, or turn autoscaling off first`,
        );
      from = dep.replicas;
      if (pair.deployment && dep.replicas === replicas) return undefined;
      return { deployment: this.bump(dep, { replicas }, now) };
    });
    if (changed) {
      await this.event({
        model_uid: uid,
        type: 'scaled',
        source: 'server',
        message: `scaled from ${from} to ${replicas} by ${actor}`,
      });
    }
  }

  /**
   * Sets (or with null removes) the model's autoscaling policy. The replica count moves into the new
   * min..max at once; within it, the autoscaler decides. Removing the policy keeps the current count
   * (at least 1 when the model was idle, so a running model serves again).
   */
  async autoscale(
    uid: string,
    policy: AutoscalingPolicy | null,
    expected: number | undefined,
    actor: string,
  ): Promise<void> {
    let message = '';
    const { changed } = await this.mutate(uid, expected, (pair, now) => {
      const dep = this.baseDeployment(pair, now);
      if (policy === null) {
        if (!dep.autoscaling) return undefined;
        const { autoscaling: _off, ...rest } = dep;
        message = `autoscaling turned off by ${actor}`;
        const replicas = rest.desired_state === 'running' ? Math.max(rest.replicas, 1) : rest.replicas;
        return { deployment: this.bump(rest, { replicas }, now) };
      }
      if (JSON.stringify(dep.autoscaling) === JSON.stringify(policy)) return undefined;
      const replicas = Math.min(Math.max(dep.replicas, policy.min_replicas), policy.max_replicas);
      message = `autoscaling ${policy.min_replicas}-${policy.max_replicas} replicas, target ${policy.target.metric} ${policy.target.value}${policy.dry_run ? ' (dry run)' : ''} set by ${actor}`;
      return { deployment: this.bump(dep, { autoscaling: policy, replicas }, now) };
    });
    if (changed) await this.event({ model_uid: uid, type: 'updated', source: 'server', message });
  }

  /**
   * Deletes spec and deployment in one transaction (the scheduler removes the plan, nodes stop the
   * replicas). With `purge`, asks the cache manager to remove the model's files from the nodes.
   */
  async delete(
    uid: string,
    expected: number | undefined,
    purge: boolean,
    actor: string,
  ): Promise<'not_requested' | 'requested' | 'unsupported' | 'failed'> {
    const pair = await this.require(uid);
    checkExpected(expected, pair.spec.modRevision, pair.deployment?.modRevision);
    const res = await this.store.txn({
      compare: [
        { key: keys.modelSpec(uid), modRevision: pair.spec.modRevision },
        { key: keys.deployment(uid), modRevision: pair.deployment?.modRevision ?? 0 },
      ],
      success: [
        { op: 'delete', key: keys.modelSpec(uid) },
        { op: 'delete', key: keys.deployment(uid) },
        // The history goes with the model (a later model of the same uid starts its own).
        { op: 'deletePrefix', prefix: keys.modelRevisionsOf(uid) },
        { op: 'delete', key: keys.autoscaler(uid) },
        { op: 'delete', key: keys.wake(uid) },
      ],
    });
    if (!res.succeeded)
      throw new ApiError(409, 'CONFLICT', 'the model was changed concurrently; read it again and retry');
    // Its pre-pulls go with it (a node stops a download whose request vanished).
    await this.store
      .deletePrefix(keys.pullsOf(uid))
      .catch((err: unknown) =>
        this.logger.warn({ err: errorMessage(err), model_uid: uid }, 'could not delete pulls'),
      );
    let purgeResult: 'not_requested' | 'requested' | 'unsupported' | 'failed' = 'not_requested';
    if (purge) {
      if (!this.purgeHook) purgeResult = 'unsupported';
      else {
        try {
          await this.purgeHook(pair.spec.value.model_name, pair.spec.value.model_source);
          purgeResult = 'requested';
        } catch (err) {
          this.logger.warn({ err: errorMessage(err), model_uid: uid }, 'cache purge failed');
          purgeResult = 'failed';
        }
      }
    }
    await this.event({
      model_uid: uid,
      type: 'deleted',
      level: 'warning',
      source: 'server',
      message: `deleted by ${actor}${purge ? ` (cache purge: ${purgeResult})` : ''}`,
    });
    return purgeResult;
  }
}
