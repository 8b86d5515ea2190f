import { toApiError, ApiError } from './errors.js';
import { readSse } from '../core/sse.js';
import { resolve, type CallInput, type EndpointName, type ResponseOf } from './call.js';
import type * as T from './types.js';

export interface ClientOptions {
  /** Server base URL, e.g. http://127.0.0.1:8080; '' in the browser (same origin as the console). */
  baseUrl: string;
  /** Session token (JWT) or API key (nbk_...). The console sends none: its session is an HttpOnly cookie. */
  token?: string | undefined;
  fetch?: typeof fetch;
  /** Per-request timeout (default 30 s, 0: none; log following is not limited). */
  timeoutMs?: number;
  /** Extra headers on every request (e.g. a traceparent). */
  headers?: Record<string, string>;
  /** Cookie sessions: whether one is believed open (so a 401 means it ended). */
  hasSession?: () => boolean;
  /** Cookie sessions: the CSRF token to echo in `X-Nebula-CSRF` (the readable `nebula_csrf` cookie). */
  csrfToken?: () => string | null | undefined;
  /** Called on a 401 to a request that carried credentials (token or session): the session ended. */
  onUnauthorized?: () => void;
}

type Query = Record<string, string | number | boolean | undefined | null>;

interface RequestOptions {
  query?: Query | undefined;
  body?: unknown;
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
  /** Do not apply the client timeout (streams). */
  noTimeout?: boolean;
  /** The Accept header (default JSON). */
  accept?: string;
  /** This request's timeout instead of the client's (backups are large). */
  timeoutMs?: number;
}

/** Conditional update: `ifMatch` is a resource_version (sent as If-Match). */
export interface Conditional {
  ifMatch?: number | undefined;
}

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

/** `?a=1&b=x` from defined, non-empty values only. */
export function buildQuery(query: Query | undefined): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(query ?? {}))
    if (v !== undefined && v !== null && v !== '') q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Per-call options of the generic call. */
export interface CallOptions {
  headers?: Record<string, string> | undefined;
  signal?: AbortSignal | undefined;
  timeoutMs?: number;
}

/**
 * Typed client of the Nebula control API, for the CLI, the tests, the benchmarks and the web console
 * (cookie session, CSRF header, relative base URL there). Every method resolves its method and path from
 * the endpoint declarations in src/api; every error answer is thrown as
 * `ApiError { status, code, message, details, retryAfter, requestId }`.
 */
