import { systemClock, type Clock } from '../core/clock.js';
import { silentLogger, type Logger } from '../core/logger.js';
import { createMetricsRegistry } from '../core/metrics.js';
import { noopTracing, type Tracing } from '../core/tracing.js';
import { HubClient, hubPolicies, type UrlPolicy } from '../hub/index.js';
import { readModelFacts } from '../facts/index.js';
import { EventRecorder } from '../store/events.js';
import type { Store } from '../store/types.js';
import { StoreReader } from './aggregation/store-reader.js';
import { DirectViewSource, type ViewSource } from './aggregation/view-source.js';
import { AuditLog } from './audit/audit-log.js';
import { ApiKeyIndex } from './auth/api-keys.js';
import { resolveJwtSecret } from './auth/jwt-secret.js';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle } from './auth/login-throttle.js';
import { RateLimiter } from './auth/rate-limit.js';
import { UserDirectory } from './auth/users.js';
import { CatalogService } from './catalog/service.js';
import { HuggingFaceProvider } from './catalog/huggingface.js';
import { ModelScopeProvider } from './catalog/modelscope.js';
import { createServerMetrics, registerStoreHealthMetrics, type ServerMetrics } from './metrics.js';
import { storePurgeHook } from './models/cache-purge.js';
import { ModelService, type PurgeHook } from './models/service.js';
import { TemplateService } from './models/template-service.js';
import { ClusterSettingsService } from './settings/cluster-settings.js';
import { resolveOptions, type ResolvedOptions, type ServerDeps, type ServerOptions } from './options.js';
import { NodeClient } from './outbound/node-client.js';
import { RouterClient } from './outbound/router-client.js';

/** Everything handlers use, built once per app from injected dependencies and options. */
export interface ServerContext {
  store: Store;
  reader: StoreReader;
  clock: Clock;
  logger: Logger;
  options: ResolvedOptions;
  metrics: ServerMetrics;
  audit: AuditLog;
  users: UserDirectory;
  apiKeys: ApiKeyIndex;
  jwtSecret: Uint8Array;
  rateLimiter: RateLimiter | undefined;
  /** Login throttling per username, per address and per (username, address). */
  loginThrottle: LoginThrottle | undefined;
  models: ModelService;
  templates: TemplateService;
  catalog: CatalogService;
  router: RouterClient;
  nodes: NodeClient;
  purgeCache: PurgeHook | undefined;
  /** Where list views read from: the store directly, or a watched cache (startServer). */
  views: ViewSource;
  /** Spans of requests (a no-op unless OTEL_EXPORTER_OTLP_ENDPOINT is set). */
  tracing: Tracing;
  /** `/settings/cluster` (engine_overrides, ...). */
  settings: ClusterSettingsService;
}

export async function createContext(deps: ServerDeps, opts: ServerOptions): Promise<ServerContext> {
  const options = resolveOptions(opts);
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger ?? silentLogger();
  const registry = deps.registry ?? createMetricsRegistry({ role: 'server' });
  const metrics = createServerMetrics(registry);
  const store = deps.store;
  registerStoreHealthMetrics(registry, store);
  const outFetch = deps.fetch ?? globalThis.fetch;
  const events = new EventRecorder(store, { clock });
  const purgeCache = deps.purgeCache ?? storePurgeHook(store, clock);
  const policies = hubPolicies({
    hfEndpoint: options.hfEndpoint,
    modelscopeEndpoint: options.modelscopeEndpoint,
  });
  const hubClient = (policy: UrlPolicy) =>
    new HubClient({
      policy,
      jsonTimeoutMs: options.hubTimeoutMs,
      userAgent: 'nebula-server',
      ...(deps.hubDispatcher ? { dispatcher: deps.hubDispatcher } : {}),
    });
  const hubs = { huggingface: hubClient(policies.huggingface), modelscope: hubClient(policies.modelscope) };
  const providers = {
    huggingface: new HuggingFaceProvider(hubs.huggingface, options.hfEndpoint),
    modelscope: new ModelScopeProvider(hubs.modelscope, options.modelscopeEndpoint),
  };
  const models = new ModelService(store, clock, events, logger, purgeCache, {
    compute: (target, files) =>
      readModelFacts(
        target,
        {
          hubs,
          listFiles: async (hub, id, rev) => (await providers[hub].detail(id, rev)).files,
          now: () => clock.now(),
          timeoutMs: options.hubTimeoutMs,
        },
        files ? { files } : {},
      ),
    // llama.cpp loads one GGUF variant: the file the spec names, else its quant tag (else the default rule).
    ggufFileOf: (spec) => {
      const choice = spec['gguf_file'] ?? spec['gguf_quant'];
      return typeof choice === 'string' ? choice : undefined;
    },
  });
  const reader = new StoreReader(store, logger);
  return {
    store,
    reader,
    views: new DirectViewSource(reader),
    tracing: deps.tracing ?? noopTracing,
    clock,
    logger,
    options,
    metrics,
    audit: new AuditLog(store, clock, logger, metrics, options.auditRetentionSeconds),
    users: new UserDirectory(store, clock),
    apiKeys: new ApiKeyIndex(store, clock),
    jwtSecret: await resolveJwtSecret(store, options.jwtSecret, clock.now()),
    rateLimiter: options.rateLimit ? new RateLimiter(options.rateLimit, clock) : undefined,
    loginThrottle: options.loginRateLimit
      ? new LoginThrottle({ ...DEFAULT_LOGIN_THROTTLE, perIp: options.loginRateLimit }, clock)
      : undefined,
    models,
    templates: new TemplateService(store, clock),
    catalog: new CatalogService(providers, models, logger),
    router: new RouterClient(store, outFetch, clock, options.routerUrl, options.outboundTimeoutMs),
    nodes: new NodeClient(store, outFetch, options.nodeToken, options.outboundTimeoutMs),
    purgeCache,
    settings: new ClusterSettingsService(store, clock),
  };
}
