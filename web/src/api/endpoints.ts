import type { ApiClient } from './client.ts';
import type {
  AggregatedState,
  ApiKeyView,
  AuditEvent,
  AutoscalingPolicyInput,
  AutoscalingView,
  CacheSummary,
  CatalogModelDetail,
  CatalogProvider,
  CreatedApiKey,
  DeleteModelResponse,
  DiskAlert,
  EngineType,
  Health,
  ImportResponse,
  ListEnvelope,
  LoginResponse,
  ModelDetailView,
  ModelEvent,
  ModelList,
  ModelRevision,
  ModelRevisionDiff,
  ModelRevisionList,
  ModelSource,
  ModelView,
  NodeDetailView,
  NodeView,
  Overview,
  PullModelResponse,
  Role,
  RollbackResponse,
  RolloutPauseResponse,
  RouterMetrics,
  SearchResponse,
  TemplateCategory,
  TemplateView,
  UserView,
  WhoAmI,
} from './types.ts';

const enc = encodeURIComponent;

/** Body of `POST /api/v2/models` as the console sends it. */
export interface CreateModelInput {
  model_uid?: string;
  model_name: string;
  model_source: ModelSource;
  revision?: string;
  model_path?: string;
  /** llama.cpp: the GGUF variant to load (a file of the repository) or its quantisation tag. */
  gguf_file?: string;
  gguf_quant?: string;
  engine_type: EngineType;
  replicas?: number;
  auto_start?: boolean;
  description?: string;
  resources?: { gpu_count?: number; gpu_memory_gib?: number };
  engine_config?: { extra_args?: string[]; max_model_len?: number };
}

/** One LoRA adapter of a model as the console sends it (spec `adapters`). */
export interface LoraAdapterInput {
  name: string;
  source: ModelSource;
  model_id?: string;
  path?: string;
  revision?: string;
  gguf_file?: string;
}

export interface ImportInput {
  provider: CatalogProvider;
  model_id: string;
  model_uid?: string;
  engine_type: EngineType;
  replicas: number;
  auto_start: boolean;
  gguf_file?: string;
  gguf_quant?: string;
}

export interface TemplateInput {
  template_id?: string;
  name: string;
  description?: string;
  category: TemplateCategory;
  spec: {
    model_name: string;
    model_source: ModelSource;
    engine_type: EngineType;
    revision?: string;
    model_path?: string;
    resources?: { gpu_count?: number; gpu_memory_gib?: number };
  };
  deployment?: { replicas?: number };
}

export interface ListModelsParams {
  state?: AggregatedState;
  q?: string;
  engine_type?: EngineType;
  limit?: number;
}