export function createClient(opts: ClientOptions) {
  const base = opts.baseUrl.replace(/\/+$/, '');
  const fetchImpl = (input: string, init: RequestInit) => (opts.fetch ?? globalThis.fetch)(input, init);
  const timeoutMs = opts.timeoutMs ?? 30_000;

  async function send(method: string, path: string, o: RequestOptions = {}): Promise<Response> {
    const headers: Record<string, string> = {
      accept: o.accept ?? 'application/json',
      ...(opts.headers ?? {}),
      ...(o.headers ?? {}),
    };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    const csrf = opts.csrfToken?.();
    if (csrf) headers['x-nebula-csrf'] = csrf;
    headers['traceparent'] ??= newTraceparent();
    const hadSession = Boolean(opts.token) || opts.hasSession?.() === true;
    const init: RequestInit = { method, headers, credentials: 'same-origin' };
    if (o.body !== undefined) {
      headers['content-type'] = 'application/json';
      init.body = JSON.stringify(o.body);
    }
    const limitMs = o.timeoutMs ?? timeoutMs;
    const signals = [o.signal, o.noTimeout || limitMs <= 0 ? undefined : AbortSignal.timeout(limitMs)].filter(
      (s): s is AbortSignal => s !== undefined,
    );
    if (signals.length > 0) init.signal = signals.length === 1 ? signals[0] : AbortSignal.any(signals);
    let res: Response;
    try {
      res = await fetchImpl(`${base}${path}${buildQuery(o.query)}`, init);
    } catch (err) {
      // The caller's own abort is not a network failure: it propagates as is.
      if (o.signal?.aborted) throw err;
      const why =
        err instanceof Error && err.name === 'TimeoutError'
          ? `timed out after ${limitMs} ms`
          : err instanceof Error
            ? err.message
            : String(err);
      throw new ApiError(0, 'UNREACHABLE', `cannot reach ${base || 'the Nebula server'}: ${why}`);
    }
    if (!res.ok) {
      const err = await toApiError(res);
      // A login with bad credentials is a 401 too, but it ends no session.
      if (res.status === 401 && hadSession) opts.onUnauthorized?.();
      throw err;
    }
    return res;
  }

  async function request<R>(method: string, path: string, o: RequestOptions = {}): Promise<R> {
    const res = await send(method, path, o);
    const text = await res.text();
    return (text === '' ? undefined : JSON.parse(text)) as R;
  }

  const options = (name: EndpointName, input: object, o: CallOptions & RequestOptions) => {
    const { params, query, body } = input as {
      params?: Record<string, unknown>;
      query?: Query;
      body?: unknown;
    };
    const { method, path } = resolve(name, params);
    return { method, path, o: { ...o, query: { ...(query ?? {}), ...(o.query ?? {}) }, body } };
  };

  /** Calls a declared endpoint by name (`call('models.get', { params: { uid } })`), typed from its schemas. */
  async function call<N extends EndpointName>(
    name: N,
    input: CallInput<N>,
    o: CallOptions & RequestOptions = {},
  ): Promise<ResponseOf<N>> {
    const r = options(name, input, o);
    return request<ResponseOf<N>>(r.method, r.path, r.o);
  }

  /** Opens a streaming endpoint (SSE) by name: the response, its status checked; read it with `readSse`. */
  async function stream<N extends EndpointName>(
    name: N,
    input: CallInput<N>,
    o: CallOptions & RequestOptions = {},
  ): Promise<Response> {
    const r = options(name, input, o);
    return send(r.method, r.path, { accept: 'text/event-stream', noTimeout: true, ...r.o });
  }

  const models = {
    list: (p: T.ListModelsParams = {}) => call('models.list', { query: p }),
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
    get: (uid: string) => call('models.get', { params: { uid } }),
    create: (body: T.CreateModelRequest) => call('models.create', { body }),
    update: (uid: string, body: T.UpdateModelRequest, c?: Conditional) =>
      call('models.update', { params: { uid }, body }, { headers: cond(c) }),
    delete: (uid: string, o: { purge?: boolean } & Conditional = {}) =>
      call('models.delete', { params: { uid }, query: { purge: o.purge } }, { headers: cond(o) }),
    start: (uid: string, body: { replicas?: number; resource_version?: number } = {}) =>
      call('models.start', { params: { uid }, body }),
    stop: (uid: string, body: { resource_version?: number } = {}) =>
      call('models.stop', { params: { uid }, body }),
    scale: (uid: string, replicas: number, c: { resource_version?: number } = {}) =>
      call('models.scale', { params: { uid }, body: { replicas, ...c } }),
    autoscaling: (uid: string) => call('models.autoscaling', { params: { uid } }),
    setAutoscaling: (uid: string, policy: T.AutoscalingPolicyInput) =>
      call('models.setAutoscaling', { params: { uid }, body: { policy } }),
    clearAutoscaling: (uid: string) => call('models.clearAutoscaling', { params: { uid } }),
    saveAsTemplate: (uid: string, body: T.SaveAsTemplateRequest) =>
      call('models.saveAsTemplate', { params: { uid }, body }),
    /** Migrates one replica: a replacement is placed and ready before this one retires (202, the pending request). */
    drainReplica: (uid: string, replicaId: number) =>
      call('models.drainReplica', { params: { uid, replica_id: replicaId }, body: {} }),
    cancelDrain: (uid: string, replicaId: number) =>
      call('models.cancelDrain', { params: { uid, replica_id: replicaId } }),
    events: (uid: string, limit?: number) => call('models.events', { params: { uid }, query: { limit } }),
    /** Revisions of the spec, newest first. */
    revisions: (uid: string, p: { limit?: number; offset?: number } = {}) =>
      call('models.revisions', { params: { uid }, query: p }),
    revision: (uid: string, n: number) => call('models.revision', { params: { uid, n } }),
    /** Field-level diff of revision `n` against `against` (default: the one before it). */
    diff: (uid: string, n: number, against?: number) =>
      call('models.revisionDiff', { params: { uid, n }, query: { against } }),
    rollback: (uid: string, body: T.RollbackRequest = {}) =>
      call('models.rollback', { params: { uid }, body }),
    pauseRollout: (uid: string) => call('models.pauseRollout', { params: { uid } }),
    resumeRollout: (uid: string) => call('models.resumeRollout', { params: { uid } }),
    /** Downloads the model's files onto nodes without starting it (named nodes, or where it would run). */
    pull: (uid: string, body: T.PullModelRequest = {}) => call('models.pull', { params: { uid }, body }),
    pulls: (uid: string) => call('models.pulls', { params: { uid } }),
    /** The last `tail` lines of a replica's engine log. */
    async logs(uid: string, replicaId: number, o: { tail?: number } = {}): Promise<string> {
      const r = options(
        'models.logs',
        { params: { uid, replica_id: replicaId }, query: { tail: o.tail } },
        {},
      );
      return (await send(r.method, r.path, { ...r.o, accept: 'text/plain' })).text();
    },
    /** Opens a replica's log as SSE (`file` events mark an engine restart); the caller reads and aborts it. */
    openLogStream: (uid: string, replicaId: number, o: { tail?: number; signal?: AbortSignal } = {}) =>
      stream(
        'models.logs',
        { params: { uid, replica_id: replicaId }, query: { tail: o.tail, follow: true } },
        { signal: o.signal },
      ),
    /** Follows a replica's log (SSE): yields each event's data until the stream ends or `signal` aborts. */
    async *followLogs(
      uid: string,
      replicaId: number,
      o: { tail?: number; signal?: AbortSignal } = {},
    ): AsyncGenerator<string> {
      const res = await models.openLogStream(uid, replicaId, o);
      if (!res.body) return;
      for await (const ev of readSse(res.body, o.signal)) yield ev.data;
    },
  };

  const templates = {
    list: () => call('templates.list', {}),
    get: (id: string) => call('templates.get', { params: { template_id: id } }),
    create: (body: T.CreateTemplateRequest) => call('templates.create', { body }),
    update: (id: string, body: T.UpdateTemplateRequest, c?: Conditional) =>
      call('templates.update', { params: { template_id: id }, body }, { headers: cond(c) }),
    delete: (id: string, c?: Conditional) =>
      call('templates.delete', { params: { template_id: id } }, { headers: cond(c) }),
    deploy: (id: string, body: T.DeployTemplateRequest = {}) =>
      call('templates.deploy', { params: { template_id: id }, body }),
  };

  const nodeAction =
    (name: 'nodes.cordon' | 'nodes.uncordon' | 'nodes.drain') => (nodeId: string, c?: Conditional) =>
      call(name, { params: { node_id: nodeId }, body: {} }, { headers: cond(c) });
  const nodes = {
    list: () => call('nodes.list', {}),
    get: (nodeId: string) => call('nodes.get', { params: { node_id: nodeId } }),
    cordon: nodeAction('nodes.cordon'),
    uncordon: nodeAction('nodes.uncordon'),
    drain: nodeAction('nodes.drain'),
    cache: (nodeId: string) => call('nodes.cache', { params: { node_id: nodeId } }),
    disk: (nodeId: string) => call('nodes.disk', { params: { node_id: nodeId } }),
    /** Deletes one model's files from a node's cache (`hash`: the entry's name hash). */
    purgeCache: (nodeId: string, hash: string) =>
      call('nodes.purgeCache', { params: { node_id: nodeId, hash } }),
  };

  const engines = {
    /** Engines per node (`GET /api/v2/engines`), optionally for one node or one engine type. */
    list: (p: { node_id?: string; type?: T.EngineType } = {}) => call('engines.list', { query: p }),
  };

  const auth = {
    login: (username: string, password: string) => call('auth.login', { body: { username, password } }),
    whoami: () => call('auth.whoami', {}),
    /** Ends this session server-side (`all`: every session of the user). */
    logout: (all = false) => call('auth.logout', { body: all ? { all: true } : {} }),
    changePassword: (currentPassword: string, newPassword: string) =>
      call('auth.changePassword', { body: { current_password: currentPassword, new_password: newPassword } }),
  };

  const users = {
    list: () => call('users.list', {}),
    get: (username: string) => call('users.get', { params: { username } }),
    create: (body: T.CreateUserRequest) => call('users.create', { body }),
    update: (username: string, body: T.UpdateUserRequest, c?: Conditional) =>
      call('users.update', { params: { username }, body }, { headers: cond(c) }),
    delete: (username: string) => call('users.delete', { params: { username } }),
  };

  const keys = {
    /** The caller's keys; `all`: every user's keys (admin). */
    list: (o: { all?: boolean } = {}) =>
      call('keys.list', {}, { query: { all: o.all ? 'true' : undefined } }),
    create: (body: T.CreateApiKeyRequest) => call('keys.create', { body }),
    update: (id: string, body: T.UpdateApiKeyRequest) =>
      call('keys.update', { params: { key_id: id }, body }),
    revoke: (id: string) => call('keys.revoke', { params: { key_id: id } }),
  };

  const catalog = {
    search: (
      p: { provider: T.CatalogProvider; q?: string; page?: number; limit?: number },
      o: { signal?: AbortSignal } = {},
    ) => call('catalog.search', { query: p }, o),
    /** One model of a hub; `owner/name` ids travel as two path segments, like the hubs' own URLs. */
    get: (provider: T.CatalogProvider, modelId: string, o: { revision?: string } = {}) => {
      const [owner, name, ...rest] = modelId.split('/');
      return owner && name && rest.length === 0
        ? call('catalog.getOwned', { params: { provider, owner, name }, query: o })
        : call('catalog.get', { params: { provider, model_id: modelId }, query: o });
    },
    import: (body: T.CatalogImportRequest) => call('catalog.import', { body }),
  };

  const v1 = {
    overview: () => call('v1.overview', {}),
    nodes: () => call('v1.nodes', {}),
    endpoints: () => call('v1.endpoints', {}),
    placements: () => call('v1.placements', {}),
    requests: () => call('v1.requests', {}),
    models: () => call('v1.models', {}),
    health: () => call('v1.health', {}),
    routerMetrics: () => call('v1.routerMetrics', {}),
    load: (body: T.LoadModelRequest) => call('v1.load', { body }),
    unload: (body: T.UnloadModelRequest) => call('v1.unload', { body }),
    deleteRequest: (requestId: string) => call('v1.deleteRequest', { params: { request_id: requestId } }),
    /**
     * Force-stop on a node: every replica of the model there, or only `replica_id` (a server that does not
     * pass it on stops every replica of the model on that node).
     */
    forceStop: (nodeId: string, uid: string, o: { replica_id?: number } = {}) =>
      call('v1.forceStop', { params: { node_id: nodeId, uid }, query: { replica_id: o.replica_id } }),
  };

  return {
    baseUrl: base,
    /** Raw JSON call, for routes added after this client was written. */
    request,
    call,
    stream,
    models,
    templates,
    nodes,
    engines,
    cache: { summary: () => call('cache.summary', {}) },
    alerts: {
      list: (p: { node_id?: string; level?: 'warning' | 'critical' } = {}) =>
        call('alerts.list', { query: p }),
    },
    events: {
      list: (p: { model_uid?: string; limit?: number } = {}) => call('events.list', { query: p }),
    },
    audit: {
      list: (p: { limit?: number; actor?: string; action?: string; since?: string } = {}) =>
        call('audit.list', { query: p }),
    },
    auth,
    users,
    keys,
    catalog,
    v1,
    admin: {
      migrate: () => call('admin.migrate', {}),
      /** The cluster's metadata (`include_secrets`: password and key hashes too). */
      backup: (o: { include_secrets?: boolean } = {}) =>
        call(
          'admin.backup',
          {},
          {
            query: { include_secrets: o.include_secrets ? 'true' : undefined },
            timeoutMs: BACKUP_TIMEOUT_MS,
          },
        ),
      /** Writes a backup into the store (`force`: also over a store that already holds a cluster). */
      restore: (backup: T.Backup, o: { force?: boolean } = {}) =>
        call(
          'admin.restore',
          { body: backup },
          { query: { force: o.force ? 'true' : undefined }, timeoutMs: BACKUP_TIMEOUT_MS },
        ),
      /** A new session signing secret: every session signed with the old one is refused. */
      rotateSecret: () => call('admin.rotateSecret', {}),
    },
    settings: {
      cluster: () => call('settings.cluster', {}),
      updateCluster: (body: T.UpdateClusterSettingsRequest) => call('settings.updateCluster', { body }),
    },
    metrics: { router: () => call('metrics.router', {}) },
    /** The router's OpenAI API through the server (the console's playground): the raw response, SSE when streaming. */
    openai: {
      chat: (body: { model: string } & Record<string, unknown>, o: { signal?: AbortSignal } = {}) =>
        stream('openai.chat', { body }, { signal: o.signal, accept: 'text/event-stream, application/json' }),
    },
    system: {
      healthz: () => call('system.healthz', {}),
      metrics: async () => {
        const r = options('system.metrics', {}, {});
        return (await send(r.method, r.path, { ...r.o, accept: 'text/plain' })).text();
      },
      openapi: () => call('system.openapi', {}) as Promise<Record<string, unknown>>,
    },
    /** The same client with another token. */
    withToken: (token: string | undefined) => createClient({ ...opts, token }),
  };
}

export type NebulaClient = ReturnType<typeof createClient>;
