/**
 * `nebula up`: the all-in-one. One process runs the embedded store and every role (scheduler, node agent
 * with its cache manager, router, control API + console), wired exactly as they run apart, only sharing
 * the store instance instead of talking to etcd.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { destination, pino } from 'pino';
import { parsePortRange, resolveOption, resolveOptional, resolvePort } from './core/config.js';
import { parseDuration } from './core/duration.js';
import { ConfigError, errorMessage } from './core/errors.js';
import { stopOnSignal } from './core/shutdown.js';
import { NODE_ID_PATTERN } from './core/ids.js';
import type { Logger } from './core/logger.js';
import { describeFix, ensurePrivateDir, ensurePrivateFile, type ModeFix } from './core/private-files.js';
import { initTracing } from './core/tracing.js';
import { resolveCacheEvict } from './node/cli-options.js';
import { nebulaVersion } from './core/version.js';
import { resolveEngineBins, type EngineBins } from './node/detect/index.js';
import type { Store } from './store/types.js';
import { formatRate, parseRate } from './core/rate.js';
import { maxSessionTtlFromEnv } from './core/session-token.js';

export interface UpOptions {
  dataDir?: string;
  host?: string;
  serverPort?: string;
  routerPort?: string;
  grpcPort?: string;
  schedulerPort?: string;
  nodeAdminPort?: string;
  nodeId?: string;
  gpus?: string;
  portRange?: string;
  /** `--engine-bin TYPE=PATH`, repeatable (env NEBULA_ENGINE_BINS). */
  engineBin?: string[];
  hfEndpoint?: string;
  modelscopeEndpoint?: string;
  /** `off` | `lru`: LRU eviction of the model cache when its disk is critical (env NEBULA_CACHE_EVICT). */
  cacheEvict?: string;
  /** Write logs to stderr instead of `<data-dir>/logs/nebula.log`. */
  logStderr?: boolean;
  /** Where the CLI context goes (default ~/.nebula/config.yaml, env NEBULA_CONFIG). */
  cliConfig?: string;
  /** Engine restart backoff (durations; see `nebula node`). */
  restartBackoffInitial?: string;
  restartBackoffMax?: string;
  restartBackoffReset?: string;
  /** Engines of a dead agent are stopped after this (duration; see `nebula node --orphan-grace`). */
  orphanGrace?: string;
  /** Router-wide proxy timeout defaults (durations; see `nebula router`). */
  firstByteTimeout?: string;
  idleTimeout?: string;
  /** Router: requests held per idle (autoscaled) model, and how long (see `nebula router`). */
  holdMax?: string;
  holdTimeout?: string;
  /**
   * The router's rate limit for keys, tokens and sessions without their own (env NEBULA_RATE_LIMIT):
   * `10/s:burst=20` by default, any rate of the grammar in core/rate.ts, or `off`.
   */
  rateLimit?: string;
}

/** Default per-key router limit of `nebula up`: generous for people and scripts, a stop for runaway loops. */
export const UP_DEFAULT_RATE_LIMIT = '10/s:burst=20';

/** The router's default limit from `--rate-limit` / NEBULA_RATE_LIMIT: `{ rps, burst }`, or undefined for `off`. */
export function resolveUpRateLimit(
  flag: string | undefined,
  env: NodeJS.ProcessEnv = process.env,
): { rateLimitRps: number; rateLimitBurst?: number } | undefined {
  const raw = flag ?? (env['NEBULA_RATE_LIMIT'] || undefined) ?? UP_DEFAULT_RATE_LIMIT;
  if (raw === 'off' || raw === 'none') return undefined;
  const r = parseRate(raw);
  if (typeof r === 'string') throw new ConfigError(`--rate-limit: ${r}, or "off"`);
  return { rateLimitRps: r.rps, ...(r.burst !== undefined ? { rateLimitBurst: r.burst } : {}) };
}

export interface UpHandle {
  dataDir: string;
  serverUrl: string;
  routerUrl: string;
  adminKeyPath: string;
  stop(): Promise<void>;
}

