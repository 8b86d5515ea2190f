/**
 * GPU memory estimator (pure): how much memory one replica of a spec reserves on each of its GPUs, and the
 * parts it is made of (weights + KV cache + runtime), each with where its number came from.
 *
 * From the model's files (`spec.facts`, read by the server; see src/core/domain/model-facts.ts):
 *
 *   weights/GPU = bytes of the files the engine loads / gpu_count        (tensor parallel / layer split)
 *                 x the dtype cast of vLLM/SGLang (a float32 checkpoint runs in 16 bits under `auto`)
 *   KV/GPU      = layers x kv_heads/GPU x (k_dim + v_dim) x kv_bytes x context tokens x sequences
 *                 vLLM / SGLang: kv_heads/GPU = max(1, kv_heads / tp); kv_bytes from --dtype (auto: 2,
 *                 float32: 4) or --kv-cache-dtype fp8 (1); context = max_model_len, else the model's
 *                 max_context (vLLM refuses to start when its KV cache cannot hold one sequence of
 *                 max_model_len; the share left after weights and runtime is the engine's KV cache, so the
 *                 reservation is what the engine will really fill: it is given exactly this share).
 *                 llama.cpp: `-c` tokens in total across its slots (max_model_len, else the model's
 *                 context_length, as llama-server's `-c 0` does), f16 K and V unless -ctk/-ctv say otherwise,
 *                 split by layer over the GPUs.
 *   runtime/GPU = RUNTIME constants below (CUDA context, graphs, activations, compute buffers).
 *
 * Without the geometry (no facts, or facts without layers / heads), the old heuristic stays:
 *
 *   W        = weights bytes: facts, else resources.weights_bytes, else param_count_b x bytes/param, else
 *              the parameter count guessed from model_name ("Qwen2.5-7B" -> 7B; labelled `name-guess`)
 *   KV       = max(512 MiB, 0.1 x W) x clamp(max_model_len / 8192, 0.25, 8)
 *   per GPU  = (W + KV) / gpu_count + runtime, runtime = 0.2 x W / gpu_count + 1 GiB
 *
 * An explicit resources.gpu_memory_gib wins over all of it. gpu_count 0 reserves no GPU (the parts then
 * describe host memory). Engine `sim` loads nothing and has no KV cache: 1 GiB when nothing is known.
 * Another engine with nothing known needs whole free GPUs (vLLM takes 90 % of a GPU by default).
 */
import { GIB, MIB } from '../../core/domain/common.js';
import type { ModelFacts } from '../../core/domain/model-facts.js';
import type { ModelSpec } from '../../core/domain/model.js';
import { formatBytes } from './format.js';
import { bytesPerParamOfDtype, bytesPerParamOfQuantization, parseParamCountB } from './model-size.js';

export type EstimateBasis =
  'explicit' | 'facts' | 'weights' | 'params' | 'name-guess' | 'sim-default' | 'cpu' | 'unknown';

/** Where the weights number came from: the model's files, the spec, a parameter count, or the name. */
export type WeightsSource = 'files' | 'spec' | 'params' | 'name-guess';
/** Where the KV number came from. */
export type KvSource = 'config.json' | 'gguf-header' | 'heuristic' | 'none';

/** The parts of one replica's reservation on each of its GPUs (on the host when gpu_count is 0). */
export interface EstimateParts {
  weightsBytes: number;
  kvBytes: number;
  runtimeBytes: number;
  weightsFrom: WeightsSource;
  kvFrom: KvSource;
  /** KV tokens reserved for (context x sequences), when computed from the geometry. */
  kvTokens?: number;
  /** Whole-model KV bytes per token, when computed from the geometry. */
  kvBytesPerToken?: number;
  /** One phrase each, e.g. "4.58 GiB in 1 file (hub file list)", "128 KiB/token x 131072 tokens". */
  weightsWhat: string;
  kvWhat: string;
  runtimeWhat: string;
}

export interface MemoryEstimate {
  /** GPUs of one node each replica needs (tensor parallel size); 0 = CPU only. */
  gpuCount: number;
  /**
   * Bytes reserved on each of those GPUs. `undefined` when the size is unknown: the replica then takes
   * whole free GPUs (the planner reserves what is free on them).
   */
  perGpuBytes: number | undefined;
  basis: EstimateBasis;
  /** Weights size the estimate started from, when known. */
  weightsBytes?: number;
  /** The reservation split into weights, KV and runtime, when the size is known. */
  parts?: EstimateParts;
  /** One line for events and plans, e.g. "22.4 GiB/GPU = 15.2 weights + 6.1 KV at 32k + 1.1 runtime". */
  summary: string;
}