/** Every control API call the console makes, grouped as the API is. */
export function makeApi(client: ApiClient) {
  const get = <T>(path: string, query?: Record<string, string | number | boolean | undefined>) =>
    client.request<T>('GET', path, query ? { query } : {});
  const post = <T>(path: string, body?: unknown) =>
    client.request<T>('POST', path, body === undefined ? {} : { body });
  const put = <T>(path: string, body?: unknown) =>
    client.request<T>('PUT', path, body === undefined ? {} : { body });
  const del = <T>(path: string, query?: Record<string, string | number | boolean | undefined>) =>
    client.request<T>('DELETE', path, query ? { query } : {});

  return {
    auth: {
      login: (username: string, password: string) =>
        post<LoginResponse>('/api/v2/auth/login', { username, password }),
      whoami: () => get<WhoAmI>('/api/v2/auth/whoami'),
      /** Ends the session server-side and clears its cookies. */
      logout: () => post<unknown>('/api/v2/auth/logout', {}),
    },
    cluster: {
      overview: () => get<Overview>('/api/overview'),
      health: () => get<Health>('/api/health'),
      routerMetrics: () => get<RouterMetrics>('/api/metrics/router'),
    },
    models: {
      list: (p: ListModelsParams = {}) => get<ModelList>('/api/v2/models', { limit: 1000, ...p }),
      get: (uid: string) => get<ModelDetailView>(`/api/v2/models/${enc(uid)}`),
      create: (body: CreateModelInput) => post<ModelView>('/api/v2/models', body),
      start: (uid: string) => post<ModelView>(`/api/v2/models/${enc(uid)}/start`, {}),
      stop: (uid: string) => post<ModelView>(`/api/v2/models/${enc(uid)}/stop`, {}),
      /** Pre-pull: download onto the nodes that would run it, without starting. */
      pull: (uid: string) => post<PullModelResponse>(`/api/v2/models/${enc(uid)}/pull`, {}),
      scale: (uid: string, replicas: number) =>
        put<ModelView>(`/api/v2/models/${enc(uid)}/scale`, { replicas }),
      /** The autoscaling policy (null when off) and the autoscaler's last decision. */
      autoscaling: (uid: string) => get<AutoscalingView>(`/api/v2/models/${enc(uid)}/autoscaling`),
      setAutoscaling: (uid: string, policy: AutoscalingPolicyInput) =>
        put<ModelView>(`/api/v2/models/${enc(uid)}/autoscaling`, { policy }),
      clearAutoscaling: (uid: string) => del<ModelView>(`/api/v2/models/${enc(uid)}/autoscaling`),
      /** Replaces the model's LoRA adapters (a spec update, conditional on the version shown). */
      setAdapters: (uid: string, adapters: LoraAdapterInput[], resourceVersion: number) =>
        put<ModelView>(`/api/v2/models/${enc(uid)}`, {
          adapters: adapters.length === 0 ? null : adapters,
          resource_version: resourceVersion,
        }),
      remove: (uid: string, purge = false) =>
        del<DeleteModelResponse>(`/api/v2/models/${enc(uid)}`, purge ? { purge: true } : undefined),
      saveAsTemplate: (
        uid: string,
        body: { name: string; template_id?: string; category?: TemplateCategory; description?: string },
      ) => post<TemplateView>(`/api/v2/models/${enc(uid)}/save-as-template`, body),
      events: (uid: string) => get<ListEnvelope<ModelEvent>>(`/api/v2/models/${enc(uid)}/events`),
      /** Revisions of the spec, newest first (`current`: the one the deployment wants). */
      revisions: (uid: string) =>
        get<ModelRevisionList>(`/api/v2/models/${enc(uid)}/revisions`, { limit: 100 }),
      revision: (uid: string, n: number) => get<ModelRevision>(`/api/v2/models/${enc(uid)}/revisions/${n}`),
      /** Field-level diff of revision `n` against `against` (default: the one before it). */
      revisionDiff: (uid: string, n: number, against?: number) =>
        get<ModelRevisionDiff>(`/api/v2/models/${enc(uid)}/revisions/${n}/diff`, { against }),
      rollback: (uid: string, to?: number) =>
        post<RollbackResponse>(`/api/v2/models/${enc(uid)}/rollback`, to === undefined ? {} : { to }),
      pauseRollout: (uid: string) => post<RolloutPauseResponse>(`/api/v2/models/${enc(uid)}/rollout/pause`),
      resumeRollout: (uid: string) => post<RolloutPauseResponse>(`/api/v2/models/${enc(uid)}/rollout/resume`),
      /** Follows a replica's log (SSE); the caller reads the stream and aborts it. */
      followLogs: (uid: string, replicaId: number, tail: number, signal: AbortSignal) =>
        client.stream('GET', `/api/v2/models/${enc(uid)}/replicas/${replicaId}/logs`, {
          query: { tail, follow: 1 },
          signal,
        }),
    },
    templates: {
      list: () => get<ListEnvelope<TemplateView>>('/api/v2/templates'),
      create: (body: TemplateInput) => post<TemplateView>('/api/v2/templates', body),
      update: (id: string, body: Omit<TemplateInput, 'template_id'>) =>
        put<TemplateView>(`/api/v2/templates/${enc(id)}`, body),
      remove: (id: string) => del<unknown>(`/api/v2/templates/${enc(id)}`),
      deploy: (id: string, body: { model_uid?: string; replicas?: number; auto_start?: boolean }) =>
        post<ModelView>(`/api/v2/templates/${enc(id)}/deploy`, body),
    },
    nodes: {
      list: () => get<ListEnvelope<NodeView>>('/api/v2/nodes'),
      get: (id: string) => get<NodeDetailView>(`/api/v2/nodes/${enc(id)}`),
      cordon: (id: string) => post<unknown>(`/api/v2/nodes/${enc(id)}/cordon`, {}),
      uncordon: (id: string) => post<unknown>(`/api/v2/nodes/${enc(id)}/uncordon`, {}),
      drain: (id: string) => post<unknown>(`/api/v2/nodes/${enc(id)}/drain`, {}),
      purgeCache: (id: string, hash: string) => del<unknown>(`/api/v2/nodes/${enc(id)}/cache/${enc(hash)}`),
    },
    cache: {
      summary: () => get<CacheSummary>('/api/v2/cache/summary'),
    },
    alerts: {
      list: () => get<ListEnvelope<DiskAlert>>('/api/v2/alerts'),
    },
    events: {
      list: (p: { model_uid?: string; limit?: number } = {}) =>
        get<ListEnvelope<ModelEvent>>('/api/v2/events', { limit: 200, ...p }),
    },
    audit: {
      list: (p: { actor?: string; action?: string; limit?: number } = {}) =>
        get<ListEnvelope<AuditEvent>>('/api/v2/audit', { limit: 200, ...p }),
    },
    users: {
      list: () => get<ListEnvelope<UserView>>('/api/v2/auth/users'),
      create: (body: { username: string; password: string; role: Role }) =>
        post<UserView>('/api/v2/auth/users', body),
      update: (username: string, body: { role?: Role; disabled?: boolean; password?: string }) =>
        put<UserView>(`/api/v2/auth/users/${enc(username)}`, body),
      remove: (username: string) => del<unknown>(`/api/v2/auth/users/${enc(username)}`),
    },
    apiKeys: {
      list: (all: boolean) =>
        get<ListEnvelope<ApiKeyView>>('/api/v2/auth/api-keys', all ? { all: 'true' } : undefined),
      create: (body: { name: string; role?: Role; expires_in?: string; rate_limit?: string }) =>
        post<CreatedApiKey>('/api/v2/auth/api-keys', body),
      /** `rate_limit`: "60/min", "10/s:burst=20", or null for the router default. */
      update: (id: string, body: { name?: string; rate_limit?: string | null }) =>
        client.request<ApiKeyView>('PATCH', `/api/v2/auth/api-keys/${enc(id)}`, { body }),
      revoke: (id: string) => del<unknown>(`/api/v2/auth/api-keys/${enc(id)}`),
    },
    catalog: {
      search: (
        p: { provider: CatalogProvider; q: string; page: number; limit: number },
        signal?: AbortSignal,
      ) =>
        client.request<SearchResponse>('GET', '/api/v2/catalog/search', {
          query: { ...p },
          ...(signal ? { signal } : {}),
        }),
      model: (provider: CatalogProvider, id: string) =>
        get<CatalogModelDetail>(`/api/v2/catalog/models/${provider}/${id.split('/').map(enc).join('/')}`),
      import: (body: ImportInput) => post<ImportResponse>('/api/v2/catalog/import', body),
    },
    playground: {
      /** OpenAI chat completions through the server's proxy to the router (SSE when streaming). */
      chat: (body: unknown, signal: AbortSignal) =>
        client.stream('POST', '/api/v2/openai/v1/chat/completions', { body, signal }),
    },
  };
}

export type Api = ReturnType<typeof makeApi>;
