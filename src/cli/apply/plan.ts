/**
 * What `apply` will do with each document (pure): create it, update the fields that differ, or leave it.
 * Also turns a plan entry into the request bodies the API takes.
 */
import { DeploymentInputShape, SPEC_INPUT_FIELDS } from '../../core/domain/index.js';
import { diffFields, topLevelFields, type FieldChange } from './diff.js';
import { documentName, type ApplyDocument, type ModelDocument, type TemplateDocument } from './documents.js';

export type PlanAction = 'create' | 'update' | 'unchanged';

export interface PlanEntry {
  doc: ApplyDocument;
  name: string;
  action: PlanAction;
  changes: FieldChange[];
}

/** The server's view of a model, as far as apply compares it. */
export interface CurrentModel {
  spec: Record<string, unknown>;
  deployment: Record<string, unknown> | null;
}

/** The server's view of a template. */
export type CurrentTemplate = Record<string, unknown>;

/** The deployment's fields a model document sets (the API's, plus the desired state). */
const DEPLOYMENT_FIELDS = [...Object.keys(DeploymentInputShape), 'desired_state', 'rollout', 'autoscaling'];

/** A model's spec (the fields a client sets) + deployment flattened into the document's shape. */
export function modelAsDocument(current: CurrentModel): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const f of SPEC_INPUT_FIELDS) if (current.spec[f] !== undefined) out[f] = current.spec[f];
  for (const f of DEPLOYMENT_FIELDS)
    if (current.deployment && current.deployment[f] !== undefined) out[f] = current.deployment[f];
  return out;
}

function desiredFields(doc: ApplyDocument): Record<string, unknown> {
  if (doc.kind === 'Model') {
    const { kind: _k, model_uid: _uid, ...rest } = doc;
    return rest;
  }
  const { kind: _k, template_id: _id, ...rest } = doc;
  return rest;
}

export function planModel(doc: ModelDocument, current: CurrentModel | undefined): PlanEntry {
  const name = documentName(doc);
  if (!current) return { doc, name, action: 'create', changes: [] };
  const changes = diffFields(desiredFields(doc), modelAsDocument(current));
  return { doc, name, action: changes.length === 0 ? 'unchanged' : 'update', changes };
}

export function planTemplate(doc: TemplateDocument, current: CurrentTemplate | undefined): PlanEntry {
  const name = documentName(doc);
  if (!current) return { doc, name, action: 'create', changes: [] };
  const changes = diffFields(desiredFields(doc), current);
  return { doc, name, action: changes.length === 0 ? 'unchanged' : 'update', changes };
}

/** Body of `POST /api/v2/models` for a model document. */
export function modelCreateBody(doc: ModelDocument): Record<string, unknown> {
  const { kind: _k, desired_state, ...rest } = doc;
  return { ...rest, auto_start: desired_state === 'running' };
}

/**
 * How to bring an existing model in line: the fields for `PUT /api/v2/models/{uid}` (spec and deployment
 * fields that changed, with the values the file gives) and whether to start or stop it afterwards.
 */
export function modelUpdateSteps(entry: PlanEntry & { doc: ModelDocument }): {
  update: Record<string, unknown> | undefined;
  lifecycle: 'start' | 'stop' | undefined;
} {
  const fields = topLevelFields(entry.changes);
  const update: Record<string, unknown> = {};
  for (const f of fields) {
    if (f === 'desired_state') continue;
    update[f] = (entry.doc as Record<string, unknown>)[f];
  }
  const lifecycle = fields.includes('desired_state')
    ? entry.doc.desired_state === 'running'
      ? 'start'
      : 'stop'
    : undefined;
  return { update: Object.keys(update).length > 0 ? update : undefined, lifecycle };
}

/** Body of `POST /api/v2/templates`. */
export function templateCreateBody(doc: TemplateDocument): Record<string, unknown> {
  const { kind: _k, ...rest } = doc;
  return rest;
}

/** Body of `PUT /api/v2/templates/{id}`: the top-level fields that changed (spec sent whole). */
export function templateUpdateBody(entry: PlanEntry & { doc: TemplateDocument }): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  for (const f of topLevelFields(entry.changes)) body[f] = (entry.doc as Record<string, unknown>)[f];
  return body;
}

/** `3 objects: 1 to create, 1 to update, 1 unchanged`. */
export function summarizePlan(entries: readonly PlanEntry[]): string {
  const n = (a: PlanAction): number => entries.filter((e) => e.action === a).length;
  return `${entries.length} object${entries.length === 1 ? '' : 's'}: ${n('create')} to create, ${n('update')} to update, ${n('unchanged')} unchanged`;
}
