import type { Clock } from '../../core/clock.js';
import { ModelTemplate, TemplateSpec } from '../../core/domain/index.js';
import { keys, prefixes } from '../../core/keys.js';
import { decode, encode, listJson, type Typed } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import { ApiError, errors } from '../errors.js';
import type { CreateTemplateBody, UpdateTemplateBody } from '../../api/schemas/templates.js';
import { checkSpecEngineConfig, restoreMaskedEnv } from './engine-config-policy.js';
import { checkExpected } from './service.js';
import { deriveTemplateId } from './uid.js';

/**
 * Builds a full template spec from request fields (defaults applied, validated; engine_config checked
 * against the engine's contract). `storedEnv`: the env kept where an update sends the masked placeholder.
 */
export function buildTemplateSpec(
  input: CreateTemplateBody['spec'],
  storedEnv?: Readonly<Record<string, string>>,
): TemplateSpec {
  const cfg = { extra_args: [], env: {}, ...(input.engine_config ?? {}) };
  const spec = TemplateSpec.parse({
    ...input,
    engine_config: { ...cfg, env: restoreMaskedEnv({ ...cfg.env }, storedEnv) },
    resources: { gpu_count: input.engine_type === 'sim' ? 0 : 1, ...(input.resources ?? {}) },
    labels: input.labels ?? {},
  });
  checkSpecEngineConfig(spec.engine_type, spec.engine_config);
  return spec;
}

/** Templates: CRUD with optimistic concurrency; system templates are read-only (403). */
export class TemplateService {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
  ) {}

  private now(): string {
    return new Date(this.clock.now()).toISOString();
  }

  async list(): Promise<Typed<ModelTemplate>[]> {
    return (await listJson(this.store, prefixes.templates, ModelTemplate)).items;
  }

  async require(id: string): Promise<Typed<ModelTemplate>> {
    const kv = await this.store.get(keys.template(id));
    if (!kv) throw errors.notFound('TEMPLATE_NOT_FOUND', `template "${id}" not found`, { template_id: id });
    return decode(ModelTemplate, kv);
  }

  private readOnly(t: ModelTemplate): void {
    if (t.source === 'system') {
      throw new ApiError(
        403,
        'SYSTEM_TEMPLATE_READONLY',
        `"${t.template_id}" is a built-in template and cannot be changed; deploy it or copy it instead`,
      );
    }
  }

  async create(body: CreateTemplateBody, actor: string): Promise<string> {
    const now = this.now();
    const taken = body.template_id
      ? new Set<string>()
      : new Set((await this.list()).map((t) => t.value.template_id));
    const id = body.template_id ?? deriveTemplateId(body.name, taken);
    const t = ModelTemplate.parse({
      template_id: id,
      name: body.name,
      description: body.description ?? `created by ${actor}`,
      category: body.category,
      source: 'user',
      spec: buildTemplateSpec(body.spec),
      deployment: {
        replicas: 1,
        node_selector: {},
        placement_strategy: 'binpack',
        ...(body.deployment ?? {}),
      },
      created_at: now,
      updated_at: now,
    });
    return this.insert(t);
  }

  /** Stores a new template; 409 TEMPLATE_ALREADY_EXISTS when the id is taken. */
  async insert(t: ModelTemplate): Promise<string> {
    const res = await this.store.txn({
      compare: [{ key: keys.template(t.template_id), modRevision: 0 }],
      success: [{ op: 'put', key: keys.template(t.template_id), value: encode(ModelTemplate, t) }],
    });
    if (!res.succeeded) {
      throw errors.conflict('TEMPLATE_ALREADY_EXISTS', `template "${t.template_id}" already exists`, {
        template_id: t.template_id,
      });
    }
    return t.template_id;
  }

  async update(id: string, body: UpdateTemplateBody, expected: number | undefined): Promise<void> {
    const cur = await this.require(id);
    this.readOnly(cur.value);
    checkExpected(expected, cur.modRevision);
    const next = ModelTemplate.parse({
      ...cur.value,
      ...(body.name !== undefined ? { name: body.name } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.category !== undefined ? { category: body.category } : {}),
      ...(body.spec !== undefined
        ? { spec: buildTemplateSpec(body.spec, cur.value.spec.engine_config.env) }
        : {}),
      deployment: { ...cur.value.deployment, ...(body.deployment ?? {}) },
      updated_at: this.now(),
    });
    const res = await this.store.txn({
      compare: [{ key: keys.template(id), modRevision: cur.modRevision }],
      success: [{ op: 'put', key: keys.template(id), value: encode(ModelTemplate, next) }],
    });
    if (!res.succeeded)
      throw new ApiError(409, 'CONFLICT', 'the template was changed concurrently; read it again and retry');
  }

  async delete(id: string, expected: number | undefined): Promise<void> {
    const cur = await this.require(id);
    this.readOnly(cur.value);
    checkExpected(expected, cur.modRevision);
    const res = await this.store.txn({
      compare: [{ key: keys.template(id), modRevision: cur.modRevision }],
      success: [{ op: 'delete', key: keys.template(id) }],
    });
    if (!res.succeeded)
      throw new ApiError(409, 'CONFLICT', 'the template was changed concurrently; read it again and retry');
  }
}
