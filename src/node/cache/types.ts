import type { DownloadProgress, ModelSpec, PullTarget } from '../../core/domain/index.js';
import type { ProgressSnapshot } from './progress.js';

/**
 * The contract between the node agent's reconciler and the cache manager: before an engine starts, the
 * reconciler asks for the model's files and gets the path the engine should load.
 */
export interface EnsureModelRequest {
  spec: ModelSpec;
  modelUid: string;
  replicaId: number;
  /** Aborted when the deployment stops or the replica is removed: the download is cancelled. */
  signal: AbortSignal;
  /** Called with byte-level progress while files are fetched (the cache manager also publishes it). */
  onProgress?: (progress: DownloadProgress) => void;
}

export interface EnsureModelResult {
  /**
   * What the engine should be given as its model: a local directory (local source, or a downloaded
   * snapshot), or the hub name when the engine resolves it from HF_HOME itself. Undefined when the engine
   * needs no weights (the simulator with no path).
   */
  modelPath: string | undefined;
  /** HF_HOME / MODELSCOPE_CACHE style directories to pass to the engine's environment. */
  env: Record<string, string>;
  /** True when files were fetched for this request (false when the cache already had them). */
  downloaded: boolean;
  /**
   * The spec's LoRA adapters, in the spec's order, each with what the engine loads (a `.gguf` file for
   * llama.cpp, else the adapter's directory). Absent when the spec has none.
   */
  adapters?: ResolvedAdapter[];
}

/** A LoRA adapter's files on the node, ready for the engine's launch. */
export interface ResolvedAdapter {
  name: string;
  /** What the engine loads: a `.gguf` file (llama.cpp) or the adapter's folder. */
  path: string;
  /** Its rank (`r` of adapter_config.json), when the folder says. */
  rank?: number;
}

export interface ModelFiles {
  ensure(req: EnsureModelRequest): Promise<EnsureModelResult>;
  /** Root of the node's model cache. */
  readonly cacheDir: string;
}

/** Outcome of deleting one model's files from a node (also written into `/cache_purge` requests). */
export interface PurgeOutcome {
  status: 'done' | 'refused' | 'not_found' | 'failed';
  reason?: string;
  freed_bytes: number;
  model_name?: string;
  source?: string;
}

/** Answers whether a running replica on this node uses the model's files (the node agent knows). */
export type InUseCheck = (modelName: string, source: string) => boolean;

/** A download without an engine (a pre-pull): which files, and how to follow them. */
export interface PrefetchRequest {
  target: PullTarget;
  /** Aborting stops waiting; the download itself stops when nothing else (a replica) waits for it. */
  signal: AbortSignal;
  /** Byte-level progress of the shared download (at most every 100 ms). */
  onProgress?: (snapshot: ProgressSnapshot) => void;
}

export interface PrefetchResult {
  /** True when every file was already in the cache (nothing was fetched, the hub was not asked). */
  cached: boolean;
  /** Bytes fetched from the hub while this request waited (0 when cached). */
  fetchedBytes: number;
  /** Size and number of the files a start of this target loads. */
  bytesTotal: number;
  filesTotal: number;
}
