import { toApiError, ApiError } from './errors.js';
import { readSse } from '../core/sse.js';
import type * as T from './types.js';

export interface ClientOptions {
  /** Server base URL, e.g. http://127.0.0.1:8080 */
  baseUrl: string;
  /** Session token (JWT) or API key (nbk_...). */
  token?: string | undefined;
  fetch?: typeof fetch;
  /** Per-request timeout (default 30 s; log following is not limited). */
  timeoutMs?: number;
  /** Extra headers on every request (e.g. a traceparent). */
  headers?: Record<string, string>;
}

type Query = Record<string, string | number | boolean | undefined>;

interface RequestOptions {
  query?: Query | undefined;
  body?: unknown;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
  /** Do not apply the client timeout (streams). */
  noTimeout?: boolean;
  /** This request's timeout instead of the client's (backups are large). */
  timeoutMs?: number;
}

/** Conditional update: `ifMatch` is a resource_version (sent as If-Match). */
export interface Conditional {
  ifMatch?: number | undefined;
}

const enc = encodeURIComponent;
/** Backups and restores move the whole store: ten minutes instead of the usual per-request limit. */
const BACKUP_TIMEOUT_MS = 10 * 60_000;

function randomHex(bytes: number): string {
  const b = globalThis.crypto.getRandomValues(new Uint8Array(bytes));
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * A W3C `traceparent` starting a new sampled trace: each call is its own trace, which the server
 * continues (its logs carry the trace_id, and its spans when OpenTelemetry export is on).
 */
export function newTraceparent(): string {
  return `00-${randomHex(16)}-${randomHex(8)}-01`;
}
const cond = (c?: Conditional): Record<string, string> | undefined =>
  c?.ifMatch === undefined ? undefined : { 'if-match': `"${c.ifMatch}"` };

/**
 * Typed client of the Nebula control API (used by the CLI, the tests and the benchmarks; the web console
 * shares its types). Every error answer is thrown as `ApiError { status, code, message, details }`.
 */
export function createClient(opts: ClientOptions) {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const fetchImpl = opts.fetch ?? globalThis.fetch;
  const timeoutMs = opts.timeoutMs ?? 30_000;

  async function send(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(o.query ?? {}))
      if (v !== undefined) url.searchParams.set(k, String(v));
    const headers: Record<string, string> = {
      accept: 'application/json',
      ...(opts.headers ?? {}),
      ...(o.headers ?? {}),
    };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    headers['traceparent'] ??= newTraceparent();
    const init: RequestInit = { method, headers };
    if (o.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(o.body);
    }
    const limitMs = o.timeoutMs ?? timeoutMs;
    const signals = [o.signal, o.noTimeout ? undefined : AbortSignal.timeout(limitMs)].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    if (signals.length > 0) init.signal = signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    let res: Response;
    try {
      res = await fetchImpl(url, init);
    } catch (err) {
      const why =
        err instanceof Error && err.name === 'TimeoutError'
          ? `timed out after ${limitMs} ms`
          : err instanceof Error
            ? err.message
            : String(err);
      throw new ApiError(0, 'UNREACHABLE', `cannot reach ${base}: ${why}`);
    }
    if (!res.ok) throw await toApiError(res);
    return res;
  }

  async function call<R>(method: string, path: string, o: RequestOptions = {}): Promise<R> {
    const res = await send(method, path, o);
    const text = await res.text();
    return (text === '' ? undefined : JSON.parse(text)) as R;
  }

  const get = <R>(path: string, query?: Query) => call<R>('GET', path, { query });

  const models = {
    list: (p: T.ListModelsParams = {}) => get<T.ModelList>('/api/v2/models', p),
    /** Every model, paging through the list. */
    async listAll(p: Omit<T.ListModelsParams, 'limit' | 'offset'> = {}): Promise<T.ModelView[]> {
      const out: T.ModelView[] = [];
      for (let offset = 0; ;) {
        const page = await models.list({ ...p, limit: 1000, offset });
        out.push(...page.items);
        offset += page.items.length;
        if (page.items.length === 0 || offset >= page.total) return out;
      }
    },
    get: (uid: string) => get<T.ModelDetailView>(`/api/v2/models/${enc(uid)}`),
    create: (body: T.CreateModelRequest) => call<T.ModelView>('POST', '/api/v2/models', { body }),
    update: (uid: string, body: T.UpdateModelRequest, c?: Conditional) =>
      call<T.ModelView>('PUT', `/api/v2/models/${enc(uid)}`, { body, headers: cond(c) }),
    delete: (uid: string, o: { purge?: boolean } & Conditional = {}) =>
      call<T.DeleteModelResponse>('DELETE', `/api/v2/models/${enc(uid)}`, {
        query: { purge: o.purge },
        headers: cond(o),
      }),
    start: (uid: string, body: { replicas?: number; resource_version?: number } = {}) =>
      call<T.ModelView>('POST', `/api/v2/models/${enc(uid)}/start`, { body }),
    stop: (uid: string, body: { resource_version?: number } = {}) =>
      call<T.ModelView>('POST', `/api/v2/models/${enc(uid)}/stop`, { body }),
    scale: (uid: string, replicas: number, c: { resource_version?: number } = {}) =>
      call<T.ModelView>('PUT', `/api/v2/models/${enc(uid)}/scale`, { body: { replicas, ...c } }),
    autoscaling: (uid: string) => get<T.AutoscalingView>(`/api/v2/models/${enc(uid)}/autoscaling`),
    setAutoscaling: (uid: string, policy: T.AutoscalingPolicyInput) =>
      call<T.ModelView>('PUT', `/api/v2/models/${enc(uid)}/autoscaling`, { body: { policy } }),
    clearAutoscaling: (uid: string) =>
      call<T.ModelView>('DELETE', `/api/v2/models/${enc(uid)}/autoscaling`),
    saveAsTemplate: (uid: string, body: T.SaveAsTemplateRequest) =>
      call<T.TemplateView>('POST', `/api/v2/models/${enc(uid)}/save-as-template`, { body }),
    /** Migrates one replica: a replacement is placed and ready before this one retires (202, the pending request). */
    drainReplica: (uid: string, replicaId: number) =>
      call<T.DrainRequest>('POST', `/api/v2/models/${enc(uid)}/replicas/${replicaId}/drain`, { body: {} }),
    cancelDrain: (uid: string, replicaId: number) =>
      call<T.DrainRequest>('DELETE', `/api/v2/models/${enc(uid)}/replicas/${replicaId}/drain`),
    events: (uid: string, limit?: number) =>
      get<T.ListOf<T.ModelEvent>>(`/api/v2/models/${enc(uid)}/events`, { limit }),
    /** Revisions of the spec, newest first. */
    revisions: (uid: string, p: { limit?: number; offset?: number } = {}) =>
      get<T.ModelRevisionList>(`/api/v2/models/${enc(uid)}/revisions`, p),
    revision: (uid: string, n: number) => get<T.ModelRevision>(`/api/v2/models/${enc(uid)}/revisions/${n}`),
    /** Field-level diff of revision `n` against `against` (default: the one before it). */
    diff: (uid: string, n: number, against?: number) =>
      get<T.ModelRevisionDiff>(`/api/v2/models/${enc(uid)}/revisions/${n}/diff`, { against }),
    rollback: (uid: string, body: T.RollbackRequest = {}) =>
      call<T.RollbackResponse>('POST', `/api/v2/models/${enc(uid)}/rollback`, { body }),
    pauseRollout: (uid: string) =>
      call<T.RolloutPauseResponse>('POST', `/api/v2/models/${enc(uid)}/rollout/pause`),
    resumeRollout: (uid: string) =>
      call<T.RolloutPauseResponse>('POST', `/api/v2/models/${enc(uid)}/rollout/resume`),
    /** Downloads the model's files onto nodes without starting it (named nodes, or where it would run). */
    pull: (uid: string, body: T.PullModelRequest = {}) =>
      call<T.PullModelResponse>('POST', `/api/v2/models/${enc(uid)}/pull`, { body }),
    pulls: (uid: string) => get<T.PullList>(`/api/v2/models/${enc(uid)}/pulls`),
    /** The last `tail` lines of a replica's engine log. */
    async logs(uid: string, replicaId: number, o: { tail?: number } = {}): Promise<string> {
      const res = await send('GET', `/api/v2/models/${enc(uid)}/replicas/${replicaId}/logs`, {
        query: { tail: o.tail },
        headers: { accept: 'text/plain' },
      });
      return res.text();
    },
    /** Follows a replica's log (SSE): yields each event's data until the stream ends or `signal` aborts. */
    async *followLogs(
      uid: string,
      replicaId: number,
      o: { tail?: number; signal?: AbortSignal } = {},
    ): AsyncGenerator<string> {
      const res = await send('GET', `/api/v2/models/${enc(uid)}/replicas/${replicaId}/logs`, {
        query: { tail: o.tail, follow: true },
        headers: { accept: 'text/event-stream' },
        signal: o.signal,
        noTimeout: true,
      });
      if (!res.body) return;
      for await (const ev of readSse(res.body)) yield ev.data;
    },
  };

  const templates = {
    list: () => get<T.ListOf<T.TemplateView>>('/api/v2/templates'),
    get: (id: string) => get<T.TemplateView>(`/api/v2/templates/${enc(id)}`),
    create: (body: T.CreateTemplateRequest) => call<T.TemplateView>('POST', '/api/v2/templates', { body }),
    update: (id: string, body: T.UpdateTemplateRequest, c?: Conditional) =>
      call<T.TemplateView>('PUT', `/api/v2/templates/${enc(id)}`, { body, headers: cond(c) }),
    delete: (id: string, c?: Conditional) =>
      call<T.Ack>('DELETE', `/api/v2/templates/${enc(id)}`, { headers: cond(c) }),
    deploy: (id: string, body: T.DeployTemplateRequest = {}) =>
      call<T.ModelView>('POST', `/api/v2/templates/${enc(id)}/deploy`, { body }),
  };

  const nodes = {
    list: () => get<T.ListOf<T.NodeView>>('/api/v2/nodes'),
    get: (nodeId: string) => get<T.NodeDetailView>(`/api/v2/nodes/${enc(nodeId)}`),
    cordon: (nodeId: string, c?: Conditional) =>
      call<T.NodeSettingsView>('POST', `/api/v2/nodes/${enc(nodeId)}/cordon`, { body: {}, headers: cond(c) }),
    uncordon: (nodeId: string, c?: Conditional) =>
      call<T.NodeSettingsView>('POST', `/api/v2/nodes/${enc(nodeId)}/uncordon`, {
        body: {},
        headers: cond(c),
      }),
    drain: (nodeId: string, c?: Conditional) =>
      call<T.NodeSettingsView>('POST', `/api/v2/nodes/${enc(nodeId)}/drain`, { body: {}, headers: cond(c) }),
    cache: (nodeId: string) => get<T.NodeCacheResponse>(`/api/v2/nodes/${enc(nodeId)}/cache`),
    disk: (nodeId: string) => get<T.NodeDiskResponse>(`/api/v2/nodes/${enc(nodeId)}/disk`),
  };

  const engines = {
    /** Engines per node (`GET /api/v2/engines`), optionally for one node or one engine type. */
    list: (p: { node_id?: string; type?: T.EngineType } = {}) => get<T.EngineList>('/api/v2/engines', p),
  };

  const auth = {
    login: (username: string, password: string) =>
      call<T.LoginResponse>('POST', '/api/v2/auth/login', { body: { username, password } }),
    whoami: () => get<T.WhoAmI>('/api/v2/auth/whoami'),
    /** Ends this session server-side (`all`: every session of the user). */
    logout: (all = false) => call<T.Ack>('POST', '/api/v2/auth/logout', { body: all ? { all: true } : {} }),
    changePassword: (currentPassword: string, newPassword: string) =>
      call<T.Ack>('POST', '/api/v2/auth/password', {
        body: { current_password: currentPassword, new_password: newPassword },
      }),
  };

  const users = {
    list: () => get<T.ListOf<T.UserView>>('/api/v2/auth/users'),
    get: (username: string) => get<T.UserView>(`/api/v2/auth/users/${enc(username)}`),
    create: (body: T.CreateUserRequest) => call<T.UserView>('POST', '/api/v2/auth/users', { body }),
    update: (username: string, body: T.UpdateUserRequest, c?: Conditional) =>
      call<T.UserView>('PUT', `/api/v2/auth/users/${enc(username)}`, { body, headers: cond(c) }),
    delete: (username: string) => call<T.Ack>('DELETE', `/api/v2/auth/users/${enc(username)}`),
  };

  const keys = {
    /** The caller's keys; `all`: every user's keys (admin). */
    list: (o: { all?: boolean } = {}) =>
      get<T.ListOf<T.ApiKeyView>>('/api/v2/auth/api-keys', { all: o.all ? 'true' : undefined }),
    create: (body: T.CreateApiKeyRequest) => call<T.CreatedApiKey>('POST', '/api/v2/auth/api-keys', { body }),
    update: (id: string, body: T.UpdateApiKeyRequest) =>
      call<T.ApiKeyView>('PATCH', `/api/v2/auth/api-keys/${enc(id)}`, { body }),
    revoke: (id: string) => call<T.ApiKeyView>('DELETE', `/api/v2/auth/api-keys/${enc(id)}`),
  };

  const catalog = {
    search: (p: { provider: T.CatalogProvider; q?: string; page?: number; limit?: number }) =>
      get<T.CatalogSearchResponse>('/api/v2/catalog/search', p),
    get: (provider: T.CatalogProvider, modelId: string, o: { revision?: string } = {}) =>
      get<T.CatalogModelDetail>(`/api/v2/catalog/models/${provider}/${enc(modelId)}`, o),
    import: (body: T.CatalogImportRequest) =>
      call<T.CatalogImportResponse>('POST', '/api/v2/catalog/import', { body }),
  };

  const v1 = {
    overview: () => get<T.Overview>('/api/overview'),
    nodes: () => get<T.ListOf<T.V1Node>>('/api/nodes'),
    endpoints: () => get<T.ListOf<T.Endpoint>>('/api/endpoints'),
    placements: () => get<T.ListOf<T.PlacementPlan>>('/api/placements'),
    requests: () => get<T.ListOf<T.ModelRequest>>('/api/requests'),
    models: () => get<T.ListOf<T.V1Model>>('/api/models'),
    health: () => get<T.Health>('/api/health'),
    routerMetrics: () => get<T.RouterMetrics>('/api/metrics/router'),
    load: (body: T.LoadModelRequest) => call<T.ModelRequest>('POST', '/api/models/load', { body }),
    unload: (body: T.UnloadModelRequest) =>
      call<T.ListOf<T.ModelRequest>>('POST', '/api/models/unload', { body }),
    deleteRequest: (requestId: string) => call<T.ModelRequest>('DELETE', `/api/requests/${enc(requestId)}`),
    /**
     * Force-stop on a node: every replica of the model there, or only `replica_id` (a server that does not
     * pass it on stops every replica of the model on that node).
     */
    forceStop: (nodeId: string, uid: string, o: { replica_id?: number } = {}) =>
      call<T.ForceStopResponse>('POST', `/api/nodes/${enc(nodeId)}/models/${enc(uid)}/stop`, {
        query: { replica_id: o.replica_id },
      }),
  };

  return {
    baseUrl: base,
    /** Raw JSON call, for routes added after this client was written. */
    request: call,
    models,
    templates,
    nodes,
    engines,
    cache: { summary: () => get<T.CacheSummary>('/api/v2/cache/summary') },
    alerts: {
      list: (p: { node_id?: string; level?: 'warning' | 'critical' } = {}) =>
        get<T.ListOf<T.DiskAlert>>('/api/v2/alerts', p),
    },
    events: {
      list: (p: { model_uid?: string; limit?: number } = {}) =>
        get<T.ListOf<T.ModelEvent>>('/api/v2/events', p),
    },
    audit: {
      list: (p: { limit?: number; actor?: string; action?: string; since?: string } = {}) =>
        get<T.ListOf<T.AuditEvent>>('/api/v2/audit', p),
    },
    auth,
    users,
    keys,
    catalog,
    v1,
    admin: {
      migrate: () => call<T.MigrateResponse>('POST', '/api/v2/migrate'),
      /** The cluster's metadata (`include_secrets`: password and key hashes too). */
      backup: (o: { include_secrets?: boolean } = {}) =>
        call<T.Backup>('GET', '/api/v2/admin/backup', {
          query: { include_secrets: o.include_secrets ? 'true' : undefined },
          timeoutMs: BACKUP_TIMEOUT_MS,
        }),
      /** Writes a backup into the store (`force`: also over a store that already holds a cluster). */
      restore: (backup: T.Backup, o: { force?: boolean } = {}) =>
        call<T.RestoreResult>('POST', '/api/v2/admin/restore', {
          body: backup,
          query: { force: o.force ? 'true' : undefined },
          timeoutMs: BACKUP_TIMEOUT_MS,
        }),
      /** A new session signing secret: every session signed with the old one is refused. */
      rotateSecret: () => call<T.RotateSecretResponse>('POST', '/api/v2/admin/rotate-secret'),
    },
    settings: {
      cluster: () => get<T.ClusterSettingsView>('/api/v2/settings/cluster'),
      updateCluster: (body: T.UpdateClusterSettingsRequest) =>
        call<T.ClusterSettingsView>('PUT', '/api/v2/settings/cluster', { body }),
    },
    metrics: { router: () => get<T.RouterMetrics>('/api/v2/metrics/router') },
    system: {
      healthz: () => get<{ status: string; version: string; store: string }>('/healthz'),
      metrics: async () => (await send('GET', '/metrics', { headers: { accept: 'text/plain' } })).text(),
      openapi: () => get<Record<string, unknown>>('/api/openapi.json'),
    },
    /** The same client with another token. */
    withToken: (token: string | undefined) => createClient({ ...opts, token }),
  };
}

export type NebulaClient = ReturnType<typeof createClient>;
