import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../core/clock.js';
import { Labels, PortRange, type EngineType, type ModelPull } from '../core/domain/index.js';
import { errorMessage } from '../core/errors.js';
import { NodeId } from '../core/ids.js';
import { createLogger, type Logger } from '../core/logger.js';
import { createMetricsRegistry } from '../core/metrics.js';
import { nebulaVersion } from '../core/version.js';
import { EventRecorder } from '../store/events.js';
import { LeaseKeeper } from '../store/lease-keeper.js';
import type { Store } from '../store/types.js';
import { createAdminApp, startAdminServer } from './admin-api.js';
import { acquireAgentLock, DEFAULT_ORPHAN_GRACE_MS, startOrphanWatchdog } from './orphans/index.js';
import { adapterRefs, createCacheManager, type CacheManager, type ModelFiles } from './cache/index.js';
import {
  type DesiredReplica,
  DEFAULT_REPLICA_TIMING,
  type ReplicaEvent,
  type ReplicaTiming,
  type ReplicaView,
} from './replica/index.js';
import { EndpointWriter } from './endpoint-writer.js';
import { defaultEngineAdapterLoader, type EngineAdapterLoader, type NebulaBin } from './engine/index.js';
import {
  defaultInstallRoots,
  type DetectableEngine,
  type EngineBins,
  EngineDetector,
} from './detect/index.js';
import { engineInstallHint } from '../engines/install-hint.js';
import { EngineUnavailableError, NodeConfigError } from './errors.js';
import { parseGpuMode, type GpuMode, GpuInventory } from './gpu/index.js';
import { Heartbeat } from './heartbeat.js';
import { createNodeMetrics } from './metrics.js';
import { Reconciler } from './reconcile/index.js';
import { PullRunner } from './pull/index.js';

export interface NodeAgentOptions {
  nodeId: string;
  /** Address other machines (router, server) reach this node and its engines at. */
  address: string;
  /** State file, engine logs (and the default cache dir) live here. */
  dataDir: string;
  /** Root of the model cache (default `<data-dir>/models`). */
  cacheDir?: string;
  /** `auto`, `none`, `sim:2x80GiB` (string or parsed). Default auto. */
  gpus?: string | GpuMode;
  /** Ports engines may be given. Default 40000-40999. */
  portRange?: PortRange;
  /** Admin/metrics HTTP port; 0 picks a free one. Default 9092. */
  adminPort?: number;
  /** Interface for the admin API; forced to 127.0.0.1 when no token is configured. */
  adminHost?: string;
  /** Shared token for /admin/* (env NEBULA_NODE_TOKEN). */
  adminToken?: string;
  labels?: Record<string, string>;
  /** Interface engines listen on (default 127.0.0.1 for a loopback address, else 0.0.0.0). */
  engineHost?: string;
  /** Node lease TTL (default 10 s). */
  leaseTtlSeconds?: number;
  /** Status rewrite period (default 5 s). */
  heartbeatIntervalMs?: number;
  /** Full re-list of placements and retry of failed endpoint writes (default 30 s). */
  resyncIntervalMs?: number;
  /** Hugging Face base URL for downloads (default env HF_ENDPOINT, else huggingface.co). */
  hfEndpoint?: string;
  /** ModelScope base URL for downloads (default env MODELSCOPE_ENDPOINT, else modelscope.cn). */
  modelscopeEndpoint?: string;
  /** Token for gated Hugging Face repositories (default env HF_TOKEN). */
  hfToken?: string;
  /** Evict unreferenced cached models, least recently used first, when the disk is critical. */
  evictLru?: boolean;
  /** Extra directories holding plain model folders to report in the cache. */
  plainDirs?: string[];
  /** Supervisor timings (backoff, grace, probes); tests shrink them. */
  timing?: Partial<ReplicaTiming>;
  /** Refuse to start when another live agent uses the same data dir (default true). */
  lockDataDir?: boolean;
  /** `--engine-bin TYPE=PATH`: the executable the node launches for an engine (no other is tried). */
  engineBins?: EngineBins;
  /**
   * Folders of engines `nebula engine install` built, searched before the PATH (default
   * `${XDG_CACHE_HOME:-~/.cache}/nebula/engines/llama-server`).
   */
  engineInstallRoots?: Partial<Record<DetectableEngine, string[]>>;
  /** PATH searched for engines (default the agent's own). */
  enginePath?: string;
  /** Engine detection timings: version probe timeout, file re-check and re-probe periods. */
  engineDetection?: {
    probeTimeoutMs?: number;
    rescanMs?: number;
    reprobeMs?: number;
    /** How long the first heartbeat waits for the first detection (default 10 s). */
    initialWaitMs?: number;
  };
  /**
   * How long engines may run without their agent before the orphan watchdog stops them (default 30 s; a
   * new agent taking the data dir within it adopts them instead). See orphans/orphan-watchdog.ts for the timing.
   */
  orphanGraceMs?: number;
  /** Start the orphan watchdog (default true; needs the data dir lock). */
  orphanWatchdog?: boolean;
}

