import type { Context } from 'hono';
import { DownloadProgress, Endpoint, ModelEvent, PlacementPlan } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { buildModelView } from '../aggregation/model-view.js';
import type { ServerContext } from '../context.js';
import { principalId } from '../auth/principal.js';
import { errors } from '../errors.js';
import type { ModelView } from '../../api/schemas/models.js';
import { etag, expectedRevision } from './conditional.js';
import type { ServerEnv } from './env.js';

/** The caller's name for audit and events (routes behind auth always have a principal). */
export function actor(c: Context<ServerEnv>): string {
  return c.var.principal?.username ?? 'anonymous';
}

/** Who made a change, as a revision records it: `user:NAME`, `key:ID`, or `system` without a principal. */
export function author(c: Context<ServerEnv>): string {
  const p = c.var.principal;
  return p ? principalId(p) : 'system';
}

/**
 * One page of a list for the `pageOf` envelope (api/schemas/common.ts): the items from `offset`, at most
 * `limit`, and the total before paging.
 */
export function slicePage<T>(
  items: readonly T[],
  q: { offset: number; limit: number },
): { items: T[]; total: number; offset: number; limit: number } {
  return {
    items: items.slice(q.offset, q.offset + q.limit),
    total: items.length,
    offset: q.offset,
    limit: q.limit,
  };
}

/** The revision an update is conditioned on (If-Match header or body `resource_version`). */
export function expected(c: Context<ServerEnv>, bodyVersion?: number): number | undefined {
  return expectedRevision(c.req.header('if-match'), bodyVersion);
}

/** Sets ETag to a resource_version and returns the value, for `return withEtag(c, view)`. */
export function withEtag<T extends { resource_version: number }>(c: Context<ServerEnv>, value: T): T {
  c.header('ETag', etag(value.resource_version));
  return value;
}

/** Reads one model's current view (a handful of gets and two small lists): after writes, and for details. */
export async function readModelView(ctx: ServerContext, uid: string): Promise<ModelView> {
  const pair = await ctx.models.get(uid);
  if (!pair) throw errors.notFound('MODEL_NOT_FOUND', `model "${uid}" not found`, { model_uid: uid });
  const [plan, endpoints, downloads] = await Promise.all([
    ctx.reader.get(keys.placement(uid), PlacementPlan),
    ctx.reader.list(keys.endpointsOf(uid), Endpoint),
    ctx.reader.list(keys.downloadProgressOf(uid), DownloadProgress),
  ]);
  return buildModelView({
    spec: pair.spec,
    deployment: pair.deployment,
    plan,
    endpoints: endpoints.items.map((t) => t.value),
    downloads: downloads.items.map((t) => t.value),
  });
}

/** The newest `limit` events of a model, newest first. */
export async function readModelEvents(ctx: ServerContext, uid: string, limit: number): Promise<ModelEvent[]> {
  const res = await ctx.reader.list(keys.eventsOf(uid), ModelEvent);
  return res.items
    .slice(-limit)
    .map((t) => t.value)
    .reverse();
}
