/**
 * Response and request types of the control API, inferred from the zod schemas of src/api. Type-only: the
 * CLI and the web console import these without pulling any server code into their bundles.
 */
import type { z } from 'zod';
import type * as S from '../api/schemas/index.js';
import type { AggregatedState } from '../core/domain/index.js';

export type {
  AggregatedState,
  AuditEvent,
  DiskAlert,
  DownloadProgress,
  DrainRequest,
  Endpoint,
  EngineType,
  ModelCacheEntry,
  ModelDeployment,
  ModelEvent,
  ModelPull,
  ModelRequest,
  ModelSpec,
  ModelTemplate,
  NodeDiskStatus,
  NodeSettings,
  NodeStatus,
  PlacementPlan,
  Role,
} from '../core/domain/index.js';

export type { Backup, RestoreResult } from '../store/backup.js';

/** `POST /api/v2/admin/rotate-secret`. */
export interface RotateSecretResponse {
  rotated_at: string;
  sessions_invalidated: boolean;
}

type Out<T extends z.ZodType> = z.output<T>;
type In<T extends z.ZodType> = z.input<T>;

export type ErrorResponse = Out<typeof S.ErrorResponse>;

// models
export type ModelView = Out<typeof S.ModelView>;
export type AutoscalingView = Out<typeof S.AutoscalingView>;
export type AutoscalingPolicyInput = z.input<typeof S.AutoscalingBody>['policy'];
export type ModelList = Out<typeof S.ModelList>;
export type ModelDetailView = Out<typeof S.ModelDetailView>;
export type ModelStats = Out<typeof S.ModelStats>;
export type DeploymentView = Out<typeof S.DeploymentView>;
export type DeleteModelResponse = Out<typeof S.DeleteModelResponse>;
export type CreateModelRequest = In<typeof S.CreateModelBody>;
export type UpdateModelRequest = In<typeof S.UpdateModelBody>;
export type ModelRevision = Out<typeof S.RevisionView>;
export type ModelRevisionList = Out<typeof S.RevisionList>;
export type ModelRevisionDiff = Out<typeof S.RevisionDiff>;
export type RollbackRequest = In<typeof S.RollbackBody>;
export type RollbackResponse = Out<typeof S.RollbackResponse>;
export type RolloutPauseResponse = Out<typeof S.RolloutPauseResponse>;
export type RolloutInput = In<typeof S.RolloutInput>;
export type ListModelsParams = Partial<{
  state: AggregatedState;
  q: string;
  label: string;
  engine_type: string;
  limit: number;
  offset: number;
}>;

// pre-pull
export type PullModelRequest = In<typeof S.PullBody>;
export type PullModelResponse = Out<typeof S.PullResponse>;
export type PullList = Out<typeof S.PullList>;

// cluster settings
export type ClusterSettingsView = Out<typeof S.ClusterSettingsView>;
export type UpdateClusterSettingsRequest = In<typeof S.UpdateClusterSettingsBody>;

// templates
export type TemplateView = Out<typeof S.TemplateView>;
export type CreateTemplateRequest = In<typeof S.CreateTemplateBody>;
export type UpdateTemplateRequest = In<typeof S.UpdateTemplateBody>;
export type DeployTemplateRequest = In<typeof S.DeployTemplateBody>;
export type SaveAsTemplateRequest = In<typeof S.SaveAsTemplateBody>;

// nodes, cache
export type NodeView = Out<typeof S.NodeView>;
export type NodeDetailView = Out<typeof S.NodeDetailView>;
export type NodeSettingsView = Out<typeof S.NodeSettingsView>;
export type NodeCacheResponse = Out<typeof S.NodeCacheResponse>;
export type NodeDiskResponse = Out<typeof S.NodeDiskResponse>;
export type CacheSummary = Out<typeof S.CacheSummary>;
export type CachedModel = Out<typeof S.CachedModel>;
export type EngineList = Out<typeof S.EngineList>;
export type EngineRow = Out<typeof S.EngineRow>;

// auth
export type LoginResponse = Out<typeof S.LoginResponse>;
export type WhoAmI = Out<typeof S.WhoAmI>;
export type UserView = Out<typeof S.UserView>;
export type CreateUserRequest = In<typeof S.CreateUserBody>;
export type UpdateUserRequest = In<typeof S.UpdateUserBody>;
export type ApiKeyView = Out<typeof S.ApiKeyView>;
export type CreatedApiKey = Out<typeof S.CreatedApiKey>;
export type CreateApiKeyRequest = In<typeof S.CreateApiKeyBody>;
export type UpdateApiKeyRequest = In<typeof S.UpdateApiKeyBody>;

// catalog
export type CatalogProvider = 'huggingface' | 'modelscope';
export type CatalogItem = Out<typeof S.CatalogItem>;
export type CatalogSearchResponse = Out<typeof S.SearchResponse>;
export type CatalogModelDetail = Out<typeof S.CatalogModelDetail>;
export type CatalogImportRequest = In<typeof S.ImportBody>;
export type CatalogImportResponse = Out<typeof S.ImportResponse>;

// v1, health, metrics, migration
export type Overview = Out<typeof S.Overview>;
export type Health = Out<typeof S.Health>;
export type RouterMetrics = Out<typeof S.RouterMetrics>;
export type V1Node = Out<typeof S.V1Node>;
export type V1Model = Out<typeof S.V1Model>;
export type LoadModelRequest = In<typeof S.LoadBody>;
export type UnloadModelRequest = In<typeof S.UnloadBody>;
export type ForceStopResponse = Out<typeof S.ForceStopResponse>;
export type MigrateResponse = Out<typeof S.MigrateResponse>;

export interface ListOf<T> {
  items: T[];
}
export interface Ack {
  ok: true;
}