export interface NodeAgentDeps {
  store: Store;
  logger?: Logger;
  clock?: Clock;
  registry?: Registry;
  /** Provides model files before a launch (default: local paths and the simulator only). */
  modelFiles?: ModelFiles;
  /** Engine adapters by type (default: src/engines). */
  engineAdapters?: EngineAdapterLoader;
  /** How to run `nebula` (for `nebula engine-sim`). */
  nebulaBin?: NebulaBin;
  fetch?: typeof fetch;
}

export interface NodeAgentHandle {
  nodeId: string;
  adminPort: number;
  adminUrl: string;
  /** Local replicas and their state. */
  replicas(): ReplicaView[];
  /**
   * Stops the agent. By default every engine is stopped and its endpoint deleted (no orphans);
   * `keepEngines` leaves them running for a later agent to adopt (upgrades).
   */
  stop(opts?: { keepEngines?: boolean }): Promise<void>;
}

/** `process.execPath bin/nebula.js`, resolved from this module (src/node or dist/node). */
export function defaultNebulaBin(): NebulaBin {
  return {
    command: process.execPath,
    args: [fileURLToPath(new URL('../../bin/nebula.js', import.meta.url))],
  };
}

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host.startsWith('127.');
}

/**
 * Starts the node agent: heartbeat (leased status), placement reconciler (engines and endpoints, with
 * adoption of a previous agent's engines) and the admin HTTP API.
 */
