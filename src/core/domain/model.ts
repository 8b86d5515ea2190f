import { z } from 'zod';
import { DurationString } from '../duration.js';
import { GGUF_QUANT_PATTERN, isSafeGgufPath } from '../gguf-variants.js';
import { ModelUid } from '../ids.js';
import { Labels, Timestamp } from './common.js';
import { ModelFacts } from './model-facts.js';
import { RevisionNumber, RolloutPolicy } from './revision.js';
import { AutoscalingPolicy } from './autoscaling.js';

export const ModelSource = z.enum(['huggingface', 'modelscope', 'local']);
export type ModelSource = z.infer<typeof ModelSource>;

export const EngineType = z.enum(['vllm', 'sglang', 'llamacpp', 'sim']);
export type EngineType = z.infer<typeof EngineType>;

export const RoutingPolicy = z.enum(['round-robin', 'least-outstanding', 'session-affinity', 'prefix-aware']);
export type RoutingPolicy = z.infer<typeof RoutingPolicy>;

export const Dtype = z.enum(['auto', 'float32', 'float16', 'bfloat16', 'fp8', 'int8', 'int4']);
export type Dtype = z.infer<typeof Dtype>;

/**
 * A hub name that ends up in paths and URLs (repository, revision): 1 to `max` characters of `pattern`,
 * and never "..", whatever the pattern lets through.
 */
function pathSafeName(max: number, pattern: RegExp, patternMessage: string, dotsMessage: string) {
  return z
    .string()
    .min(1)
    .max(max)
    .regex(pattern, patternMessage)
    .refine((s) => !s.includes('..'), dotsMessage);
}

/** A model name on a hub: `org/name` (Hugging Face, ModelScope) or a free name for local models. */
export const ModelName = pathSafeName(
  200,
  /^[A-Za-z0-9][A-Za-z0-9._-]*(?:\/[A-Za-z0-9._-]+)?$/,
  'model_name must look like "org/name" or "name"',
  'model_name must not contain ".."',
);

/** A GGUF file of a repository or local directory: relative path inside it, no "..", ending `.gguf`. */
export const GgufFileName = z
  .string()
  .max(512)
  .refine(
    isSafeGgufPath,
    'gguf_file must be a relative path inside the repository ending in ".gguf" (no "..")',
  );

/** A quantisation tag as it appears in GGUF file names (`Q4_K_M`, `IQ4_XS`, `UD-Q4_K_XL`). */
export const GgufQuant = z
  .string()
  .regex(GGUF_QUANT_PATTERN, 'gguf_quant must be a quantisation tag such as "Q4_K_M"');

export const EngineConfig = z.object({
  /** Extra command-line arguments appended to the engine's argv. */
  extra_args: z.array(z.string().max(4096)).max(256).default([]),
  /** Extra environment variables for the engine process. */
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/), z.string().max(8192)).default({}),
  max_model_len: z.number().int().positive().optional(),
  dtype: Dtype.optional(),
  quantization: z.string().max(64).optional(),
  enable_lora: z.boolean().optional(),
});
export type EngineConfig = z.infer<typeof EngineConfig>;

export const ResourceRequirements = z.object({
  /** GPUs per replica (tensor parallel size). 0 = CPU-only (simulator, llama.cpp on CPU). */
  gpu_count: z.number().int().min(0).max(16).default(1),
  /** Explicit GPU memory per GPU in GiB; when absent the estimator derives it from the model size. */
  gpu_memory_gib: z.number().positive().max(4096).optional(),
  /** Parameter count in billions, for the estimator when the weights' size is not known. */
  param_count_b: z.number().positive().max(100_000).optional(),
  /** Size of the weights in bytes when known (from the hub's file list or the cache). */
  weights_bytes: z.number().int().positive().optional(),
});
export type ResourceRequirements = z.infer<typeof ResourceRequirements>;