/** Constants of the heuristic fallback. */
export const ESTIMATOR = {
  weightsFactor: 1.2,
  kvFraction: 0.1,
  kvMinBytes: 512 * MIB,
  kvReferenceLen: 8192,
  frameworkPerGpuBytes: GIB,
  simDefaultBytes: GIB,
} as const;

/**
 * Runtime memory per GPU besides weights and KV, per engine (documented constants):
 * - vLLM / SGLang: 1 GiB for the CUDA context, cuBLAS/NCCL workspaces and CUDA graphs (vLLM's "non-torch
 *   memory" plus graph capture), plus the activation peak of the profiling run: `profileTokens` (vLLM's
 *   default max_num_batched_tokens) x hidden_size x 2 bytes x `activationFactor` live tensors of a layer,
 *   split over tensor-parallel GPUs, plus the sampler's logits (`samplerSeqs` x vocab x 4 bytes).
 * - llama.cpp (as the pinned build reports at load: "output buffer", "compute buffer"): the logits
 *   buffer of its slots (vocab x 4 bytes x `llamaSlots`, llama-server's default 4 parallel slots), the
 *   compute buffer of one micro-batch (the f16 attention mask n_ctx x ubatch x 2 bytes, plus activations
 *   ubatch x hidden x 4 bytes x `activationFactor`; ubatch = min(512, n_ctx)), and the process itself
 *   (`llamaProcessBytes`: binary, tokenizer, threads; about 20 MiB resident on CPU), plus 0.3 GiB of CUDA
 *   context per GPU. The tiny test model: output 0.49 MiB, compute 0.63 MiB at -c 256 and 5.01 MiB at
 *   -c 4096 as llama-server logs them.
 */
export const RUNTIME = {
  gpuFixedBytes: GIB,
  profileTokens: 8192,
  activationFactor: 16,
  samplerSeqs: 256,
  llamaUbatch: 512,
  llamaSlots: 4,
  llamaProcessBytes: 20 * MIB,
  llamaCudaContextBytes: 0.3 * GIB,
  defaultVocab: 32_000,
  defaultHidden: 4096,
} as const;

/** KV sequences reserved at full context (vLLM/SGLang page it: 32k tokens serve 32 requests of 1k). */
export const KV_SEQUENCES = 1;

/** Estimates the per-GPU reservation of one replica of `spec`. */
export function estimateReplicaMemory(spec: ModelSpec): MemoryEstimate {
  const gpuCount = spec.resources.gpu_count;

  const explicitGib = spec.resources.gpu_memory_gib;
  if (explicitGib !== undefined && gpuCount > 0) {
    const bytes = roundUpMib(explicitGib * GIB);
    return {
      gpuCount,
      perGpuBytes: bytes,
      basis: 'explicit',
      summary: `${formatBytes(bytes)} per GPU (explicit)`,
    };
  }

  const facts = spec.engine_type === 'sim' ? undefined : currentFacts(spec);
  const weights = weightsOf(spec, facts);
  if (!weights) {
    if (gpuCount === 0) return cpuOnly(undefined);
    if (spec.engine_type === 'sim') {
      const bytes = ESTIMATOR.simDefaultBytes;
      return {
        gpuCount,
        perGpuBytes: bytes,
        basis: 'sim-default',
        summary: `${formatBytes(bytes)} per GPU (simulator default)`,
      };
    }
    return {
      gpuCount,
      perGpuBytes: undefined,
      basis: 'unknown',
      summary: 'model size unknown: whole GPUs (set resources.gpu_memory_gib to share them)',
    };
  }

  const divisor = Math.max(1, gpuCount);
  const geometry = facts ? geometryOf(facts) : undefined;
  const parts = geometry
    ? partsFromGeometry(spec, facts!, geometry, weights, divisor)
    : partsFromHeuristic(weights, divisor, spec.engine_config.max_model_len);
  if (gpuCount === 0) return cpuOnly(parts, weights.bytes);
  const perGpu = roundUpMib(parts.weightsBytes + parts.kvBytes + parts.runtimeBytes);
  const basis: EstimateBasis =
    weights.from === 'files' || geometry
      ? 'facts'
      : weights.from === 'spec'
        ? 'weights'
        : weights.from === 'params'
          ? 'params'
          : 'name-guess';
  return {
    gpuCount,
    perGpuBytes: perGpu,
    basis,
    weightsBytes: weights.bytes,
    parts,
    summary: formatParts(perGpu, parts, 'GPU'),
  };
}

