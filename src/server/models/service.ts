import type { Clock } from '../../core/clock.js';
import {
  type EngineType,
  ModelDeployment,
  ModelSpec,
  type ModelSource,
  SPEC_INPUT_FIELDS,
  type SpecInputField,
} from '../../core/domain/index.js';
import type { Logger } from '../../core/logger.js';
import { errorMessage } from '../../core/errors.js';
import { keys, prefixes } from '../../core/keys.js';
import type { EventRecorder, NewModelEvent } from '../../store/events.js';
import { decode, encode, type Typed } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import { ApiError, errors } from '../errors.js';
import { ggufChoiceProblem, type CreateModelBody, type UpdateModelBody } from '../../api/schemas/models.js';
import { checkSpecEngineConfig, restoreMaskedEnv } from './engine-config-policy.js';
import { deriveModelUid } from './uid.js';
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

export interface CreateModelInput {
  model_uid?: string | undefined;
  spec: SpecInput;
  replicas?: number | undefined;
  node_selector?: Record<string, string> | undefined;
  placement_strategy?: 'binpack' | 'spread' | undefined;
  auto_start: boolean;
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

/** Default GPUs per replica: the simulator needs none; everything else one unless told. */
function defaultGpuCount(engine: EngineType): number {
  return engine === 'sim' ? 0 : 1;
}

/**
 * Builds a full, validated ModelSpec from request fields (ZodError -> 422 at the boundary); its
 * engine_config must pass the engine's contract (422 naming the field).
 */
export function buildSpec(uid: string, input: SpecInput, nowIso: string, createdAt = nowIso): ModelSpec {
  const spec = ModelSpec.parse({
    ...input,
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
 * Writes a new model's spec and deployment in one txn that succeeds only while neither key exists
 * (creation and the v1 migration alike): `succeeded` false means the uid was taken meanwhile.
 */
export async function createModelKeys(
  store: Store,
  uid: string,
  spec: ModelSpec,
  dep: ModelDeployment,
): Promise<{ succeeded: boolean }> {
  return store.txn({
    compare: [
      { key: keys.modelSpec(uid), modRevision: 0 },
      { key: keys.deployment(uid), modRevision: 0 },
    ],
    success: [
      { op: 'put', key: keys.modelSpec(uid), value: encode(ModelSpec, spec) },
      { op: 'put', key: keys.deployment(uid), value: encode(ModelDeployment, dep) },
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

  /** Creates spec + deployment in one transaction (both must be absent): 409 MODEL_ALREADY_EXISTS otherwise. */
  async create(input: CreateModelInput, actor: string): Promise<string> {
    const derived = input.model_uid === undefined;
    for (let attempt = 0; attempt < 5; attempt++) {
      const uid = input.model_uid ?? deriveModelUid(input.spec.model_name, await this.takenUids());
      const now = this.now();
      const built = buildSpec(uid, input.spec, now);
      const read = await this.readFacts(built, input.files);
      const spec: ModelSpec = read.facts ? { ...built, facts: read.facts } : built;
      const dep = ModelDeployment.parse({
        model_uid: uid,
        desired_state: input.auto_start ? 'running' : 'stopped',
        replicas: input.replicas ?? 1,
        node_selector: input.node_selector ?? {},
        placement_strategy: input.placement_strategy ?? 'binpack',
        generation: 1,
        created_at: now,
        updated_at: now,
      });
      const res = await createModelKeys(this.store, uid, spec, dep);
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
   */
  private async mutate(
    uid: string,
    expected: number | undefined,
    change: (pair: ModelPair, now: string) => { spec?: ModelSpec; deployment?: ModelDeployment } | undefined,
  ): Promise<{ changed: boolean; pair: ModelPair }> {
    const pair = await this.require(uid);
    checkExpected(expected, pair.spec.modRevision, pair.deployment?.modRevision);
    const next = change(pair, this.now());
    if (!next || (!next.spec && !next.deployment)) return { changed: false, pair };
    const success: { op: 'put'; key: string; value: string }[] = [];
    if (next.spec) success.push({ op: 'put', key: keys.modelSpec(uid), value: encode(ModelSpec, next.spec) });
    if (next.deployment)
      success.push({ op: 'put', key: keys.deployment(uid), value: encode(ModelDeployment, next.deployment) });
    const res = await this.store.txn({
      compare: [
        { key: keys.modelSpec(uid), modRevision: pair.spec.modRevision },
        { key: keys.deployment(uid), modRevision: pair.deployment?.modRevision ?? 0 },
      ],
      success,
    });
    if (!res.succeeded) {
      throw new ApiError(409, 'CONFLICT', 'the model was changed concurrently; read it again and retry');
    }
    return { changed: true, pair };
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
    const { changed } = await this.mutate(uid, expected, (pair, now) => {
      const cur = pair.spec.value;
      const merged: Record<string, unknown> = { ...cur };
      let specChanged = false;
      for (const k of SPEC_INPUT_FIELDS) {
        const v = body[k];
        if (v === undefined) continue;
        specChanged = true;
        if (v === null) delete merged[k];
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
      const spec = specChanged ? ModelSpec.parse({ ...merged, updated_at: now }) : undefined;
      // A change of engine or engine_config must pass the (new) engine's contract.
      if (spec && (body.engine_config !== undefined || body.engine_type !== undefined))
        checkSpecEngineConfig(spec.engine_type, spec.engine_config);
      const depPatch: Partial<ModelDeployment> = {};
      if (body.replicas !== undefined) depPatch.replicas = body.replicas;
      if (body.node_selector !== undefined) depPatch.node_selector = body.node_selector;
      if (body.placement_strategy !== undefined) depPatch.placement_strategy = body.placement_strategy;
      if (!spec && Object.keys(depPatch).length === 0) return undefined;
      // A spec change is a new generation too: the scheduler re-plans from the new spec.
      const deployment = this.bump(this.baseDeployment(pair, now), depPatch, now);
      return spec ? { spec, deployment } : { deployment };
    });
    if (changed) {
      await this.event({ model_uid: uid, type: 'updated', source: 'server', message: `updated by ${actor}` });
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
      ],
    });
    if (!res.succeeded)
      throw new ApiError(409, 'CONFLICT', 'the model was changed concurrently; read it again and retry');
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