/**
 * A hub revision (branch, tag or commit), e.g. `main`, `v1.0`, `refs/pr/3`, a 40-hex commit. It becomes a
 * path on the node (`refs/<revision>` in the Hugging Face cache), so it is a relative path of plain
 * segments: none empty, none starting with "." (no `.`, `..`, hidden names), no "..", no "%" escapes,
 * no leading "/". The one schema the API, the CLI's apply files and the node's reads share.
 */
export const Revision = pathSafeName(
  128,
  /^[A-Za-z0-9_-][A-Za-z0-9._-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9._-]*)*$/,
  'revision is a branch, tag or commit: letters, digits, ".", "_", "-" and "/" between names (no leading "/" or ".", no empty names)',
  'revision may not contain ".." (a path outside the cache)',
);
export type Revision = z.infer<typeof Revision>;

/**
 * How long the router waits on this model's engines (duration strings such as "90s", "10m"); an unset one
 * takes the router's default (`--first-byte-timeout`, `--idle-timeout`).
 */
export const ProxyTimeouts = z.strictObject({
  /**
   * Request sent -> first byte of the response body. A non-streamed answer arrives whole, so this covers the
   * prompt's prefill, any queueing and the whole generation.
   */
  first_byte: DurationString(1_000, 86_400_000).optional(),
  /** Longest silence between two pieces of a response once its body has started (streams). */
  idle: DurationString(1_000, 86_400_000).optional(),
});
export type ProxyTimeouts = z.infer<typeof ProxyTimeouts>;

/** What clients put in `model` to reach a model (also the engine's alias); path-like names are fine. */
export const ServedModelName = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._:/-]*$/,
    'served_model_name starts with a letter or digit, then letters, digits, ".", "_", ":", "/" or "-"',
  );

/** A LoRA adapter's name: what clients put in `model` to reach it. DNS-label-like (1-63 of a-z, 0-9, "-"). */
export const AdapterName = z
  .string()
  .regex(
    /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/,
    'adapter name is 1-63 lowercase letters, digits or "-", starting and ending with a letter or digit',
  );

/**
 * A local adapter's path on the node: absolute, no "." or ".." segments, no control characters, and no ","
 * or quotes (llama.cpp reads `--lora` as a comma-separated list).
 */
export const LocalAdapterPath = z
  .string()
  .min(2)
  .max(4096)
  .refine(
    (p) =>
      p.startsWith('/') &&
      // eslint-disable-next-line no-control-regex
      !/[\u0000-\u001f\u007f,"'\\]/.test(p) &&
      p
        .slice(1)
        .split('/')
        .every((s, i, all) => (s !== '' || i === all.length - 1) && s !== '.' && s !== '..'),
    'adapter path must be an absolute path without "." or ".." segments, control characters, "," or quotes',
  );

/**
 * One LoRA adapter of a base model (seed 001 §3.7): from a hub (`model_id` at `revision`) or a local path.
 * llama.cpp loads one `.gguf` of it (`gguf_file`, else the only or first one); vLLM and SGLang the folder
 * (`adapter_config.json` + weights).
 */
export const LoraAdapter = z
  .strictObject({
    name: AdapterName,
    source: ModelSource,
    /** Hub repository (`org/name`) for huggingface / modelscope adapters. */
    model_id: ModelName.optional(),
    /** Local adapters: the file (llama.cpp `.gguf`) or directory on every node. */
    path: LocalAdapterPath.optional(),
    /** Hub revision (branch, tag or commit); absent: `main`. */
    revision: Revision.optional(),
    /** llama.cpp: which `.gguf` of the adapter repository (absent: the only one, else the first by name). */
    gguf_file: GgufFileName.optional(),
  })
  .superRefine((a, ctx) => {
    if (a.source === 'local') {
      if (a.path === undefined)
        ctx.addIssue({ code: 'custom', path: ['path'], message: 'a local adapter needs path' });
      if (a.model_id !== undefined || a.revision !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['model_id'],
          message: 'a local adapter takes path, not model_id or revision',
        });
    } else {
      if (a.model_id === undefined)
        ctx.addIssue({ code: 'custom', path: ['model_id'], message: `a ${a.source} adapter needs model_id` });
      if (a.path !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['path'],
          message: `a ${a.source} adapter takes model_id, not path`,
        });
    }
  });
