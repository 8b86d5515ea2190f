/**
 * The slice of the control API the CLI uses, as one interface. Commands depend on this; `createCliClient`
 * implements it on top of the typed client in src/client, so the commands never see HTTP.
 */
export type {
  ModelView,
  ModelDetailView,
  ModelList,
  DeleteModelResponse,
  TemplateView,
  NodeView,
  NodeDetailView,
  EngineList,
  EngineRow,
  NodeSettingsView,
  NodeCacheResponse,
  NodeDiskResponse,
  CacheSummary,
  CachedModel,
  LoginResponse,
  WhoAmI,
  UserView,
  ApiKeyView,
  CreatedApiKey,
  CatalogSearchResponse as SearchResponse,
  CatalogItem,
  CatalogModelDetail,
  CatalogImportResponse as ImportResponse,
  Overview,
  Health,
  RouterMetrics,
  ModelStats,
  MigrateResponse,
  ClusterSettingsView,
} from '../client/types.js';
import type * as S from '../client/types.js';
import { createClient } from '../client/index.js';
import { forceStopReplica, listApiKeys } from '../client/cli-extras.js';
import type { AuditEvent, DiskAlert, ModelEvent, ModelRequest } from '../client/types.js';

export interface CliClient {
  listModels(query?: {
    state?: string;
    q?: string;
    label?: string;
    engine_type?: string;
    limit?: number;
  }): Promise<S.ModelList>;
  getModel(uid: string): Promise<S.ModelDetailView>;
  createModel(body: Record<string, unknown>): Promise<S.ModelView>;
  updateModel(uid: string, body: Record<string, unknown>): Promise<S.ModelView>;
  deleteModel(uid: string, opts?: { purge?: boolean }): Promise<S.DeleteModelResponse>;
  startModel(uid: string, body?: { replicas?: number }): Promise<S.ModelView>;
  stopModel(uid: string): Promise<S.ModelView>;
  scaleModel(uid: string, replicas: number): Promise<S.ModelView>;
  saveModelAsTemplate(uid: string, body: Record<string, unknown>): Promise<S.TemplateView>;
  modelEvents(uid: string, limit?: number): Promise<{ items: ModelEvent[] }>;
  /** The last `tail` lines of a replica's engine log. */
  replicaLogs(uid: string, replicaId: number, opts: { tail: number }): Promise<string>;
  /** The last `tail` lines, then new lines as they are written, until the signal aborts or the stream ends. */
  followReplicaLogs(
    uid: string,
    replicaId: number,
    opts: { tail: number; signal?: AbortSignal },
  ): AsyncIterable<string>;

  listTemplates(): Promise<{ items: S.TemplateView[] }>;
  getTemplate(id: string): Promise<S.TemplateView>;
  createTemplate(body: Record<string, unknown>): Promise<S.TemplateView>;
  updateTemplate(id: string, body: Record<string, unknown>): Promise<S.TemplateView>;
  deleteTemplate(id: string): Promise<unknown>;
  deployTemplate(id: string, body: Record<string, unknown>): Promise<S.ModelView>;

  listNodes(): Promise<{ items: S.NodeView[] }>;
  getNode(id: string): Promise<S.NodeDetailView>;
  cordonNode(id: string): Promise<unknown>;
  uncordonNode(id: string): Promise<unknown>;
  drainNode(id: string): Promise<unknown>;
  nodeCache(id: string): Promise<S.NodeCacheResponse>;
  nodeDisk(id: string): Promise<S.NodeDiskResponse>;
  listEngines(query?: { node_id?: string; type?: string }): Promise<S.EngineList>;
  cacheSummary(): Promise<S.CacheSummary>;
  alerts(query?: { node_id?: string; level?: string }): Promise<{ items: DiskAlert[] }>;
  events(query?: { model_uid?: string; limit?: number }): Promise<{ items: ModelEvent[] }>;
  audit(query?: {
    limit?: number;
    actor?: string;
    action?: string;
    since?: string;
  }): Promise<{ items: AuditEvent[] }>;
  migrate(): Promise<S.MigrateResponse>;
  clusterSettings(): Promise<S.ClusterSettingsView>;
  updateClusterSettings(body: Record<string, unknown>): Promise<S.ClusterSettingsView>;

  login(username: string, password: string): Promise<S.LoginResponse>;
  whoami(): Promise<S.WhoAmI>;
  listUsers(): Promise<{ items: S.UserView[] }>;
  createUser(body: { username: string; password: string; role: string }): Promise<S.UserView>;
  deleteUser(username: string): Promise<unknown>;
  listApiKeys(all?: boolean): Promise<{ items: S.ApiKeyView[] }>;
  createApiKey(body: {
    name: string;
    role?: string;
    expires_in?: string;
    rate_limit?: string;
  }): Promise<S.CreatedApiKey>;
  updateApiKey(id: string, body: { name?: string; rate_limit?: string | null }): Promise<S.ApiKeyView>;
  revokeApiKey(id: string): Promise<unknown>;
  logout(all: boolean): Promise<unknown>;

