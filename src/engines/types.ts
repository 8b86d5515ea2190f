import type { Assignment, EngineType, ModelSpec } from '../core/domain/index.js';
import type { EngineContract } from './contract.js';

/** What the node agent knows when it launches one replica. */
export interface LaunchInput {
  /** The spec snapshot from the placement plan. */
  spec: ModelSpec;
  assignment: Assignment;
  /** Address the engine listens on (the node's advertised or loopback address). */
  host: string;
  /**
   * What the cache manager resolved: a local directory (or, for llama.cpp, a .gguf file). Absent: the
   * engine resolves the hub name itself from the cache directories in its environment.
   */
  modelPath?: string;
  /** Root of the node's model cache (see `cacheLayout`). */
  cacheDir: string;
  /** Total memory of one of the assigned GPUs, for the memory share flags. Absent: engine default. */
  gpuMemoryTotalBytes?: number;
  /** How to run `nebula` itself (the simulator): process.execPath + [path to bin/nebula.js]. */
  nebulaBin: { command: string; args: string[] };
  /** Environment from the cache manager (HF_HOME, MODELSCOPE_CACHE, ...); overrides the defaults here. */
  env?: Record<string, string>;
  /**
   * The spec's LoRA adapters as the cache manager resolved them, in the spec's order (llama.cpp numbers
   * them by it): what each engine loads, and its rank when the adapter's config says.
   */
  adapters?: { name: string; path: string; rank?: number }[];
  /** Replaces the engine's program (e.g. /opt/vllm/bin/vllm); from the node's settings. */
  executable?: string;
}

/** A process to spawn without a shell: `spawn(command, argv, { env: { ...process.env, ...env } })`. */
export interface LaunchCommand {
  command: string;
  argv: string[];
  /** Variables to add to the agent's environment (not a complete environment). */
  env: Record<string, string>;
}

/** HTTP GET `path` on the engine's port; ready when it answers `expectStatus`. */
export interface ReadinessProbe {
  path: string;
  expectStatus: number;
}

/**
 * Prometheus series an engine exports at GET /metrics, by meaning, so the router can read load the same
 * way from every engine. Null where the engine has no such series.
 */
export interface EngineMetricNames {
  /** Gauge: requests being decoded. */
  running: string;
  /** Gauge: requests queued. */
  waiting: string;
  /** Gauge in [0, 1]: share of the KV cache in use. */
  kvCacheUsage: string | null;
  /** Counters of tokens processed. */
  promptTokens: string;
  generationTokens: string;
  /** Histogram of time to first token, seconds. */
  timeToFirstToken: string | null;
  /** Counters of prefix-cache lookups and hits, in tokens. */
  prefixCacheQueries: string | null;
  prefixCacheHits: string | null;
  /** Gauge in [0, 1]: prefix-cache hit rate, where the engine reports a rate instead of counters. */
  prefixCacheHitRate: string | null;
}

/** One inference engine as a plugin: how to launch it, when it is ready, and how to read its load. */
export interface EngineAdapter {
  readonly type: EngineType;
  /** Pure: the same input gives the same argv and env. Throws EngineLaunchError on unusable input. */
  buildLaunch(input: LaunchInput): LaunchCommand;
  readonly readiness: ReadinessProbe;
  readonly metricNames: EngineMetricNames;
  /** The pinned release's flags, what Nebula manages, readiness and metric names (contract.ts). */
  readonly contract: EngineContract;
  /** The name clients send as `model`: spec.served_model_name, else the model_uid. */
  servedModelName(spec: ModelSpec): string;
}
