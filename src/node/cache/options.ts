/** Options and dependencies of the cache manager, with their defaults. */
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import type { Store } from '../../store/types.js';
import type { StatFsFn } from './disk.js';
import type { RetryPolicy } from './retry.js';
import type { InUseCheck } from './types.js';

export interface CacheManagerOptions {
  nodeId: string;
  /** Root of the node's model cache: `huggingface/` (HF_HOME), `modelscope/hub/` (MODELSCOPE_CACHE), `.nebula/`. */
  cacheDir: string;
  /** Hugging Face base URL (default: env HF_ENDPOINT, else https://huggingface.co). */
  hfEndpoint?: string;
  /** ModelScope base URL (default: env MODELSCOPE_ENDPOINT, else https://www.modelscope.cn). */
  modelscopeEndpoint?: string;
  /** Token for gated / private Hugging Face repositories (default: env HF_TOKEN). */
  hfToken?: string;
  /** Extra directories holding plain model folders (config.json, *.safetensors, *.gguf). */
  plainDirs?: string[];
  /** Rescan period (default 60 s); scans also follow every download and purge. */
  scanIntervalMs?: number;
  /** statfs period (default 30 s). */
  diskIntervalMs?: number;
  /** Evict least-recently-used, unreferenced models when the disk is critical (default off). */
  evictLru?: boolean;
  /** Injectable statfs (tests). */
  statfs?: StatFsFn;
  /** Per-file retry policy (default 3 attempts in a row, 1 s doubling). */
  retry?: Partial<RetryPolicy>;
  /** Files fetched in parallel per model (default 4). */
  concurrency?: number;
  /** Minimum time between progress writes (default 500 ms). */
  progressIntervalMs?: number;
  /** Lease of progress keys (default 30 s). */
  progressTtlSeconds?: number;
  /** How long a purge result stays readable in `/cache_purge` before its lease deletes it (default 60 s). */
  purgeResultTtlSeconds?: number;
  /** Whether a running replica uses a model (default: never). `setInUseCheck` can set it later. */
  isInUse?: InUseCheck;
  /** More hosts (exact, or `.suffix`) that hub redirects may go to. */
  redirectHosts?: string[];
  /** A stalled body fails after this long without data (default 120 s). */
  bodyTimeoutMs?: number;
  /** Environment for the defaults above (default process.env). */
  env?: Record<string, string | undefined>;
}

export interface CacheManagerDeps {
  store: Store;
  logger?: Logger;
  clock?: Clock;
}