function cpuOnly(parts: EstimateParts | undefined, weightsBytes?: number): MemoryEstimate {
  if (!parts) return { gpuCount: 0, perGpuBytes: 0, basis: 'cpu', summary: 'CPU only (gpu_count 0)' };
  const host = roundUpMib(parts.weightsBytes + parts.kvBytes + parts.runtimeBytes);
  return {
    gpuCount: 0,
    perGpuBytes: 0,
    basis: 'cpu',
    ...(weightsBytes !== undefined ? { weightsBytes } : {}),
    parts,
    summary: `CPU only (gpu_count 0): ${formatParts(host, parts, 'host')}`,
  };
}

/** The heuristic formula for a known weights size (no geometry): the fallback. */
export function perGpuBytesFromWeights(weightsBytes: number, gpuCount: number, maxModelLen?: number): number {
  const p = partsFromHeuristic(
    { bytes: weightsBytes, from: 'spec', what: '' },
    Math.max(1, gpuCount),
    maxModelLen,
  );
  return roundUpMib(p.weightsBytes + p.kvBytes + p.runtimeBytes);
}

/** Facts that still describe the spec (read for the same model, source, revision and path), if any. */
export function currentFacts(spec: ModelSpec): ModelFacts | undefined {
  const f = spec.facts;
  if (!f) return undefined;
  const r = f.read_for;
  if (r.model_name !== spec.model_name || r.model_source !== spec.model_source) return undefined;
  if (r.revision !== spec.revision || (r.model_path ?? undefined) !== (spec.model_path ?? undefined))
    return undefined;
  // Facts of another GGUF variant describe another file (llama.cpp loads exactly one).
  if (spec.engine_type === 'llamacpp' && (r.file ?? undefined) !== (spec.gguf_file ?? spec.gguf_quant))
    return undefined;
  return f;
}

interface Weights {
  bytes: number;
  from: WeightsSource;
  what: string;
}

function weightsOf(spec: ModelSpec, facts: ModelFacts | undefined): Weights | undefined {
  if (facts?.weights_bytes !== undefined && facts.weights_bytes > 0) {
    const from = facts.weights_from ?? 'hub-file-list';
    const label =
      from === 'local-files'
        ? 'file sizes'
        : from === 'safetensors-index'
          ? 'safetensors index'
          : 'hub file list';
    const cast = castFactor(spec, facts);
    const bytes = facts.weights_bytes * cast.factor;
    return {
      bytes,
      from: 'files',
      what: `${formatBytes(facts.weights_bytes)} of ${facts.format} (${label})${cast.why}`,
    };
  }
  const r = spec.resources;
  if (r.weights_bytes !== undefined) {
    return {
      bytes: r.weights_bytes,
      from: 'spec',
      what: `${formatBytes(r.weights_bytes)} of weights (resources.weights_bytes)`,
    };
  }
  const bpp =
    bytesPerParamOfQuantization(spec.engine_config.quantization, spec.model_name) ??
    bytesPerParamOfDtype(spec.engine_config.dtype);
  if (r.param_count_b !== undefined) {
    return {
      bytes: r.param_count_b * 1e9 * bpp,
      from: 'params',
      what: `${r.param_count_b}B params x ${bpp} bytes`,
    };
  }
  const parsed = parseParamCountB(spec.model_name);
  if (parsed !== undefined) {
    return {
      bytes: parsed * 1e9 * bpp,
      from: 'name-guess',
      what: `${parsed}B params guessed from the name x ${bpp} bytes`,
    };
  }
  return undefined;
}

const DTYPE_BYTES: Record<string, number> = { float32: 4, float16: 2, bfloat16: 2 };

/**
 * vLLM and SGLang cast the checkpoint to the dtype they run in: `auto` keeps 16-bit checkpoints and runs
 * float32 ones in float16 (half the file size in memory); an explicit --dtype or online fp8 quantization
 * changes it too. GGUF and pre-quantized weights load as they are.
 */
function castFactor(spec: ModelSpec, f: ModelFacts): { factor: number; why: string } {
  const none = { factor: 1, why: '' };
  if (spec.engine_type !== 'vllm' && spec.engine_type !== 'sglang') return none;
  if (f.format !== 'safetensors' && f.format !== 'pytorch') return none;
  const ckpt = f.dtype !== undefined ? DTYPE_BYTES[f.dtype] : undefined;
  if (ckpt === undefined) return none;
  const want = spec.engine_config.dtype;
  let target = want === undefined || want === 'auto' ? (ckpt === 4 ? 2 : ckpt) : DTYPE_BYTES[want];
  if (target === undefined) return none;
  if ((spec.engine_config.quantization ?? '').toLowerCase() === 'fp8') target = 1;
  if (target === ckpt) return none;
  return {
    factor: target / ckpt,
    why: ` x ${target}/${ckpt} (${f.dtype} checkpoint loaded as ${target} bytes/param)`,
  };
}

