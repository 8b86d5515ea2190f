import { createServer, type Server } from 'node:http';
import { unwatchFile, watchFile } from 'node:fs';
import type { Registry } from 'prom-client';
import { systemClock, type Clock } from '../core/clock.js';
import { ConfigError, errorMessage } from '../core/errors.js';
import { listen } from '../core/listen.js';
import { createLogger, type Logger } from '../core/logger.js';
import { createMetricsRegistry } from '../core/metrics.js';
import { noopTracing, type Tracing } from '../core/tracing.js';
import type { Store } from '../store/types.js';
import { Authenticator } from './auth/authenticator.js';
import { RateLimiter } from './auth/rate-limiter.js';
import { toRateLimit } from './auth/principal.js';
import { buildTokenTable, loadTokensFile, type TokenTable } from './auth/static-tokens.js';
import { SessionVerifier } from './auth/sessions.js';
import { StoreKeys } from './auth/store-keys.js';
import { StoreUsers } from './auth/store-users.js';
import type { RouterContext } from './context.js';
import { startGrpcServer } from './grpc/grpc-server.js';
import { createHttpHandler } from './http/handler.js';
import { RouterMetrics } from './metrics.js';
import { RouterOptions, type RouterOptionsInput } from './options.js';
import { describeZodError } from './zod-issue.js';
import { advertisedAddress, ComponentRegistration, defaultInstanceId } from './registration.js';
import { EndpointTable } from './table/endpoint-table.js';
import { LoadScraper } from './table/load-scraper.js';
import { DEFAULT_FIRST_BYTE_TIMEOUT_MS, DEFAULT_IDLE_TIMEOUT_MS, PoolSet } from './table/pool-set.js';
import { loadStaticUpstreamsFile, type StaticModel } from './table/static-upstreams.js';
import { StoreSource } from './table/store-source.js';
import type { ModelRoute } from './table/endpoint-table.js';
import { LoadPublisher } from './table/load-publisher.js';

/** Injected dependencies. `store` is optional when only static upstreams and tokens are used. */
export interface RouterDeps {
  store?: Store | undefined;
  logger?: Logger | undefined;
  clock?: Clock | undefined;
  registry?: Registry | undefined;
  /** OpenTelemetry spans of proxied requests (default: none). */
  tracing?: Tracing | undefined;
}

export interface RouterHandle {
  /** HTTP port actually bound. */
  port: number;
  /** gRPC port actually bound (null when gRPC is off). */
  grpcPort: number | null;
  /** Base URL of the HTTP listener (`http://127.0.0.1:PORT` for wildcard hosts). */
  url: string;
  /** The routing table (tests and `nebula up` inspect it). */
  table: EndpointTable;
  registry: Registry;
  /** Re-reads the tokens and static upstreams files (also done when they change on disk). */
  reload(): void;
  stop(): Promise<void>;
}

function parseOptions(input: RouterOptionsInput): RouterOptions {
  const r = RouterOptions.safeParse(input);
  if (!r.success) {
    throw new ConfigError(`router options: ${describeZodError(r.error)}`);
  }
  return r.data;
}

/**
 * Starts the OpenAI-compatible data plane (DESIGN.md §4): HTTP on `port`, gRPC on `grpcPort`, routing to
 * ready replicas from the store's `/endpoints/` and to static upstreams, with keys, rate limits, failover and
 * metrics. Resolves once both listeners are bound and the first view of the store is loaded.
 */