export type LoraAdapter = z.infer<typeof LoraAdapter>;

/** The most adapters one base model may carry (each one is memory on every replica and a route). */
export const MAX_ADAPTERS = 32;

/** A base model's adapters: names unique within the list. */
export const LoraAdapters = z
  .array(LoraAdapter)
  .max(MAX_ADAPTERS)
  .superRefine((list, ctx) => {
    const seen = new Set<string>();
    list.forEach((a, i) => {
      if (seen.has(a.name))
        ctx.addIssue({
          code: 'custom',
          path: [i, 'name'],
          message: `adapter name "${a.name}" is given twice`,
        });
      seen.add(a.name);
    });
  });

/**
 * `/models/{model_uid}/spec`: the persistent identity of a model. Written by the server. The one schema of
 * a spec: the API's bodies, the CLI's apply files and every list of spec keys derive from it
 * (spec-fields.ts); a new field is classified there or nothing compiles.
 */
export const ModelSpec = z.object({
  model_uid: ModelUid,
  model_name: ModelName,
  model_source: ModelSource,
  /** Hub revision (branch, tag or commit). */
  revision: Revision.default('main'),
  /** For local sources: the directory holding the weights. Absent with engine `sim`: no weights needed. */
  model_path: z.string().min(1).max(4096).optional(),
  /**
   * llama.cpp: the GGUF variant to load, by file name (a split model: any of its parts). Wins over
   * `gguf_quant`; neither: the default rule of `src/core/gguf-variants.ts` (Q4_K_M first).
   */
  gguf_file: GgufFileName.optional(),
  /** llama.cpp: the GGUF variant to load, by quantisation tag (case-insensitive). */
  gguf_quant: GgufQuant.optional(),
  engine_type: EngineType,
  engine_config: EngineConfig.default({ extra_args: [], env: {} }),
  /** Name clients use in `model`; defaults to model_uid. */
  served_model_name: ServedModelName.optional(),
  resources: ResourceRequirements.default({ gpu_count: 1 }),
  routing_policy: RoutingPolicy.optional(),
  proxy_timeouts: ProxyTimeouts.optional(),
  /** LoRA adapters served on top of this base model (absent: none; an unset list keeps launch fingerprints). */
  adapters: LoraAdapters.optional(),
  labels: Labels.default({}),
  description: z.string().max(2000).optional(),
  /** Server-owned: what the model's files say (weights bytes, layers, KV heads, ...); see model-facts.ts. */
  facts: ModelFacts.optional(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ModelSpec = z.infer<typeof ModelSpec>;

export const DesiredState = z.enum(['running', 'stopped']);
export type DesiredState = z.infer<typeof DesiredState>;

export const PlacementStrategy = z.enum(['binpack', 'spread']);
export type PlacementStrategy = z.infer<typeof PlacementStrategy>;

/** `/deployments/{model_uid}`: the desired running state. Written by the server. */
export const ModelDeployment = z.object({
  model_uid: ModelUid,
  desired_state: DesiredState,
  replicas: z.number().int().min(0).max(1000),
  node_selector: Labels.default({}),
  placement_strategy: PlacementStrategy.default('binpack'),
  /** Bumped on every change of the deployment, so the scheduler and nodes can tell what they applied. */
  generation: z.number().int().min(1),
  /** The spec revision (`/model_revisions/{uid}/{n}`) this deployment wants; absent on stores written before revisions. */
  spec_revision: RevisionNumber.optional(),
  /** How a change of revision is rolled out (absent: rolling with the defaults). */
  rollout: RolloutPolicy.optional(),
  /** Load-based replica count (absent: `replicas` is fixed). The autoscaler writes only `replicas`. */
  autoscaling: AutoscalingPolicy.optional(),
  created_at: Timestamp,
  updated_at: Timestamp,
});
export type ModelDeployment = z.infer<typeof ModelDeployment>;
