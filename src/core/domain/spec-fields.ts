/**
 * Every decision about a spec field, made once, next to the one schema (`ModelSpec`). The API's create and
 * update bodies, the template bodies, the CLI's apply documents, the service's update merge, the facts
 * reader and the node's launch fingerprint all take their keys and validators from here, so a new field
 * cannot be half-added: `SPEC_FIELD_ROLES` must name it (TypeScript refuses a missing or unknown key), and a
 * client-settable one must then appear in `SpecInputShape` (same check).
 */
import { z } from 'zod';
import { ModelDeployment, ModelSpec } from './model.js';

/**
 * What a spec field is for:
 * - `key`: the model's name in the store (`model_uid`); chosen at create, never changed, part of the launch.
 * - `identity`: which files are loaded and by which engine; a change means other files, so other facts
 *   (re-read) and another engine process (restart).
 * - `engine`: how the engine runs them (arguments, environment, alias, GPUs); a change restarts engines.
 * - `routing`: read by the router only; a change never restarts an engine.
 * - `meta`: descriptive (labels, description); a change never restarts an engine.
 * - `server-owned`: written by the server only (facts, timestamps); clients cannot set them.
 */
export type SpecFieldRole = 'key' | 'identity' | 'engine' | 'routing' | 'meta' | 'server-owned';

/** Spec field -> role. Complete by construction: a field missing here (or unknown to ModelSpec) fails to compile. */
export const SPEC_FIELD_ROLES = {
  model_uid: 'key',
  model_name: 'identity',
  model_source: 'identity',
  revision: 'identity',
  model_path: 'identity',
  gguf_file: 'identity',
  gguf_quant: 'identity',
  engine_type: 'identity',
  engine_config: 'engine',
  served_model_name: 'engine',
  resources: 'engine',
  routing_policy: 'routing',
  proxy_timeouts: 'routing',
  // Engines load adapters at launch (llama.cpp --lora, vLLM --lora-modules): a change restarts them.
  adapters: 'engine',
  labels: 'meta',
  description: 'meta',
  facts: 'server-owned',
  created_at: 'server-owned',
  updated_at: 'server-owned',
} as const satisfies Record<keyof ModelSpec, SpecFieldRole>;

type Roles = typeof SPEC_FIELD_ROLES;
type FieldsWith<R extends SpecFieldRole> = {
  [K in keyof Roles]: Roles[K] extends R ? K : never;
}[keyof Roles];

/** The roles a client may set (create, update, templates, apply files). */
const INPUT_ROLES = ['identity', 'engine', 'routing', 'meta'] as const;
/** The roles whose change gives the engine another command line or environment. */
const LAUNCH_ROLES = ['key', 'identity', 'engine'] as const;

/** A spec field a client may set. */
export type SpecInputField = FieldsWith<(typeof INPUT_ROLES)[number]>;
/** A spec field the engine's launch depends on. */
export type SpecLaunchField = FieldsWith<(typeof LAUNCH_ROLES)[number]>;
/** A spec field whose change means other files (so other facts). */
export type SpecIdentityField = FieldsWith<'identity'>;

/** The spec's fields with one of `roles`, in the schema's order. */
export function specFieldsWith<R extends SpecFieldRole>(roles: readonly R[]): FieldsWith<R>[] {
  return (Object.keys(ModelSpec.shape) as (keyof Roles)[]).filter((k) =>
    (roles as readonly SpecFieldRole[]).includes(SPEC_FIELD_ROLES[k]),
  ) as FieldsWith<R>[];
}

/** Fields a client sets; a change of any of them is a change of the spec (the update's merge walks these). */
export const SPEC_INPUT_FIELDS: readonly SpecInputField[] = specFieldsWith(INPUT_ROLES);
/** Fields the engine's launch depends on: the node's fingerprint hashes these (a change restarts). */
export const SPEC_LAUNCH_FIELDS: readonly SpecLaunchField[] = specFieldsWith(LAUNCH_ROLES);
/** Fields whose change means other files, so the server reads the facts again. */
export const SPEC_IDENTITY_FIELDS: readonly SpecIdentityField[] = specFieldsWith(['identity']);

const S = ModelSpec.shape;

/**
 * `partial` as a client means it: only the fields given. zod applies a default inside an optional field,
 * so `EngineConfig.partial()` would turn `{max_model_len: 4096}` into one that also sets `extra_args: []`
 * and `env: {}`, and the update's merge would wipe the stored ones (likewise `resources.gpu_count`).
 */
function withoutDefaults<P extends z.ZodObject>(partial: P): P {
  const shape: Record<string, z.ZodType> = {};
  for (const [k, v] of Object.entries(partial.shape)) {
    const inner = v instanceof z.ZodOptional ? (v.unwrap() as z.ZodType) : v;
    if (inner instanceof z.ZodDefault) shape[k] = (inner.unwrap() as z.ZodType).optional();
  }
  return partial.extend(shape) as P;
}

/**
 * The spec fields as a request (or an apply file, or a template) gives them: every validator of ModelSpec
 * (regexes included), with the defaults left to the server, which fills them in when it builds the spec,
 * and the nested objects that default (engine_config, resources) given in part (only what is given).
 */
export const SpecInputShape = {
  model_name: S.model_name,
  model_source: S.model_source,
  revision: S.revision.unwrap().optional(),
  model_path: S.model_path,
  gguf_file: S.gguf_file,
  gguf_quant: S.gguf_quant,
  engine_type: S.engine_type,
  engine_config: withoutDefaults(S.engine_config.unwrap().partial()).optional(),
  served_model_name: S.served_model_name,
  resources: withoutDefaults(S.resources.unwrap().partial()).optional(),
  routing_policy: S.routing_policy,
  proxy_timeouts: S.proxy_timeouts,
  adapters: S.adapters,
  labels: S.labels.unwrap().optional(),
  description: S.description,
} satisfies { [K in SpecInputField]: z.ZodType };

/**
 * The fields an update may clear with `null`: those the spec holds as optional without a default (clearing
 * one leaves it unset). Fields with a default (revision, engine_config, resources, labels) or required ones
 * cannot be cleared, only replaced.
 */
export const SPEC_CLEARABLE_FIELDS: readonly SpecClearableField[] = SPEC_INPUT_FIELDS.filter(
  (k): k is SpecClearableField => S[k].def.type === 'optional',
);

/** A spec field an update may clear with `null` (see SPEC_CLEARABLE_FIELDS). */
export type SpecClearableField = {
  [K in SpecInputField]: (typeof S)[K] extends z.ZodOptional ? K : never;
}[SpecInputField];

type Input = typeof SpecInputShape;
/** The spec part of a partial update: every input field optional, the clearable ones nullable too. */
export type SpecUpdateShape = {
  [K in SpecInputField]: K extends SpecClearableField ? z.ZodNullable<Input[K]> : z.ZodOptional<Input[K]>;
};

/** The spec part of a partial update (fields left out keep their value; `null` clears a clearable one). */
export const SpecUpdateShape = Object.fromEntries(
  SPEC_INPUT_FIELDS.map((k) => {
    const f: z.ZodType = SpecInputShape[k];
    return [k, (SPEC_CLEARABLE_FIELDS as readonly string[]).includes(k) ? f.nullable() : f.optional()];
  }),
) as SpecUpdateShape;

const D = ModelDeployment.shape;

/** The deployment fields a request or an apply file may set, validated as the stored deployment is. */
export const DeploymentInputShape = {
  replicas: D.replicas.optional(),
  node_selector: D.node_selector.unwrap().optional(),
  placement_strategy: D.placement_strategy.unwrap().optional(),
};
