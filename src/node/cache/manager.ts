/**
 * The node's model-files cache manager (DESIGN §6): provides model files to engines (`ensure`: local path
 * check, or download from Hugging Face / ModelScope into the standard cache layouts, one download per
 * model, progress under a lease), scans the cache into `/model_cache` entries, reports disk status and
 * alerts, executes purge requests and, when enabled, evicts least-recently-used models under critical
 * disk pressure.
 */
import { mkdir, readFile, stat, utimes, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { systemClock, type Clock, type TimerHandle } from '../../core/clock.js';
import {
  CachePurgeRequest,
  ModelDeployment,
  ModelSpec,
  type ModelCacheEntry,
  type ModelSource,
  type NodeDiskStatus,
} from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import { modelNameHash } from '../../core/ids.js';
import { keys, kindFilter, prefixes } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { Informer } from '../../store/informer.js';
import { listJson, type Typed } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import type { Agent } from 'undici';
import type { GgufChoice } from '../../core/gguf-variants.js';
import { adapterFilesSpec, readAdapterRank } from './adapter-files.js';
import { DiskMonitor, defaultStatfs } from './disk.js';
import { downloadHf, downloadMs, type DownloadEnv, type DownloadOutcome } from './download-model.js';
import { CacheError, cancelled, TransientHubError } from './errors.js';
import { ggufChoiceKey, ggufChoiceOf, listLocalGguf, narrowManifest, pickVariant } from './gguf-select.js';
import { fetchHfManifest } from './hf-source.js';
import { hfHome, hfRefPath, hfRepoDir, hfSnapshotDir } from './hf-layout.js';
import {
  createHubAgent,
  DEFAULT_HF_ENDPOINT,
  DEFAULT_MODELSCOPE_ENDPOINT,
  HubClient,
  HubError,
  hubPolicies,
} from '../../hub/index.js';
import { lastUsedPath, readStoredManifest } from './manifest.js';
import { msCacheRoot, msModelDir, msTempDir } from './ms-layout.js';
import { fetchMsManifest, msRevision } from './ms-source.js';
import { modelRef, referencedModels, selectEvictions } from './lru.js';
import type { CacheManagerDeps, CacheManagerOptions } from './options.js';
import { publishEntries } from './publish-entries.js';
import { isInside, removeModelFiles } from './purge.js';
import { answerPurgeRequest, type PurgeRequestDeps } from './purge-requests.js';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.js';
import { scanCache, type ScannedModel } from './scan.js';
import { SharedDownload } from './shared-download.js';
import type {
  EnsureModelRequest,
  EnsureModelResult,
  InUseCheck,
  ModelFiles,
  PrefetchRequest,
  PrefetchResult,
  PurgeOutcome,
  ResolvedAdapter,
} from './types.js';
import { validateRepoId, validateRevision } from './validate.js';

export interface CacheManager extends ModelFiles {
  /** First scan and disk check, then the periodic loops and the purge-request watch. */
  start(): Promise<void>;
  /** Stops the loops and cancels downloads in flight. */
  stop(): Promise<void>;
  /** Scans now and publishes the entries (serialised with other scans). */
  rescan(): Promise<ModelCacheEntry[]>;
  /** statfs now: publishes the disk status and updates the alert (and evicts when enabled and critical). */
  checkDisk(): Promise<NodeDiskStatus>;
  /** Deletes a model's files from this node unless a running replica uses them. */
  purge(modelName: string, source: ModelSource): Promise<PurgeOutcome>;
  /** Runs one LRU eviction pass now (even when `evictLru` is off). */
  evict(): Promise<PurgeOutcome[]>;
  /** Records that an engine uses the model now (its `last_used_at`). */
  markUsed(modelName: string, source: ModelSource): Promise<void>;
  setInUseCheck(check: InUseCheck): void;
  /**
   * Downloads a model's files without starting anything (a pre-pull): the same check of the cache, the
   * same shared download (a replica starting meanwhile joins it) and the same verification as `ensure`.
   */
  prefetch(req: PrefetchRequest): Promise<PrefetchResult>;
  /** The entries of the last scan, by model name hash. */
  readonly entries: ReadonlyMap<string, ModelCacheEntry>;
  /** Downloads in flight (for tests and the admin API). */
  readonly activeDownloads: number;
  /** The last disk status read (undefined before the first check), for the node's gauges. */
  readonly diskStatus: NodeDiskStatus | undefined;
  /** Bytes fetched from each hub since the manager started (the node's download counter). */
  readonly downloadedBytes: Readonly<Record<'huggingface' | 'modelscope', number>>;
}

async function exists(p: string): Promise<boolean> {
  return !!(await stat(p).catch(() => undefined));
}

async function filesMatch(dir: string, files: readonly { path: string; size: number }[]): Promise<boolean> {
  for (const f of files) {
    const s = await stat(resolve(dir, ...f.path.split('/'))).catch(() => undefined);
    if (!s?.isFile() || s.size !== f.size) return false;
  }
  return true;
}

class CacheManagerImpl implements CacheManager {
  readonly cacheDir: string;
  private readonly store: Store;
  private readonly clock: Clock;
  private readonly logger: Logger | undefined;
  private readonly retry: RetryPolicy;
  private readonly agent: Agent;
  private readonly hfHttp: HubClient;
  private readonly msHttp: HubClient;
  private readonly disk: DiskMonitor;
  private readonly inflight = new Map<string, SharedDownload>();
  private readonly plainDirs = new Set<string>();
  private inUse: InUseCheck;
  private scanned = new Map<string, ScannedModel>();
  private entryMap = new Map<string, ModelCacheEntry>();
  private scanChain: Promise<ModelCacheEntry[]> | undefined;
  private scanAgain = false;
  private timers: TimerHandle[] = [];
  private purgeInformer: Informer<CachePurgeRequest> | undefined;
  private purgeQueue: Promise<void> = Promise.resolve();
  private stopped = false;
  private evicting = false;
  private readonly fetched = { huggingface: 0, modelscope: 0 };

  constructor(
    private readonly opts: CacheManagerOptions,
    deps: CacheManagerDeps,
  ) {
    this.cacheDir = resolve(opts.cacheDir);
    this.store = deps.store;
    this.clock = deps.clock ?? systemClock;
    this.logger = deps.logger;
    this.retry = { ...DEFAULT_RETRY, ...opts.retry };
    this.inUse = opts.isInUse ?? (() => false);
    for (const d of opts.plainDirs ?? []) this.plainDirs.add(resolve(d));
    const env = opts.env ?? process.env;
    this.agent = createHubAgent(
      opts.bodyTimeoutMs === undefined ? {} : { bodyTimeoutMs: opts.bodyTimeoutMs },
    );
    const policies = asCacheError(() =>
      hubPolicies({
        hfEndpoint: opts.hfEndpoint ?? env['HF_ENDPOINT'] ?? DEFAULT_HF_ENDPOINT,
        modelscopeEndpoint:
          opts.modelscopeEndpoint ?? env['MODELSCOPE_ENDPOINT'] ?? DEFAULT_MODELSCOPE_ENDPOINT,
        extraRedirectHosts: opts.redirectHosts ?? [],
      }),
    );
    const token = opts.hfToken ?? env['HF_TOKEN'];
    this.hfHttp = new HubClient({
      policy: policies.huggingface,
      dispatcher: this.agent,
      userAgent: 'nebula-node',
      mapError: toCacheError,
      ...(token ? { token } : {}),
    });
    this.msHttp = new HubClient({
      policy: policies.modelscope,
      dispatcher: this.agent,
      userAgent: 'nebula-node',
      mapError: toCacheError,
    });
    this.disk = new DiskMonitor(this.store, {
      nodeId: opts.nodeId,
      path: this.cacheDir,
      statfs: opts.statfs ?? defaultStatfs,
      clock: this.clock,
      ...(this.logger ? { logger: this.logger } : {}),
    });
  }

  get entries(): ReadonlyMap<string, ModelCacheEntry> {
    return this.entryMap;
  }

  get activeDownloads(): number {
    return this.inflight.size;
  }

  get diskStatus(): NodeDiskStatus | undefined {
    return this.disk.status;
  }

  get downloadedBytes(): Readonly<Record<'huggingface' | 'modelscope', number>> {
    return this.fetched;
  }

  setInUseCheck(check: InUseCheck): void {
    this.inUse = check;
  }

  // ---- lifecycle ---------------------------------------------------------------------------------

  async start(): Promise<void> {
    await mkdir(this.cacheDir, { recursive: true });
    await this.rescan().catch((err: unknown) =>
      this.logger?.warn({ err: errorMessage(err) }, 'initial cache scan failed'),
    );
    await this.checkDisk().catch((err: unknown) =>
      this.logger?.warn({ err: errorMessage(err) }, 'initial disk check failed'),
    );
    this.loop(this.opts.scanIntervalMs ?? 60_000, () => this.rescan());
    this.loop(this.opts.diskIntervalMs ?? 30_000, () => this.checkDisk());
    this.purgeInformer = new Informer<CachePurgeRequest>({
      store: this.store,
      prefix: keys.cachePurgeOf(this.opts.nodeId),
      schema: CachePurgeRequest,
      clock: this.clock,
      name: 'cache-purge',
      onAdd: (item) => this.onPurgeRequest(item),
      onUpdate: (item) => this.onPurgeRequest(item),
      ...(this.logger ? { logger: this.logger } : {}),
    }).start();
    await this.purgeInformer.ready().catch(() => undefined);
  }

  private loop(everyMs: number, fn: () => Promise<unknown>): void {
    const tick = () => {
      if (this.stopped) return;
      void fn()
        .catch((err: unknown) => this.logger?.warn({ err: errorMessage(err) }, 'cache loop failed'))
        .finally(() => {
          if (!this.stopped) this.timers.push(this.clock.setTimeout(tick, everyMs));
        });
    };
    this.timers.push(this.clock.setTimeout(tick, everyMs));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.timers = [];
    for (const d of this.inflight.values()) d.controller.abort(cancelled(d.modelName));
    await Promise.allSettled([...this.inflight.values()].map((d) => d.promise));
    await this.purgeInformer?.stop();
    await this.purgeQueue.catch(() => undefined);
    await this.scanChain?.catch(() => undefined);
    await this.agent.close().catch(() => undefined);
  }

  // ---- ensure ------------------------------------------------------------------------------------

  private envFor(source: ModelSource): Record<string, string> {
    if (source === 'huggingface') return { HF_HOME: hfHome(this.cacheDir) };
    if (source === 'modelscope') return { MODELSCOPE_CACHE: msCacheRoot(this.cacheDir) };
    return {};
  }

  /** The hub, repository, revision and GGUF choice a spec's files come from (validated). */
  private hubTarget(
    spec: Pick<ModelSpec, 'model_name' | 'revision' | 'engine_type' | 'gguf_file' | 'gguf_quant'>,
    source: 'huggingface' | 'modelscope',
  ) {
    const name = spec.model_name;
    validateRepoId(name, source === 'modelscope');
    let revision = validateRevision(spec.revision || 'main');
    if (source === 'modelscope') revision = msRevision(revision);
    // llama.cpp loads one GGUF variant: only its files are fetched, and the engine gets its first file.
    const gguf = ggufChoiceOf(spec);
    return { source, name, revision, gguf };
  }


  /** The running download of a target, or a new one: one download per model (and variant) per node. */
  private sharedFor(t: ReturnType<CacheManagerImpl['hubTarget']>): SharedDownload {
    const { source, name, revision, gguf } = t;
    const key = `${source}:${name}@${revision}${ggufChoiceKey(gguf)}`;
    const running = this.inflight.get(key);
    if (running) return running;
    const created = new SharedDownload(
      {
        store: this.store,
        clock: this.clock,
        nodeId: this.opts.nodeId,
        progressIntervalMs: this.opts.progressIntervalMs ?? 500,
        progressTtlSeconds: this.opts.progressTtlSeconds ?? 30,
        ...(this.logger ? { logger: this.logger } : {}),
      },
      name,
      source,
      (signal, tracker) => this.download(source, name, revision, signal, tracker, gguf),
    );
    this.inflight.set(key, created);
    void created.promise.then(
      () => this.inflight.delete(key),
      () => {
        this.inflight.delete(key);
        // A failed download may have left partial files: show them as an incomplete entry.
        void this.rescan().catch(() => undefined);
      },
    );
    return created;
  }

  async ensure(req: EnsureModelRequest): Promise<EnsureModelResult> {
    const base = await this.ensureOne(req);
    const list = req.spec.adapters ?? [];
    if (list.length === 0) return base;
    // Adapters one after the other (each a download of its own, shared with other replicas that need it).
    const adapters: ResolvedAdapter[] = [];
    let downloaded = base.downloaded;
    for (const a of list) {
      const got = await this.ensureOne({ ...req, spec: adapterFilesSpec(req.spec, a) });
      if (got.modelPath === undefined)
        throw new CacheError(`adapter ${a.name} resolved to no files`, 'LOCAL_PATH_MISSING');
      const rank = await readAdapterRank(got.modelPath);
      adapters.push(
        rank === undefined
          ? { name: a.name, path: got.modelPath }
          : { name: a.name, path: got.modelPath, rank },
      );
      downloaded ||= got.downloaded;
    }
    return { ...base, downloaded, adapters };
  }

  private async ensureOne(req: EnsureModelRequest): Promise<EnsureModelResult> {
    const { spec } = req;
    if (req.signal.aborted) throw cancelled(spec.model_name);
    if (spec.model_source === 'local') return this.ensureLocal(req);
    const source = spec.model_source;
    const t = this.hubTarget(spec, source);
    const cached = await this.completeLocally(source, t.name, t.revision, t.gguf);
    if (cached) {
      await this.markUsed(t.name, source);
      return { modelPath: cached.path, env: this.envFor(source), downloaded: false };
    }
    const shared = this.sharedFor(t);
    const join: Parameters<SharedDownload['join']>[0] = {
      modelUid: req.modelUid,
      replicaId: req.replicaId,
      signal: req.signal,
    };
    if (req.onProgress) join.onProgress = req.onProgress;
    const out = await shared.join(join);
    await this.markUsed(t.name, source);
    // The entry is published before the engine starts: schedulers see the copy as soon as it exists.
    await this.rescan().catch((err: unknown) =>
      this.logger?.warn({ err: errorMessage(err) }, 'cache scan after download failed'),
    );
    return { modelPath: out.modelPath, env: this.envFor(source), downloaded: out.fetchedBytes > 0 };
  }

  async prefetch(req: PrefetchRequest): Promise<PrefetchResult> {
    const { target } = req;
    if (req.signal.aborted) throw cancelled(target.model_name);
    const source = target.model_source;
    const t = this.hubTarget(target, source);
    const cached = await this.completeLocally(source, t.name, t.revision, t.gguf);
    if (cached) {
      // A pulled model counts as used now: LRU eviction takes models nobody asked for first.
      await this.markUsed(t.name, source);
      return { cached: true, fetchedBytes: 0, bytesTotal: cached.bytes, filesTotal: cached.files };
    }
    const shared = this.sharedFor(t);
    const out = await shared.follow({
      signal: req.signal,
      ...(req.onProgress ? { onProgress: req.onProgress } : {}),
    });
    await this.markUsed(t.name, source);
    await this.rescan().catch((err: unknown) =>
      this.logger?.warn({ err: errorMessage(err) }, 'cache scan after download failed'),
    );
    const snap = shared.tracker.snapshot;
    return {
      cached: false,
      fetchedBytes: out.fetchedBytes,
      bytesTotal: snap.bytes_total,
      filesTotal: snap.files_total,
    };
  }

  private async download(
    source: 'huggingface' | 'modelscope',
    name: string,
    revision: string,
    signal: AbortSignal,
    tracker: DownloadEnv['tracker'],
    gguf: GgufChoice | undefined,
  ): Promise<DownloadOutcome> {
    const http = source === 'huggingface' ? this.hfHttp : this.msHttp;
    const env: DownloadEnv = {
      cacheDir: this.cacheDir,
      http,
      retry: this.retry,
      clock: this.clock,
      concurrency: this.opts.concurrency ?? 4,
      signal,
      tracker,
      freeBytes: () => this.disk.freeBytes(),
      onFetched: (bytes) => {
        this.fetched[source] += bytes;
      },
    };
    if (this.logger) env.logger = this.logger.child({ model: name, source });
    this.logger?.info({ model: name, source, revision }, 'downloading model');
    const listed =
      source === 'huggingface'
        ? await fetchHfManifest(http, name, revision, signal)
        : await fetchMsManifest(http, name, revision, signal);
    const narrowed = gguf ? narrowManifest(listed, gguf) : undefined;
    const manifest = narrowed?.manifest ?? listed;
    if (narrowed)
      this.logger?.info(
        { model: name, gguf_file: narrowed.variant.name, parts: narrowed.variant.files.length },
        'GGUF variant chosen',
      );
    const got = source === 'huggingface' ? await downloadHf(env, manifest) : await downloadMs(env, manifest);
    const out = narrowed
      ? { ...got, modelPath: join(got.modelPath, ...narrowed.variant.name.split('/')) }
      : got;
    this.logger?.info(
      { model: name, source, commit: manifest.commit, fetched_bytes: out.fetchedBytes },
      'model files ready',
    );
    return out;
  }

  /** The model's directory when a finished download of this revision is still intact (no hub needed). */
  private async completeLocally(
    source: 'huggingface' | 'modelscope',
    name: string,
    revision: string,
    gguf: GgufChoice | undefined,
  ): Promise<{ path: string; bytes: number; files: number } | undefined> {
    const stored = await readStoredManifest(this.cacheDir, source, name);
    if (!stored || (stored.revision !== revision && stored.commit !== revision)) return undefined;
    let m = stored;
    let file: string | undefined;
    if (gguf) {
      // The variant is resolved over the revision's full listing: the files fetched so far may hold
      // another variant only. Unknown choices go to the hub, which reports them.
      let variant;
      try {
        variant = pickVariant(stored.listing ?? stored.files, gguf, name);
      } catch {
        return undefined;
      }
      const have = new Map(stored.files.map((f) => [f.path, f]));
      const parts = variant.files.map((p) => have.get(p));
      if (parts.some((f) => f === undefined)) return undefined;
      m = { ...stored, files: parts as typeof stored.files };
      file = variant.name;
    } else if (stored.listing) {
      // Only some variants of a GGUF repository are here: an engine that loads the whole
      // repository needs the rest.
      const have = new Set(stored.files.map((f) => f.path));
      if (stored.listing.some((f) => !have.has(f.path))) return undefined;
    }
    const found = (dir: string) => ({
      path: file ? join(dir, ...file.split('/')) : dir,
      bytes: m.files.reduce((n, f) => n + f.size, 0),
      files: m.files.length,
    });
    if (source === 'huggingface') {
      const repoDir = hfRepoDir(this.cacheDir, name);
      if (m.revision === revision && revision !== m.commit) {
        const ref = (await readFile(hfRefPath(repoDir, revision), 'utf8').catch(() => '')).trim();
        if (ref !== m.commit) return undefined;
      }
      const snap = hfSnapshotDir(repoDir, m.commit);
      return (await filesMatch(snap, m.files)) ? found(snap) : undefined;
    }
    const [org = '', repo = ''] = name.split('/');
    const dir = msModelDir(this.cacheDir, org, repo);
    if (await exists(msTempDir(this.cacheDir, org, repo))) return undefined;
    return (await filesMatch(dir, m.files)) ? found(dir) : undefined;
  }

  private async ensureLocal(req: EnsureModelRequest): Promise<EnsureModelResult> {
    const p = req.spec.model_path;
    if (!p) {
      if (req.spec.engine_type === 'sim') return { modelPath: undefined, env: {}, downloaded: false };
      throw new CacheError(`local model ${req.spec.model_name} has no model_path`, 'LOCAL_PATH_MISSING');
    }
    if (!isAbsolute(p))
      throw new CacheError(`model_path "${p}" must be an absolute path`, 'LOCAL_PATH_MISSING');
    const s = await stat(p).catch(() => undefined);
    if (!s)
      throw new CacheError(
        `model_path ${p} does not exist on node ${this.opts.nodeId}`,
        'LOCAL_PATH_MISSING',
      );
    let modelPath = p;
    const gguf = ggufChoiceOf(req.spec);
    if (gguf && s.isDirectory()) {
      // A directory of GGUF files: the spec's file or tag, or the default rule, picks the one to load.
      const variant = pickVariant(await listLocalGguf(p), gguf, `directory ${p}`);
      modelPath = join(p, ...variant.name.split('/'));
    } else if (gguf && !/\.gguf$/i.test(p)) {
      throw new CacheError(
        `llama.cpp needs a .gguf file or a directory of them, got ${p}`,
        'GGUF_NO_VARIANTS',
      );
    }
    if (s.isDirectory() && !this.plainDirs.has(resolve(p))) {
      this.plainDirs.add(resolve(p));
      void this.rescan().catch(() => undefined);
    }
    await this.markUsed(resolve(p), 'local');
    return { modelPath, env: {}, downloaded: false };
  }

  async markUsed(modelName: string, source: ModelSource): Promise<void> {
    const p = lastUsedPath(this.cacheDir, source, modelName);
    try {
      await mkdir(dirname(p), { recursive: true });
      const now = new Date(this.clock.now());
      await writeFile(p, now.toISOString());
      await utimes(p, now, now);
    } catch (err) {
      this.logger?.warn({ err: errorMessage(err) }, 'could not record model use');
    }
  }

  // ---- scan --------------------------------------------------------------------------------------

  rescan(): Promise<ModelCacheEntry[]> {
    if (this.scanChain) {
      this.scanAgain = true;
      return this.scanChain;
    }
    const run = async (): Promise<ModelCacheEntry[]> => {
      let out: ModelCacheEntry[] = [];
      do {
        this.scanAgain = false;
        const models = await scanCache(this.cacheDir, [...this.plainDirs]);
        const published = await publishEntries(
          this.store,
          this.opts.nodeId,
          models,
          this.clock.now(),
          10 * 60_000,
        );
        this.scanned = new Map(models.map((m) => [modelNameHash(m.source, m.model_name), m]));
        this.entryMap = published.entries;
        out = [...published.entries.values()];
      } while (this.scanAgain && !this.stopped);
      return out;
    };
    this.scanChain = run().finally(() => {
      this.scanChain = undefined;
    });
    return this.scanChain;
  }

  // ---- disk --------------------------------------------------------------------------------------

  async checkDisk(): Promise<NodeDiskStatus> {
    await mkdir(this.cacheDir, { recursive: true });
    const st = await this.disk.check();
    if (this.opts.evictLru && this.disk.alertLevel === 'critical' && !this.evicting) {
      const results = await this.evict();
      if (results.some((r) => r.status === 'done')) return this.disk.check();
    }
    return st;
  }

  async evict(): Promise<PurgeOutcome[]> {
    if (this.evicting) return [];
    this.evicting = true;
    try {
      await this.rescan();
      const status = this.disk.status ?? (await this.disk.check());
      const specs = await listJson(
        this.store,
        prefixes.models,
        ModelSpec,
        kindFilter('modelSpec'),
      );
      const deps = await listJson(
        this.store,
        prefixes.deployments,
        ModelDeployment,
        kindFilter('deployment'),
      );
      const referenced = referencedModels(
        specs.items.map((t) => t.value),
        deps.items.map((t) => t.value),
      );
      const victims = selectEvictions([...this.scanned.values()], status, (m) =>
        this.evictable(m, referenced),
      );
      const out: PurgeOutcome[] = [];
      for (const v of victims) {
        this.logger?.warn(
          { model: v.model_name, source: v.source, bytes: v.size_bytes, last_used_at: v.last_used_at },
          'evicting model under disk pressure',
        );
        out.push(await this.purge(v.model_name, v.source));
      }
      return out;
    } finally {
      this.evicting = false;
    }
  }

  private evictable(m: ScannedModel, referenced: ReadonlySet<string>): boolean {
    if (referenced.has(modelRef(m.source, m.model_name))) return false;
    if (!isInside(this.cacheDir, m.root)) return false;
    if (this.downloading(m.model_name, m.source)) return false;
    return !this.inUse(m.model_name, m.source);
  }

  // ---- purge -------------------------------------------------------------------------------------

  private downloading(name: string, source: string): boolean {
    return [...this.inflight.values()].some((d) => d.modelName === name && d.source === source);
  }

  async purge(modelName: string, source: ModelSource): Promise<PurgeOutcome> {
    const base = { model_name: modelName, source };
    if (this.inUse(modelName, source)) {
      return {
        ...base,
        status: 'refused',
        reason: `${modelName} is in use by a running replica on ${this.opts.nodeId}`,
        freed_bytes: 0,
      };
    }
    if (this.downloading(modelName, source)) {
      return {
        ...base,
        status: 'refused',
        reason: `${modelName} is being downloaded on ${this.opts.nodeId}`,
        freed_bytes: 0,
      };
    }
    await this.rescan();
    const m = this.scanned.get(modelNameHash(source, modelName));
    if (!m)
      return {
        ...base,
        status: 'not_found',
        reason: `${modelName} (${source}) is not cached on ${this.opts.nodeId}`,
        freed_bytes: 0,
      };
    try {
      const res = await removeModelFiles(this.cacheDir, m);
      if (res.status === 'done') {
        this.plainDirs.delete(m.root);
        this.logger?.info({ model: modelName, source, freed_bytes: res.freed_bytes }, 'model files purged');
      }
      return res;
    } catch (err) {
      return { ...base, status: 'failed', reason: errorMessage(err), freed_bytes: 0 };
    } finally {
      await this.rescan().catch(() => undefined);
    }
  }

  private onPurgeRequest(item: Typed<CachePurgeRequest>): void {
    if (item.value.status !== 'pending' || this.stopped) return;
    this.purgeQueue = this.purgeQueue
      .then(() => this.handlePurgeRequest(item))
      .catch((err: unknown) => this.logger?.warn({ err: errorMessage(err) }, 'purge request failed'));
  }

  private async handlePurgeRequest(item: Typed<CachePurgeRequest>): Promise<void> {
    const deps: PurgeRequestDeps = {
      store: this.store,
      nodeId: this.opts.nodeId,
      clock: this.clock,
      resultTtlSeconds: this.opts.purgeResultTtlSeconds ?? 60,
      lookup: async (hash) => {
        await this.rescan();
        const m = this.scanned.get(hash);
        return m ? { name: m.model_name, source: m.source } : undefined;
      },
      purge: (name, source) => this.purge(name, source),
    };
    if (this.logger) deps.logger = this.logger;
    await answerPurgeRequest(deps, item);
  }
}

/** Creates the cache manager; call `start()` to begin scanning, disk checks and purge handling. */
export function createCacheManager(opts: CacheManagerOptions, deps: CacheManagerDeps): CacheManager {
  return new CacheManagerImpl(opts, deps);
}

/** Hub failures become cache errors (the reconciler reports ModelFilesError as a download failure). */
function toCacheError(err: HubError): CacheError {
  if (err.retryable) return new TransientHubError(err.message, err);
  return new CacheError(err.message, err.code, { cause: err });
}

/** Runs `f`, turning a HubError it throws (a bad endpoint) into a cache error. */
function asCacheError<T>(f: () => T): T {
  try {
    return f();
  } catch (err) {
    throw err instanceof HubError ? toCacheError(err) : err;
  }
}