export async function startRouter(input: RouterOptionsInput, deps: RouterDeps = {}): Promise<RouterHandle> {
  const opts = parseOptions(input);
  const logger = deps.logger ?? createLogger({ component: 'router' });
  const clock = deps.clock ?? systemClock;
  const registry = deps.registry ?? createMetricsRegistry({ role: 'router' });
  const store = deps.store;
  const metrics = new RouterMetrics(registry);
  const now = () => clock.now();

  const readTokens = (): TokenTable => {
    const merged = new Map(opts.tokensFile !== undefined ? loadTokensFile(opts.tokensFile) : []);
    if (opts.tokens !== undefined)
      for (const [h, p] of buildTokenTable(opts.tokens, 'tokens')) merged.set(h, p);
    return merged;
  };
  const readStatics = (): StaticModel[] => [
    ...(opts.staticUpstreamsFile !== undefined ? loadStaticUpstreamsFile(opts.staticUpstreamsFile) : []),
    ...(opts.staticUpstreams ?? []),
  ];
  const tokens = readTokens();
  const statics = readStatics();

  const pools = new PoolSet({
    connectTimeoutMs: opts.connectTimeoutMs,
    firstByteTimeoutMs: opts.firstByteTimeoutMs ?? opts.upstreamTimeoutMs ?? DEFAULT_FIRST_BYTE_TIMEOUT_MS,
    idleTimeoutMs: opts.idleTimeoutMs ?? opts.upstreamTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS,
    keepAliveTimeoutMs: opts.keepAliveTimeoutMs,
  });
  const table = new EndpointTable({
    pools,
    defaultPolicy: opts.policy,
    prefix: { tableSize: opts.prefixTableSize },
    logger,
    onChange: (ready) => metrics.setReadyReplicas(ready),
    now,
  });
  table.setStatic(statics);

  const cleanups: (() => Promise<void> | void)[] = [];
  const stopAll = async () => {
    for (const c of cleanups.reverse()) {
      try {
        await c();
      } catch (err) {
        logger.warn({ err: errorMessage(err) }, 'router shutdown step failed');
      }
    }
    cleanups.length = 0;
  };
  cleanups.push(() => pools.destroyAll());

  try {
    let storeKeys: StoreKeys | undefined;
    let storeUsers: StoreUsers | undefined;
    let sessions: SessionVerifier | undefined;
    let storeSource: StoreSource | undefined;
    if (store !== undefined) {
      storeKeys = new StoreKeys(store, { logger, clock });
      await storeKeys.start();
      cleanups.push(() => storeKeys?.stop());
      const users = new StoreUsers(store, { logger, clock });
      storeUsers = users;
      await users.start();
      cleanups.push(() => users.stop());
      sessions = new SessionVerifier(store, {
        users,
        maxSessionTtlS: opts.maxSessionTtlS,
        configuredSecret: process.env['NEBULA_JWT_SECRET'],
        logger,
        clock,
      });
      await sessions.start();
      cleanups.push(() => sessions?.stop());
      const source = new StoreSource(store, (models) => table.setManaged(models), { logger, clock, now });
      await source.start();
      storeSource = source;
      cleanups.push(() => source.stop());
    } else if (statics.length === 0) {
      logger.warn('no store and no static upstreams: every model will be unknown');
    }
    if (!opts.noAuth && tokens.size === 0 && store === undefined) {
      logger.warn(
        'no tokens and no store keys: every request will be refused (use --tokens-file or --no-auth)',
      );
    }
    const auth = new Authenticator({
      noAuth: opts.noAuth,
      tokens,
      keys: storeKeys,
      users: storeUsers,
      sessions,
    });
    const defaultLimit =
      opts.rateLimitRps === undefined
        ? undefined
        : toRateLimit({ rps: opts.rateLimitRps, burst: opts.rateLimitBurst });

    const scraper = new LoadScraper(() => table.allReplicas(), {
      intervalMs: opts.scrapeIntervalMs,
      timeoutMs: Math.max(500, Math.min(2000, opts.scrapeIntervalMs)),
      clock,
      logger,
    });
    scraper.start();
    cleanups.push(() => scraper.stop());
    metrics.trackReplicaLoad(() => table.engineReplicas());

    // Autoscaling: the router publishes load and holds requests for idle models (only with a store, where an
    // autoscaler can hear the wake). The publisher starts once the registration lease exists.
    let publisher: LoadPublisher | undefined;
    const canHold = store !== undefined && opts.register && opts.holdMax > 0;
    metrics.trackHeld(() => [...table.allRoutes()].map((r) => ({ label: r.label, held: r.holds.size })));

    const startedAt = now();
    const ctx: RouterContext = {
      table,
      auth,
      limiter: new RateLimiter(defaultLimit),
      metrics,
      forward: {
        maxRetries: opts.maxRetries,
        ejectMs: opts.ejectMs,
        retryAfterS: opts.retryAfterS,
        ...(canHold
          ? {
              hold: { maxHeld: opts.holdMax, timeoutMs: opts.holdTimeoutMs },
              onHold: (route: ModelRoute) => publisher?.wake(route),
            }
          : {}),
        metrics,
        now,
      },
      logger,
      accessLog: logger.isLevelEnabled('debug'),
      now,
      maxBodyBytes: opts.maxBodyBytes,
      prefixHash: { blockChars: opts.prefixBlockChars, maxBlocks: opts.prefixMaxBlocks },
      health: () => ({
        status: 'ok',
        role: 'router',
        ...table.counts(),
        store: storeSource === undefined ? 'none' : storeSource.healthy ? 'ok' : 'degraded',
        uptime_s: Math.round((now() - startedAt) / 1000),
      }),
      tracing: deps.tracing ?? noopTracing,
    };

    const server = createServer(
      { noDelay: true, keepAlive: true, requestTimeout: 0 },
      createHttpHandler(ctx),
    );
    server.keepAliveTimeout = 65_000;
    server.headersTimeout = 66_000;
    server.on('clientError', (_err, socket) => {
      if (socket.writable)
        socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      else socket.destroy();
    });
    // A deep accept queue (the kernel caps it at net.core.somaxconn): hundreds of clients connecting at once
    // must not have their SYNs dropped and retried a second later (Node's default is 511).
    const port = await listen(server, opts.host, opts.port, 4096);
    cleanups.push(() => closeServer(server));

    let grpcPort: number | null = null;
    if (opts.grpcPort !== null) {
      const grpc = await startGrpcServer(ctx, opts.host, opts.grpcPort);
      grpcPort = grpc.port;
      cleanups.push(() => grpc.stop());
    }

    if (store !== undefined && opts.register) {
      const reg = new ComponentRegistration(
        store,
        {
          instanceId: opts.instanceId ?? defaultInstanceId(port),
          address: opts.advertiseAddress ?? advertisedAddress(opts.host),
          port,
          ttlS: opts.registrationTtlS,
        },
        clock,
        logger,
      );
      await reg.start();
      cleanups.push(() => reg.stop());
      if (opts.loadPublishMs > 0) {
        const pub = new LoadPublisher(store, () => table.allRoutes(), {
          instanceId: opts.instanceId ?? defaultInstanceId(port),
          intervalMs: opts.loadPublishMs,
          refreshMs: 30_000,
          leaseId: () => reg.leaseId,
          clock,
          logger,
        });
        publisher = pub;
        pub.start();
        cleanups.push(() => pub.stop());
      }
    }

    const reload = () => {
      try {
        auth.setTokens(readTokens());
        table.setStatic(readStatics());
        logger.info('router configuration reloaded');
      } catch (err) {
        logger.error({ err: errorMessage(err) }, 'reload failed; keeping the previous configuration');
      }
    };
    for (const file of [opts.tokensFile, opts.staticUpstreamsFile]) {
      if (file === undefined) continue;
      watchFile(file, { interval: 2000, persistent: false }, (cur, prev) => {
        if (cur.mtimeMs !== prev.mtimeMs || cur.size !== prev.size) reload();
      });
      cleanups.push(() => unwatchFile(file));
    }

    const host = opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host;
    const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
    logger.info({ url, grpc_port: grpcPort, policy: opts.policy, auth: !opts.noAuth }, 'router listening');
    let stopping: Promise<void> | undefined;
    return {
      port,
      grpcPort,
      url,
      table,
      registry,
      reload,
      stop: () => (stopping ??= stopAll().then(() => table.clear())),
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

/** Stops accepting, lets requests in flight finish for a moment, then cuts what is left (long streams). */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
    const t = setTimeout(() => server.closeAllConnections(), 1000);
    t.unref();
  });
}
