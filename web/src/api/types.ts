/**
 * Wire types of the control API, imported type-only from the server's zod schemas (erased at build time,
 * so no server code reaches the bundle). When src/client/types.ts exists it re-exports the same names.
 */
export type {
  ApiKeyView,
  CachedModel,
  CacheSummary,
  CatalogItem,
  CatalogModelDetail,
  CreatedApiKey,
  DeleteModelResponse,
  Health,
  ImportResponse,
  LoginResponse,
  ModelDetailView,
  ModelList,
  ModelStats,
  ModelView,
  NodeCacheResponse,
  NodeDetailView,
  NodeDiskResponse,
  NodeView,
  Overview,
  RouterMetrics,
  SearchResponse,
  TemplateView,
  UserView,
  WhoAmI,
} from '../../../src/server/schemas/index.ts';

export type {
  AggregatedState,
  AuditEvent,
  DiskAlert,
  DownloadProgress,
  Endpoint,
  EngineType,
  ModelCacheEntry,
  ModelEvent,
  ModelSource,
  PlacementPlan,
  Role,
  TemplateCategory,
} from '../../../src/core/domain/index.ts';

/** Catalog providers the server knows (preset only: no URLs). */
export type CatalogProvider = 'huggingface' | 'modelscope';

/** `{"error":{"code","message","details"}}`: the body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface ListEnvelope<T> {
  items: T[];
}
