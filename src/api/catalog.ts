import { endpoint } from './endpoint.js';
import {
  CatalogModelDetail,
  CatalogModelParams,
  CatalogModelParams2,
  CatalogRevisionQuery,
  ImportBody,
  ImportResponse,
  SearchQuery,
  SearchResponse,
} from './schemas/index.js';

/** Hugging Face / ModelScope search and import (seed 004). */
export const catalog = {
  search: endpoint({
    method: 'get',
    path: '/api/v2/catalog/search',
    minRole: 'viewer',
    action: 'catalog.search',
    resource: 'catalog',
    summary:
      'Search Hugging Face or ModelScope (preset providers only); 503 HUB_UNAVAILABLE when the hub does not answer',
    tags: ['catalog'],
    query: SearchQuery,
    response: SearchResponse,
  }),
  get: endpoint({
    method: 'get',
    path: '/api/v2/catalog/models/{provider}/{model_id}',
    minRole: 'viewer',
    action: 'catalog.get',
    resource: 'catalog/{provider}/{model_id}',
    summary:
      'Repository details: files with sizes, task, total size (model_id URL-encoded: Qwen%2FQwen2.5-7B-Instruct)',
    tags: ['catalog'],
    params: CatalogModelParams,
    query: CatalogRevisionQuery,
    response: CatalogModelDetail,
  }),
  getOwned: endpoint({
    method: 'get',
    path: '/api/v2/catalog/models/{provider}/{owner}/{name}',
    minRole: 'viewer',
    action: 'catalog.get',
    resource: 'catalog/{provider}/{owner}/{name}',
    summary: 'Repository details (owner/name in the path)',
    tags: ['catalog'],
    params: CatalogModelParams2,
    query: CatalogRevisionQuery,
    response: CatalogModelDetail,
  }),
  import: endpoint({
    method: 'post',
    path: '/api/v2/catalog/import',
    minRole: 'operator',
    action: 'catalog.import',
    resource: 'catalog',
    summary: 'Import a hub repository as a model (spec + deployment; auto_start defaults to true)',
    tags: ['catalog'],
    body: ImportBody,
    response: ImportResponse,
    status: 201,
  }),
};