export async function startNodeAgent(
  options: NodeAgentOptions,
  deps: NodeAgentDeps,
): Promise<NodeAgentHandle> {
  const nodeId = NodeId.parse(options.nodeId);
  if (!options.address) throw new NodeConfigError('--address must not be empty');
  const labelsParsed = Labels.safeParse(options.labels ?? {});
  if (!labelsParsed.success)
    throw new NodeConfigError(`--labels: ${labelsParsed.error.issues[0]?.message ?? 'invalid'}`);
  const portRange = PortRange.parse(options.portRange ?? { start: 40000, end: 40999 });
  const gpuMode =
    typeof options.gpus === 'string' ? parseGpuMode(options.gpus) : (options.gpus ?? { kind: 'auto' });
  if (!options.dataDir) throw new NodeConfigError('--data-dir must not be empty');
  const dataDir = resolve(options.dataDir);
  const cacheDir = resolve(options.cacheDir ?? join(dataDir, 'models'));
  mkdirSync(join(dataDir, 'logs'), { recursive: true });

  const clock = deps.clock ?? systemClock;
  const logger = (deps.logger ?? createLogger({ component: 'node' })).child({ node_id: nodeId });
  const registry = deps.registry ?? createMetricsRegistry({ role: 'node' });
  const store = deps.store;
  const timing: ReplicaTiming = {
    ...DEFAULT_REPLICA_TIMING,
    ...options.timing,
    backoff: { ...DEFAULT_REPLICA_TIMING.backoff, ...options.timing?.backoff },
  };
  const token = options.adminToken || undefined;
  let adminHost = options.adminHost ?? (token ? '0.0.0.0' : '127.0.0.1');
  if (!token && !isLoopback(adminHost)) {
    logger.warn(
      { requested: adminHost },
      'no admin token configured: binding the admin API to 127.0.0.1 only',
    );
    adminHost = '127.0.0.1';
  }

  const lock = options.lockDataDir === false ? undefined : acquireAgentLock(dataDir);
  const releaseLock = lock?.release ?? (() => undefined);
  const cleanups: (() => Promise<void> | void)[] = [releaseLock];
  // Started before any engine can be: engines must never outlive this agent unseen (orphans/orphan-watchdog.ts).
  const watchdog =
    lock && options.orphanWatchdog !== false
      ? startOrphanWatchdog(
          {
            dataDir,
            agent: lock.holder,
            graceMs: options.orphanGraceMs ?? DEFAULT_ORPHAN_GRACE_MS,
            killGraceMs: timing.stopGraceMs,
          },
          { nebulaBin: deps.nebulaBin ?? defaultNebulaBin(), logger },
        )
      : undefined;
  // A failed start leaves no engine of its own; a previous agent's are the watchdog's after its grace.
  cleanups.push(() => watchdog?.stop(false));
  const cleanup = async () => {
    for (const fn of cleanups.reverse()) await Promise.resolve(fn()).catch(() => undefined);
  };

  try {
    // Parts wired to each other through callbacks before they all exist.
    const late: { heartbeat?: Heartbeat; writer?: EndpointWriter; reconciler?: Reconciler } = {};
    /** Publishes the node's status now rather than at the next heartbeat. */
    const publishStatusNow = () =>
      void late.heartbeat
        ?.beat()
        .catch((err: unknown) => logger.warn({ err: errorMessage(err) }, 'status update failed'));
    const lease = new LeaseKeeper(store, {
      ttlSeconds: options.leaseTtlSeconds ?? 10,
      clock,
      logger,
      onRenewedAfterLoss: async () => {
        // Everything under the old lease is gone: the status and every endpoint are written again.
        logger.warn('node lease was lost: publishing status and endpoints again');
        await late.heartbeat
          ?.beat()
          .catch((err: unknown) => logger.warn({ err: errorMessage(err) }, 're-put of status failed'));
        await late.writer?.republishAll();
      },
    });
    await lease.start();
    cleanups.push(() => lease.stop(true));

    const writer = new EndpointWriter(store, nodeId, () => lease.id, logger);
    late.writer = writer;
    const events = new EventRecorder(store, { clock });
    // The real cache manager (scan, disk alerts, downloads, purge) unless a test injects its own files.
    let cacheManager: CacheManager | undefined;
    if (!deps.modelFiles) {
      cacheManager = createCacheManager(
        {
          nodeId,
          cacheDir,
          ...(options.hfEndpoint ? { hfEndpoint: options.hfEndpoint } : {}),
          ...(options.modelscopeEndpoint ? { modelscopeEndpoint: options.modelscopeEndpoint } : {}),
          ...(options.hfToken ? { hfToken: options.hfToken } : {}),
          ...(options.evictLru !== undefined ? { evictLru: options.evictLru } : {}),
          ...(options.plainDirs ? { plainDirs: options.plainDirs } : {}),
          // A model's files are in use while one of this node's engines for it is alive.
          isInUse: (name, source) =>
            (late.reconciler?.views() ?? []).some(
              (v) =>
                v.pid !== undefined &&
                ((v.model_name === name && v.model_source === source) ||
                  adapterRefs({ adapters: v.adapters }).some(
                    (a) => a.model_name === name && a.model_source === source,
                  )),
            ),
        },
        { store, logger: logger.child({ component: 'cache' }), clock },
      );
      await cacheManager.start();
      const cm = cacheManager;
      cleanups.push(() => cm.stop());
    }
    const modelFiles = deps.modelFiles ?? cacheManager!;
    const pullEvent = (p: ModelPull) =>
      events
        .record({
          model_uid: p.model_uid,
          type: p.status === 'done' ? 'downloaded' : 'download_failed',
          level: p.status === 'done' ? 'info' : 'error',
          message: (p.status === 'done'
            ? `pre-pull on ${nodeId}: ${p.cached ? 'already cached' : `${p.fetched_bytes ?? 0} bytes fetched`}`
            : `pre-pull on ${nodeId} failed: ${p.error ?? 'unknown error'}`
          ).slice(0, 1000),
          source: 'node',
          node_id: nodeId,
        })
        .catch((err: unknown) => logger.warn({ err: errorMessage(err) }, 'could not record pull event'));
    // Pre-pulls (`nebula model pull`) download through the same cache manager, without an engine.
    let pulls: PullRunner | undefined;
    if (cacheManager) {
      const runner = new PullRunner(
        { nodeId },
        {
          store,
          files: cacheManager,
          clock,
          logger: logger.child({ component: 'pull' }),
          onFinished: (p) => void pullEvent(p),
        },
      );
      await runner.start();
      pulls = runner;
      cleanups.push(() => runner.stop());
    }

    const gpus = new GpuInventory(
      nodeId,
      gpuMode,
      () => late.reconciler?.reservations() ?? new Map(),
      logger,
    );
    await gpus.refresh();
    const metrics = createNodeMetrics(registry, {
      gpus: () => gpus.current().gpus,
      disk: () => cacheManager?.diskStatus,
      downloadedBytes: () => cacheManager?.downloadedBytes ?? {},
      activeDownloads: () => cacheManager?.activeDownloads ?? 0,
      replicas: () => late.reconciler?.views() ?? [],
      planVersionLag: () => {
        const lag = new Map<string, number>();
        for (const c of late.reconciler?.controllersList() ?? []) {
          lag.set(c.modelUid, Math.max(lag.get(c.modelUid) ?? 0, c.planVersionLag()));
        }
        return lag;
      },
    });

    const nebulaBin = deps.nebulaBin ?? defaultNebulaBin();
    const engineDetector = new EngineDetector({
      bins: options.engineBins ?? {},
      installRoots: options.engineInstallRoots ?? defaultInstallRoots(),
      pathEnv: options.enginePath,
      sim: { path: nebulaBin.args[0] ?? nebulaBin.command, version: nebulaVersion() },
      ...options.engineDetection,
      clock,
      logger: logger.child({ component: 'engines' }),
      // A new engine (or its version) is published at once rather than at the next heartbeat.
      onChange: publishStatusNow,
    });
    cleanups.push(() => engineDetector.stop());
    // The first heartbeat waits for the first detection (version probes take milliseconds to seconds), so
    // a new node never registers without its engines and gets replicas it cannot run. A probe that hangs
    // holds registration back at most `initialWaitMs`: the status then has no `engines` ("unknown", any
    // engine allowed) until detection finishes, which is also what a restarting agent must never look
    // like: engine-less, which would move its replicas away.
    const detected = engineDetector
      .start()
      .catch((err: unknown) => logger.warn({ err: errorMessage(err) }, 'engine detection failed'));
    const waitAbort = new AbortController();
    await Promise.race([
      detected,
      clock.sleep(options.engineDetection?.initialWaitMs ?? 10_000, waitAbort.signal).catch(() => undefined),
    ]);
    waitAbort.abort();
    const engineExecutable = async (type: EngineType): Promise<string | undefined> => {
      const path = await engineDetector.executableFor(type);
      if (type !== 'sim' && path === undefined) {
        const problem = engineDetector.snapshot()?.errors.find((e) => e.type === type);
        throw new EngineUnavailableError(
          `engine ${type} is not available on node ${nodeId}` +
            (problem ? ` (${problem.error})` : '') +
            `; ${engineInstallHint(type)}`,
        );
      }
      return path;
    };

    const recordEvent = (d: DesiredReplica, planVersion: number, e: ReplicaEvent) => {
      events
        .record({
          model_uid: d.modelUid,
          type: e.type,
          level: e.level ?? 'info',
          message: e.message,
          source: 'node',
          node_id: nodeId,
          replica_id: d.replicaId,
          plan_version: planVersion,
        })
        .catch((err: unknown) =>
          logger.warn({ err: errorMessage(err), type: e.type }, 'could not record event'),
        );
    };

    const rec = new Reconciler(
      store,
      {
        nodeId,
        address: options.address,
        dataDir,
        engineHost: options.engineHost ?? (isLoopback(options.address) ? '127.0.0.1' : '0.0.0.0'),
        clock,
        logger,
        writer,
        modelFiles,
        loadAdapter: deps.engineAdapters ?? defaultEngineAdapterLoader,
        nebulaBin,
        engineExecutable,
        timing,
        gpuMemoryTotal: (indices) => gpus.totalMemoryOf(indices),
        event: recordEvent,
        onRestart: (uid) => metrics.restarts.inc({ model_uid: uid }),
        // The taken port is in the status at once, so the scheduler moves the replica without a heartbeat's wait.
        onPortTaken: publishStatusNow,
        ...(deps.fetch ? { fetch: deps.fetch } : {}),
      },
      {
        nodeId,
        dataDir,
        stateFile: join(dataDir, 'node-state.json'),
        resyncMs: options.resyncIntervalMs ?? 30_000,
        clock,
        logger,
        onReconciled: (s) => metrics.reconcileDuration.observe(s),
      },
    );
    late.reconciler = rec;

    const app = createAdminApp({
      nodeId,
      dataDir,
      token,
      registry,
      replicas: () => rec.views(),
      forceStop: (uid, rid) => rec.forceStop(uid, rid),
    });
    const admin = await startAdminServer(app, adminHost, options.adminPort ?? 9092);
    cleanups.push(() => admin.close());

    const hb = new Heartbeat(
      store,
      () => lease.id,
      gpus,
      () => rec.ownPorts(),
      {
        nodeId,
        address: options.address,
        adminPort: admin.port,
        portRange,
        labels: labelsParsed.data,
        cacheDir,
        intervalMs: options.heartbeatIntervalMs ?? 5_000,
        startedAt: clock.now(),
        engines: () => engineDetector.snapshot(),
        clock,
        logger,
      },
      () => metrics.heartbeatFailures.inc(),
    );
    late.heartbeat = hb;
    await hb.beat();
    hb.start();
    cleanups.push(() => hb.stop());

    await rec.start();
    logger.info(
      {
        admin: `${admin.host}:${admin.port}`,
        gpus: gpus.current().gpus.length,
        gpu_source: gpus.current().source,
      },
      'node agent started',
    );

    let stopping: Promise<void> | undefined;
    const adminUrl = `http://${admin.host === '0.0.0.0' ? '127.0.0.1' : admin.host}:${admin.port}`;
    return {
      nodeId,
      adminPort: admin.port,
      adminUrl,
      replicas: () => rec.views(),
      stop: (opts = {}) =>
        (stopping ??= (async () => {
          const keepEngines = opts.keepEngines ?? false;
          hb.stop();
          engineDetector.stop();
          await rec.stop(keepEngines);
          await pulls?.stop();
          await cacheManager?.stop();
          await admin.close();
          // Keeping engines: let the lease expire by itself, so endpoints stay routable until the next
          // agent re-publishes them under its own lease.
          await lease.stop(!keepEngines);
          // Kept engines are adopted by the next agent, or stopped by the watchdog after its grace.
          watchdog?.stop(!keepEngines);
          releaseLock();
          logger.info({ keep_engines: keepEngines }, 'node agent stopped');
        })()),
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
