import type { ServerContext } from '../context.js';
import { actor, readModelView } from '../http/helpers.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import {
  CatalogModelDetail,
  CatalogModelParams,
  CatalogModelParams2,
  CatalogRevisionQuery,
  ImportBody,
  ImportResponse,
  SearchQuery,
  SearchResponse,
} from '../../api/schemas/catalog.js';

const tags = ['catalog'];

export function catalogRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'get',
      path: '/api/v2/catalog/search',
      summary:
        'Search Hugging Face or ModelScope (preset providers only); 503 HUB_UNAVAILABLE when the hub does not answer',
      tags,
      query: SearchQuery,
      response: SearchResponse,
      handler: async (_c, { query }) => ctx.catalog.search(query.provider, query.q, query.page, query.limit),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/catalog/models/{provider}/{model_id}',
      summary:
        'Repository details: files with sizes, task, total size (model_id URL-encoded: Qwen%2FQwen2.5-7B-Instruct)',
      tags,
      params: CatalogModelParams,
      query: CatalogRevisionQuery,
      response: CatalogModelDetail,
      handler: async (_c, { params, query }) =>
        ctx.catalog.detail(params.provider, params.model_id, query.revision),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/catalog/models/{provider}/{owner}/{name}',
      summary: 'Repository details (owner/name in the path)',
      tags,
      params: CatalogModelParams2,
      query: CatalogRevisionQuery,
      response: CatalogModelDetail,
      handler: async (_c, { params, query }) =>
        ctx.catalog.detail(params.provider, `${params.owner}/${params.name}`, query.revision),
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/catalog/import',
      summary: 'Import a hub repository as a model (spec + deployment; auto_start defaults to true)',
      tags,
      body: ImportBody,
      response: ImportResponse,
      status: 201,
      handler: async (c, { body }) => {
        c.set('auditDetails', { provider: body.provider, model_id: body.model_id });
        const { uid, warnings } = await ctx.catalog.import(body, actor(c));
        c.set('auditResource', `model/${uid}`);
        return { model: await readModelView(ctx, uid), warnings };
      },
    }),
  ];
}