interface Geometry {
  layers: number;
  kvHeads: number;
  kDim: number;
  vDim: number;
  from: KvSource;
}

/** Layers, KV heads and head dims, when the facts have them (head_dim defaults to hidden / heads). */
export function geometryOf(f: ModelFacts): Geometry | undefined {
  const layers = f.num_layers;
  const heads = f.num_attention_heads;
  const kvHeads = f.num_kv_heads ?? heads;
  const kDim = f.head_dim ?? (f.hidden_size !== undefined && heads ? f.hidden_size / heads : undefined);
  if (!layers || !kvHeads || !kDim || !Number.isFinite(kDim)) return undefined;
  return {
    layers,
    kvHeads,
    kDim,
    vDim: f.v_head_dim ?? kDim,
    from: f.geometry_from === 'gguf-header' ? 'gguf-header' : 'config.json',
  };
}

/** Bytes per K/V element as the engine stores it. */
export function kvElementBytes(spec: ModelSpec): number {
  const args = spec.engine_config.extra_args;
  const flag = (...names: string[]): string | undefined => {
    for (let i = 0; i < args.length; i++) {
      const a = args[i] ?? '';
      for (const n of names) {
        if (a === n) return args[i + 1];
        if (a.startsWith(`${n}=`)) return a.slice(n.length + 1);
      }
    }
    return undefined;
  };
  if (spec.engine_type === 'llamacpp') {
    const t = (flag('-ctk', '--cache-type-k') ?? 'f16').toLowerCase();
    // ggml block sizes: q8_0 34 bytes / 32 values, q4_0 18 / 32, q5_0 22 / 32.
    const table: Record<string, number> = {
      f32: 4,
      f16: 2,
      bf16: 2,
      q8_0: 34 / 32,
      q4_0: 18 / 32,
      q4_1: 20 / 32,
      q5_0: 22 / 32,
      q5_1: 24 / 32,
      iq4_nl: 18 / 32,
    };
    return table[t] ?? 2;
  }
  const kvDtype = (flag('--kv-cache-dtype') ?? 'auto').toLowerCase();
  if (kvDtype.startsWith('fp8')) return 1;
  return spec.engine_config.dtype === 'float32' ? 4 : 2;
}

/** KV tokens the engine allocates and where the context length came from. */
function contextOf(spec: ModelSpec, f: ModelFacts): { tokens: number; from: string } {
  const set = spec.engine_config.max_model_len;
  if (set !== undefined) return { tokens: set, from: 'max_model_len' };
  if (f.max_context !== undefined) return { tokens: f.max_context, from: "the model's context length" };
  return { tokens: 4096, from: 'a 4096 default (the model does not say)' };
}