  catalogSearch(query: {
    provider: string;
    q?: string;
    page?: number;
    limit?: number;
  }): Promise<S.CatalogSearchResponse>;
  catalogModel(provider: string, modelId: string, revision?: string): Promise<S.CatalogModelDetail>;
  catalogImport(body: Record<string, unknown>): Promise<S.CatalogImportResponse>;

  overview(): Promise<S.Overview>;
  health(): Promise<S.Health>;
  routerMetrics(): Promise<S.RouterMetrics>;
  listRequests(): Promise<{ items: ModelRequest[] }>;
  loadModel(body: Record<string, unknown>): Promise<ModelRequest>;
  unloadModel(body: { request_id?: string; model_uid?: string }): Promise<unknown>;
  forceStop(nodeId: string, uid: string, replicaId?: number): Promise<unknown>;
}

/** The CliClient of a server: a thin mapping onto src/client's createClient. */
export function createCliClient(opts: {
  baseUrl: string;
  token: string | undefined;
  fetch: typeof fetch | undefined;
}): CliClient {
  const c = createClient({
    baseUrl: opts.baseUrl,
    token: opts.token,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
  });
  // Bodies are assembled from flags and files and validated by the server (422 with the field on error).
  const body = <B>(b: Record<string, unknown>): B => b as B;
  return {
    listModels: (q = {}) => c.models.list(body(q)),
    getModel: (uid) => c.models.get(uid),
    createModel: (b) => c.models.create(body(b)),
    updateModel: (uid, b) => c.models.update(uid, body(b)),
    deleteModel: (uid, o = {}) => c.models.delete(uid, o),
    startModel: (uid, b = {}) => c.models.start(uid, b),
    stopModel: (uid) => c.models.stop(uid),
    scaleModel: (uid, replicas) => c.models.scale(uid, replicas),
    saveModelAsTemplate: (uid, b) => c.models.saveAsTemplate(uid, body(b)),
    modelEvents: (uid, limit) => c.models.events(uid, limit),
    replicaLogs: (uid, rid, o) => c.models.logs(uid, rid, o),
    followReplicaLogs: (uid, rid, o) => c.models.followLogs(uid, rid, o),

    listTemplates: () => c.templates.list(),
    getTemplate: (id) => c.templates.get(id),
    createTemplate: (b) => c.templates.create(body(b)),
    updateTemplate: (id, b) => c.templates.update(id, body(b)),
    deleteTemplate: (id) => c.templates.delete(id),
    deployTemplate: (id, b) => c.templates.deploy(id, body(b)),

    listNodes: () => c.nodes.list(),
    getNode: (id) => c.nodes.get(id),
    cordonNode: (id) => c.nodes.cordon(id),
    uncordonNode: (id) => c.nodes.uncordon(id),
    drainNode: (id) => c.nodes.drain(id),
    nodeCache: (id) => c.nodes.cache(id),
    nodeDisk: (id) => c.nodes.disk(id),
    listEngines: (q = {}) => c.engines.list(q as { node_id?: string; type?: S.EngineType }),
    cacheSummary: () => c.cache.summary(),
    alerts: (q = {}) => c.alerts.list(body(q)),
    events: (q = {}) => c.events.list(q),
    audit: (q = {}) => c.audit.list(q),
    migrate: () => c.admin.migrate(),
    clusterSettings: () => c.settings.cluster(),
    updateClusterSettings: (b) => c.settings.updateCluster(body(b)),

    login: (u, p) => c.auth.login(u, p),
    whoami: () => c.auth.whoami(),
    listUsers: () => c.users.list(),
    createUser: (b) => c.users.create(body(b)),
    deleteUser: (u) => c.users.delete(u),
    listApiKeys: (all) => listApiKeys(c, { all: all === true }),
    createApiKey: (b) => c.keys.create(body(b)),
    updateApiKey: (id, b) => c.keys.update(id, b),
    revokeApiKey: (id) => c.keys.revoke(id),
    logout: (all) => c.auth.logout(all),

    catalogSearch: (q) => c.catalog.search(body(q)),
    catalogModel: (provider, id, revision) =>
      c.catalog.get(provider as S.CatalogProvider, id, revision === undefined ? {} : { revision }),
    catalogImport: (b) => c.catalog.import(body(b)),

    overview: () => c.v1.overview(),
    health: () => c.v1.health(),
    routerMetrics: () => c.v1.routerMetrics(),
    listRequests: () => c.v1.requests(),
    loadModel: (b) => c.v1.load(body(b)),
    unloadModel: (b) => c.v1.unload(b),
    forceStop: (node, uid, rid) => forceStopReplica(c, node, uid, rid),
  };
}