export function defaultDataDir(): string {
  return join(homedir(), '.nebula', 'data');
}

/** True when nvidia-smi answers with at least one GPU. */
async function hasNvidiaGpu(): Promise<boolean> {
  return new Promise((res) => {
    execFile('nvidia-smi', ['-L'], { timeout: 5000 }, (err, stdout) => res(!err && /GPU \d+/.test(stdout)));
  });
}

function upLogger(dataDir: string, toStderr: boolean): Logger {
  const level = process.env['NEBULA_LOG_LEVEL'] ?? 'info';
  const dest = toStderr
    ? destination({ fd: 2, sync: false })
    : destination({ dest: join(dataDir, 'logs', 'nebula.log'), mkdir: true, sync: false });
  return pino(
    {
      level,
      base: { component: 'up' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    dest,
  );
}

/** Starts every role; resolves once all listen. `stop()` tears them down, engines first. */
export async function startUp(
  opts: UpOptions,
  out: { write(text: string): unknown } = process.stdout,
): Promise<UpHandle> {
  const env = process.env;
  const dataDir = resolve(resolveOption(opts.dataDir, 'NEBULA_DATA_DIR', defaultDataDir()));
  const host = resolveOption(opts.host, 'NEBULA_HOST', '0.0.0.0');
  const serverPort = resolvePort(opts.serverPort, 'NEBULA_SERVER_PORT', 8080);
  const routerPort = resolvePort(opts.routerPort, 'NEBULA_ROUTER_PORT', 8000);
  const grpcPort = resolvePort(opts.grpcPort, 'NEBULA_GRPC_PORT', 8001);
  const schedulerPort = resolvePort(opts.schedulerPort, 'NEBULA_SCHEDULER_PORT', 9091);
  const nodeAdminPort = resolvePort(opts.nodeAdminPort, 'NEBULA_NODE_ADMIN_PORT', 9092);
  const portRange = parsePortRange(resolveOption(opts.portRange, 'NEBULA_PORT_RANGE', '40000-40999'));
  const nodeId = resolveOption(
    opts.nodeId,
    'NEBULA_NODE_ID',
    hostname()
      .toLowerCase()
      .replace(/[^a-z0-9._-]/g, '-'),
  );
  if (!NODE_ID_PATTERN.test(nodeId)) throw new ConfigError(`--node-id "${nodeId}" is not a valid node id`);
  const hfEndpoint = resolveOptional(opts.hfEndpoint, 'HF_ENDPOINT');
  const modelscopeEndpoint = resolveOptional(opts.modelscopeEndpoint, 'MODELSCOPE_ENDPOINT');
  let engineBins: EngineBins;
  try {
    engineBins = resolveEngineBins(opts.engineBin, env);
  } catch (err) {
    throw new ConfigError(errorMessage(err));
  }
  const evictLru = resolveCacheEvict(opts.cacheEvict, env);
  // Checked before anything starts: a bad duration is a one-line error that changes nothing.
  const { resolveRestartBackoff } = await import('./node/cli-options.js');
  const { resolveHold, resolveProxyTimeouts } = await import('./router/cli-options.js');
  const restartBackoff = resolveRestartBackoff(opts, env);
  const proxyTimeouts = { ...resolveProxyTimeouts(opts, env), ...resolveHold(opts, env) };
  const orphanGraceRaw = resolveOptional(opts.orphanGrace, 'NEBULA_NODE_ORPHAN_GRACE');
  const orphanGraceMs =
    orphanGraceRaw === undefined ? undefined : parseDuration(orphanGraceRaw, '--orphan-grace');
  const rateLimit = resolveUpRateLimit(opts.rateLimit, env);
  const maxSessionTtlS = maxSessionTtlFromEnv(env);

  let gpus = resolveOptional(opts.gpus, 'NEBULA_GPUS');
  let simulatedNote = '';
  if (gpus === undefined || gpus === 'auto') {
    if (await hasNvidiaGpu()) {
      gpus = 'auto';
    } else {
      gpus = 'sim:2x80GiB';
      simulatedNote =
        'no NVIDIA GPU found (nvidia-smi): using simulated GPUs sim:2x80GiB (engine "sim" runs on them)';
    }
  }

  // Secrets live here (the store with the JWT secret and credential hashes, admin.key): owner-only.
  const modeFixes: ModeFix[] = [];
  const noteFix = (fix: ModeFix | undefined) => {
    if (fix) modeFixes.push(fix);
  };
  noteFix(ensurePrivateDir(dataDir));
  const logger = upLogger(dataDir, opts.logStderr ?? false);
  const stops: { name: string; stop: () => Promise<void> }[] = [];
  const stopAll = async () => {
    // Reverse start order: the node agent (and its engines) before the scheduler and the store.
    for (const s of [...stops].reverse()) {
      await s
        .stop()
        .catch((err: unknown) => logger.error({ err: errorMessage(err), role: s.name }, 'stop failed'));
    }
    logger.flush();
  };

  let store: Store | undefined;
  try {
    const { openEmbeddedStore, clusterSigns, writeClusterMarker } = await import('./store/embedded/index.js');
    // admin.key or the cluster marker prove a cluster lived here: a missing or empty store.db is refused
    // (a damaged one is refused by the store's own check), never silently replaced by a new cluster.
    const signs = clusterSigns(dataDir);
    for (const path of signs) noteFix(ensurePrivateFile(path));
    store = await openEmbeddedStore({
      path: join(dataDir, 'store.db'),
      logger: logger.child({ component: 'store' }),
      existingSigns: signs,
      onModeFix: noteFix,
    });
    writeClusterMarker(dataDir, Date.now());
    const st = store;
    stops.push({ name: 'store', stop: () => st.close() });

    // The node admin API is reached only by this process's server: a per-run random token.
    const nodeToken = randomBytes(24).toString('base64url');

    const { startScheduler } = await import('./scheduler/index.js');
    const scheduler = await startScheduler(
      { metricsPort: schedulerPort, host: '127.0.0.1', instanceId: `${nodeId}-scheduler` },
      { store, logger: logger.child({ component: 'scheduler' }) },
    );
    stops.push({ name: 'scheduler', stop: () => scheduler.stop() });

    // OpenTelemetry export of the router's and the server's spans, only when OTEL_EXPORTER_OTLP_ENDPOINT is set.
    const routerTracing = await initTracing({ serviceName: 'nebula-router' });
    stops.push({ name: 'router tracing', stop: () => routerTracing.shutdown() });
    const serverTracing = await initTracing({ serviceName: 'nebula-server' });
    stops.push({ name: 'server tracing', stop: () => serverTracing.shutdown() });

    const { startRouter } = await import('./router/index.js');
    const router = await startRouter(
      { host, port: routerPort, grpcPort, ...proxyTimeouts, maxSessionTtlS, ...rateLimit },
      { store, logger: logger.child({ component: 'router' }), tracing: routerTracing },
    );
    stops.push({ name: 'router', stop: () => router.stop() });

    const { startServer } = await import('./server/index.js');
    const server = await startServer(
      {
        host,
        port: serverPort,
        routerUrl: `http://127.0.0.1:${router.port}`,
        dataDir,
        nodeToken,
        ...(hfEndpoint ? { hfEndpoint } : {}),
        ...(modelscopeEndpoint ? { modelscopeEndpoint } : {}),
      },
      { store, logger: logger.child({ component: 'server' }), tracing: serverTracing },
    );
    stops.push({ name: 'server', stop: () => server.stop() });

    const { startNodeAgent } = await import('./node/index.js');
    const node = await startNodeAgent(
      {
        nodeId,
        address: '127.0.0.1',
        dataDir: join(dataDir, 'node'),
        cacheDir: join(dataDir, 'cache'),
        gpus,
        portRange,
        adminPort: nodeAdminPort,
        adminHost: '127.0.0.1',
        adminToken: nodeToken,
        engineBins,
        evictLru,
        ...(hfEndpoint ? { hfEndpoint } : {}),
        ...(modelscopeEndpoint ? { modelscopeEndpoint } : {}),
        ...(restartBackoff ? { timing: { backoff: restartBackoff } } : {}),
        ...(orphanGraceMs !== undefined ? { orphanGraceMs } : {}),
      },
      { store, logger: logger.child({ component: 'node' }) },
    );
    stops.push({ name: 'node', stop: () => node.stop() });

    const adminKeyPath = join(dataDir, 'admin.key');
    const serverUrl = `http://127.0.0.1:${server.port}`;
    const routerUrl = `http://127.0.0.1:${router.port}`;
    let contextNote = '';
    const hasAdminKey = existsSync(adminKeyPath);
    if (hasAdminKey) {
      const token = readFileSync(adminKeyPath, 'utf8').trim();
      try {
        const { upsertContext, defaultConfigPath } = await import('./core/cli-config.js');
        const configPath = opts.cliConfig ?? env['NEBULA_CONFIG'];
        // It holds tokens: an older, looser file is tightened (upsertContext rewrites it 0600 anyway).
        noteFix(ensurePrivateFile(configPath ?? defaultConfigPath(env)));
        upsertContext(
          { name: 'local', server: serverUrl, router: routerUrl, token },
          { makeCurrent: true, ...(configPath ? { configPath } : {}) },
        );
        contextNote = `CLI context "local" written to ${configPath ?? join(homedir(), '.nebula', 'config.yaml')}`;
      } catch (err) {
        contextNote = `could not write the CLI context: ${errorMessage(err)}`;
      }
    }

    const lines = [
      `Nebula ${nebulaVersion()} is up (data dir ${dataDir})`,
      `  Console:          ${serverUrl}/`,
      `  Control API:      ${serverUrl}/api  (docs ${serverUrl}/api/docs)`,
      `  OpenAI base URL:  ${routerUrl}/v1`,
      `  gRPC:             127.0.0.1:${router.grpcPort ?? grpcPort}`,
      hasAdminKey
        ? `  Admin API key:    ${adminKeyPath}`
        : `  Admin API key:    none in this data dir (its store came from a backup or another data dir): log in as an admin (nebula auth login --server ${serverUrl}) and create one (nebula key create --name admin --role admin)`,
    ];
    if (server.bootstrap?.created && server.bootstrap.password) {
      lines.push(
        `  Admin login:      ${server.bootstrap.username} / ${server.bootstrap.password}  (shown once; change it)`,
      );
    }
    if (contextNote) lines.push(`  ${contextNote}`);
    if (simulatedNote) lines.push(`  Note: ${simulatedNote}`);
    for (const fix of modeFixes) {
      lines.push(`  Warning: insecure permissions fixed: ${describeFix(fix)}`);
      logger.warn({ path: fix.path }, `insecure permissions fixed: ${describeFix(fix)}`);
    }
    lines.push(
      `  Key rate limit:   ${rateLimit ? `${formatRate({ rps: rateLimit.rateLimitRps, burst: rateLimit.rateLimitBurst })} per key without its own (--rate-limit)` : 'off'}`,
    );
    lines.push(`  Logs:             ${opts.logStderr ? 'stderr' : join(dataDir, 'logs', 'nebula.log')}`);
    lines.push('Press Ctrl-C to stop (engines are stopped too).');
    out.write(`${lines.join('\n')}\n`);
    logger.info({ server: serverUrl, router: routerUrl, node_id: nodeId, gpus }, 'nebula up started');

    return { dataDir, serverUrl, routerUrl, adminKeyPath, stop: stopAll };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** CLI action: start, then wait for SIGINT/SIGTERM and stop everything. */
export async function runUp(opts: UpOptions): Promise<void> {
  const handle = await startUp(opts);
  await stopOnSignal({
    name: 'nebula up',
    onSignal: (sig) => process.stdout.write(`\nnebula up: ${sig} received, stopping engines and roles...\n`),
    stop: async () => {
      await handle
        .stop()
        .catch((err: unknown) => process.stderr.write(`nebula up: stop failed: ${errorMessage(err)}\n`));
      process.stdout.write('nebula up: stopped\n');
    },
  });
}