function partsFromGeometry(
  spec: ModelSpec,
  f: ModelFacts,
  g: Geometry,
  w: Weights,
  gpus: number,
): EstimateParts {
  const bytes = kvElementBytes(spec);
  const ctx = contextOf(spec, f);
  const tokens = ctx.tokens * KV_SEQUENCES;
  const perToken = g.layers * g.kvHeads * (g.kDim + g.vDim) * bytes;
  let kvPerGpu: number;
  let runtime: number;
  let runtimeWhat: string;
  const onGpu = spec.resources.gpu_count > 0;
  if (spec.engine_type === 'llamacpp') {
    // Layers (and their KV) are split evenly over the GPUs.
    kvPerGpu = (perToken * tokens) / gpus;
    const vocab = f.vocab_size ?? RUNTIME.defaultVocab;
    const hidden = f.hidden_size ?? RUNTIME.defaultHidden;
    const ubatch = Math.min(RUNTIME.llamaUbatch, ctx.tokens);
    const output = vocab * 4 * RUNTIME.llamaSlots;
    const compute = (ctx.tokens * ubatch * 2 + ubatch * hidden * 4 * RUNTIME.activationFactor) / gpus;
    const fixed = onGpu ? RUNTIME.llamaCudaContextBytes : RUNTIME.llamaProcessBytes;
    runtime = output + compute + fixed;
    runtimeWhat = `logits ${formatBytes(output)} (${RUNTIME.llamaSlots} slots x ${vocab}) + compute buffer ${formatBytes(compute)} (ubatch ${ubatch}) + ${onGpu ? 'CUDA context' : 'process'} ${formatBytes(fixed)}`;
  } else {
    // Tensor parallelism shards KV heads; with more GPUs than KV heads each GPU keeps a replica of one.
    const headsPerGpu = Math.max(1, g.kvHeads / gpus);
    kvPerGpu = g.layers * headsPerGpu * (g.kDim + g.vDim) * bytes * tokens;
    const hidden = f.hidden_size ?? RUNTIME.defaultHidden;
    const vocab = f.vocab_size ?? RUNTIME.defaultVocab;
    const activations = (RUNTIME.profileTokens * hidden * 2 * RUNTIME.activationFactor) / gpus;
    const logits = RUNTIME.samplerSeqs * vocab * 4;
    runtime = RUNTIME.gpuFixedBytes + activations + logits;
    runtimeWhat = `CUDA context and graphs ${formatBytes(RUNTIME.gpuFixedBytes)} + activations ${formatBytes(activations)} + sampler ${formatBytes(logits)}`;
  }
  return {
    weightsBytes: w.bytes / gpus,
    kvBytes: kvPerGpu,
    runtimeBytes: runtime,
    weightsFrom: w.from,
    kvFrom: g.from,
    kvTokens: tokens,
    kvBytesPerToken: perToken,
    weightsWhat: w.what + (gpus > 1 ? ` / ${gpus} GPUs` : ''),
    kvWhat: `${formatSmall(perToken)}/token (${g.layers} layers x ${g.kvHeads} KV heads x ${g.kDim}+${g.vDim} dims x ${bytes} bytes, ${g.from}) x ${tokens} tokens (${ctx.from})${gpus > 1 ? ` / ${gpus} GPUs` : ''}`,
    runtimeWhat,
  };
}

function partsFromHeuristic(w: Weights, gpus: number, maxModelLen: number | undefined): EstimateParts {
  const lenFactor = maxModelLen === undefined ? 1 : clamp(maxModelLen / ESTIMATOR.kvReferenceLen, 0.25, 8);
  const kv = Math.max(ESTIMATOR.kvMinBytes, ESTIMATOR.kvFraction * w.bytes) * lenFactor;
  return {
    weightsBytes: w.bytes / gpus,
    kvBytes: kv / gpus,
    runtimeBytes: ((ESTIMATOR.weightsFactor - 1) * w.bytes) / gpus + ESTIMATOR.frameworkPerGpuBytes,
    weightsFrom: w.from,
    kvFrom: 'heuristic',
    weightsWhat: w.what + (gpus > 1 ? ` / ${gpus} GPUs` : ''),
    kvWhat: `heuristic: max(512 MiB, 10 % of weights) x context / 8192 (no layer/head facts)`,
    runtimeWhat: 'heuristic: 20 % of weights + 1 GiB',
  };
}

/** "22.4 GiB/GPU = 15.2 weights + 6.1 KV at 32k + 1.1 runtime" (GiB when total >= 1 GiB, else MiB). */
export function formatParts(total: number, p: EstimateParts, per: 'GPU' | 'host'): string {
  const unit = total >= GIB ? GIB : MIB;
  const u = unit === GIB ? 'GiB' : 'MiB';
  const n = (b: number) => (b / unit).toFixed(1);
  const at = p.kvTokens !== undefined ? ` at ${tokensLabel(p.kvTokens)}` : '';
  const label = per === 'GPU' ? `${n(total)} ${u}/GPU` : `${n(total)} ${u}`;
  const src =
    p.weightsFrom === 'name-guess' ? ' (name-guess)' : p.kvFrom === 'heuristic' ? ' (heuristic KV)' : '';
  return `${label} = ${n(p.weightsBytes)} weights + ${n(p.kvBytes)} KV${at} + ${n(p.runtimeBytes)} runtime${src}`;
}

/** Bytes per token and other small sizes: "128 KiB", "256 B". */
function formatSmall(bytes: number): string {
  if (bytes >= MIB) return formatBytes(bytes);
  if (bytes >= 1024) return `${Math.round((bytes / 1024) * 10) / 10} KiB`;
  return `${Math.round(bytes)} B`;
}

function tokensLabel(t: number): string {
  return t >= 1024 && t % 1024 === 0 ? `${t / 1024}k` : String(t);
}

function roundUpMib(bytes: number): number {
  return Math.ceil(bytes / MIB) * MIB;
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, v));
}
