/**
 * The files `nebula apply -f` and `nebula delete -f` read: YAML (one or many `---` documents) or JSON (an
 * object, an array, or `{items: [...]}`), each document tagged `kind: Model` or `kind: Template`.
 *
 * ```yaml
 * kind: Model
 * model_uid: qwen-small
 * model_name: Qwen/Qwen2.5-0.5B-Instruct
 * engine_type: vllm
 * replicas: 2
 * desired_state: running      # optional: start (running) or stop (stopped) it
 * rollout: { strategy: rolling, max_surge: 1 }              # optional
 * autoscaling: { min_replicas: 1, max_replicas: 4 }         # optional: replicas follow the load
 * ---
 * kind: Template
 * template_id: qwen-small
 * name: Qwen 0.5B chat
 * category: chat
 * spec: { model_name: Qwen/Qwen2.5-0.5B-Instruct, model_source: huggingface, engine_type: vllm }
 * ```
 */
import { parseAllDocuments } from 'yaml';
import { z } from 'zod';
import {
  AutoscalingPolicy,
  DeploymentInputShape,
  DesiredState,
  SpecInputShape,
  TemplateCategory,
  TemplateDeploymentDefaults,
} from '../../core/domain/index.js';
import { RolloutInput } from '../../api/schemas/revisions.js';
import { ModelUid, Slug } from '../../core/ids.js';
import { UsageError } from '../errors.js';

/**
 * Spec fields a file may set: the API's create body fields (derived from ModelSpec, every validator
 * included), except that `model_source` defaults to huggingface.
 */
const SpecShape = {
  ...SpecInputShape,
  model_source: SpecInputShape.model_source.default('huggingface'),
};

export const ModelDocument = z.strictObject({
  kind: z.literal('Model'),
  model_uid: ModelUid,
  ...SpecShape,
  ...DeploymentInputShape,
  desired_state: DesiredState.optional(),
  rollout: RolloutInput.optional(),
  autoscaling: AutoscalingPolicy.optional(),
});
export type ModelDocument = z.infer<typeof ModelDocument>;

export const TemplateDocument = z.strictObject({
  kind: z.literal('Template'),
  template_id: Slug,
  name: z.string().min(1).max(200),
  description: z.string().max(2000).optional(),
  category: TemplateCategory.default('chat'),
  spec: z.strictObject(SpecShape),
  deployment: TemplateDeploymentDefaults.partial().optional(),
});
export type TemplateDocument = z.infer<typeof TemplateDocument>;

export type ApplyDocument = ModelDocument | TemplateDocument;

/** `model/qwen` or `template/qwen-small`: how a document is named in output. */
export function documentName(doc: ApplyDocument): string {
  return doc.kind === 'Model' ? `model/${doc.model_uid}` : `template/${doc.template_id}`;
}

function flatten(value: unknown): unknown[] {
  if (Array.isArray(value)) return value.flatMap(flatten);
  if (typeof value === 'object' && value !== null) {
    const v = value as Record<string, unknown>;
    if (v.kind === undefined && Array.isArray(v.items)) return v.items.flatMap(flatten);
    if (v.kind === 'List' && Array.isArray(v.items)) return v.items.flatMap(flatten);
  }
  return [value];
}

function describeIssue(err: z.ZodError): string {
  const issue = err.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys')
    return `unknown field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}${path ? ` in ${path}` : ''}`;
  return `${path ? `${path}: ` : ''}${issue.message}`;
}

/**
 * Parses the text of a file into validated documents. Any problem is a usage error naming the document
 * (1-based) and the field, and nothing is sent to the server.
 */
export function parseDocuments(text: string, source: string): ApplyDocument[] {
  const raw: unknown[] = [];
  for (const doc of parseAllDocuments(text)) {
    if (doc.errors.length > 0)
      throw new UsageError(`${source}: ${doc.errors[0]?.message ?? 'invalid YAML'}`, 'INVALID_FILE');
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) continue;
    raw.push(...flatten(value));
  }
  if (raw.length === 0) throw new UsageError(`${source}: no documents found`, 'INVALID_FILE');
  const out: ApplyDocument[] = [];
  const seen = new Set<string>();
  raw.forEach((value, i) => {
    const where = `${source}: document ${i + 1}`;
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw new UsageError(`${where}: expected an object`, 'INVALID_FILE');
    const kind = (value as { kind?: unknown }).kind;
    let parsed: z.ZodSafeParseResult<ApplyDocument>;
    if (kind === 'Model') parsed = ModelDocument.safeParse(value);
    else if (kind === 'Template') parsed = TemplateDocument.safeParse(value);
    else
      throw new UsageError(
        `${where}: kind must be Model or Template (got ${JSON.stringify(kind ?? null)})`,
        'INVALID_FILE',
      );
    if (!parsed.success)
      throw new UsageError(`${where} (${kind}): ${describeIssue(parsed.error)}`, 'INVALID_FILE');
    const name = documentName(parsed.data);
    if (seen.has(name)) throw new UsageError(`${where}: ${name} appears twice`, 'INVALID_FILE');
    seen.add(name);
    out.push(parsed.data);
  });
  return out;
}
