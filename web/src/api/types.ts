/**
 * Wire types of the control API, from src/client/types.ts (inferred from the server's zod schemas).
 * Type-only imports: erased at build time, so no server code reaches the bundle.
 */
export type {
  AggregatedState,
  ApiKeyView,
  AuditEvent,
  AutoscalingPolicyInput,
  AutoscalingView,
  CachedModel,
  CacheSummary,
  CatalogItem,
  CatalogModelDetail,
  CatalogProvider,
  CatalogSearchResponse as SearchResponse,
  CatalogImportResponse as ImportResponse,
  CreatedApiKey,
  DeleteModelResponse,
  DiskAlert,
  DownloadProgress,
  Endpoint,
  Health,
  LoginResponse,
  ModelCacheEntry,
  ModelDetailView,
  ModelEvent,
  ModelList,
  ModelRevision,
  ModelRevisionDiff,
  ModelRevisionList,
  ModelPull,
  ModelStats,
  ModelView,
  NodeCacheResponse,
  NodeDetailView,
  NodeDiskResponse,
  NodeView,
  Overview,
  PlacementPlan,
  PullModelResponse,
  Role,
  RollbackResponse,
  RolloutPauseResponse,
  RouterMetrics,
  TemplateView,
  UserView,
  WhoAmI,
  // Request bodies, under the names the console's forms use.
  CatalogImportRequest as ImportInput,
  CreateModelRequest as CreateModelInput,
  UpdateModelRequest as UpdateModelInput,
  CreateTemplateRequest as TemplateInput,
} from '../../../src/client/types.ts';

// Enumerations the client module does not re-export (type-only as well).
export type { EngineType, ModelSource, TemplateCategory } from '../../../src/core/domain/index.ts';

/** `{"error":{"code","message","details"}}`: the body of every error response. */
export interface ErrorBody {
  error: { code: string; message: string; details?: Record<string, unknown> };
}

export interface ListEnvelope<T> {
  items: T[];
}
