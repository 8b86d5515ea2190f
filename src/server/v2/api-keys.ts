import { ApiKey, roleAtLeast } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { encode, type Typed } from '../../store/json.js';
import { generateApiKey, putApiKey } from '../auth/api-keys.js';
import type { ServerContext } from '../context.js';
import { ApiError, errors } from '../errors.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { ApiKeyView } from '../../api/schemas/auth.js';

export const apiKeyView = (k: Typed<ApiKey> | ApiKey): ApiKeyView => {
  const v = 'value' in k ? k.value : k;
  return {
    id: v.id,
    name: v.name,
    prefix: v.prefix,
    role: v.role,
    owner: v.owner,
    created_at: v.created_at,
    expires_at: v.expires_at,
    revoked_at: v.revoked_at,
    last_used_at: v.last_used_at ?? null,
    rate_limit: v.rate_limit ?? null,
  };
};

/** Rate limits are a cluster policy: only admins set or change them (a key's owner could lift their own). */
function checkRateLimitGrant(role: string | undefined): void {
  if (role !== 'admin') {
    throw new ApiError(
      403,
      'FORBIDDEN',
      'only admins set API key rate limits (keys without one get the router default)',
    );
  }
}

export function apiKeyRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.keys.create, async (c, { body }) => {
      const p = c.var.principal;
      if (!p) throw new ApiError(401, 'UNAUTHORIZED', 'authentication required');
      const role = body.role ?? p.role;
      if (!roleAtLeast(p.role, role))
        throw new ApiError(403, 'ROLE_ESCALATION', `you cannot create a ${role} key (you are ${p.role})`);
      if (body.rate_limit !== undefined) checkRateLimitGrant(p.role);
      const { key, record } = generateApiKey({
        name: body.name,
        role,
        owner: p.username,
        nowMs: ctx.clock.now(),
        ...(body.expires_in !== undefined ? { expiresInSeconds: body.expires_in } : {}),
        ...(body.rate_limit !== undefined ? { rateLimit: body.rate_limit } : {}),
      });
      await putApiKey(ctx.store, record);
      ctx.apiKeys.invalidate();
      c.set('auditResource', `api_key/${record.id}`);
      c.set('auditDetails', {
        role,
        name: body.name,
        ...(body.rate_limit ? { rate_limit: body.rate_limit } : {}),
      });
      return { ...apiKeyView(record), key };
    }),
    implement(api.keys.list, async (c) => {
      const p = c.var.principal;
      const all = await ctx.apiKeys.list();
      const mine = p?.role === 'admin' ? all : all.filter((k) => k.value.owner === p?.username);
      return { items: mine.map(apiKeyView).sort((a, b) => a.created_at.localeCompare(b.created_at)) };
    }),
    implement(api.keys.update, async (c, { params, body }) => {
      const p = c.var.principal;
      const kv = await ctx.store.get(keys.apiKey(params.key_id));
      const parsed = kv ? ApiKey.safeParse(JSON.parse(kv.value) as unknown) : undefined;
      if (!kv || !parsed?.success || (p?.role !== 'admin' && parsed.data.owner !== p?.username)) {
        throw errors.notFound('API_KEY_NOT_FOUND', `API key "${params.key_id}" not found`);
      }
      if (body.rate_limit !== undefined) checkRateLimitGrant(p?.role);
      if (parsed.data.revoked_at) throw errors.conflict('CONFLICT', `API key "${params.key_id}" is revoked`);
      const { rate_limit: _old, ...rest } = parsed.data;
      const limit = body.rate_limit === undefined ? parsed.data.rate_limit : (body.rate_limit ?? undefined);
      const next = ApiKey.parse({
        ...rest,
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(limit !== undefined ? { rate_limit: limit } : {}),
      });
      const res = await ctx.store.txn({
        compare: [{ key: keys.apiKey(params.key_id), modRevision: kv.modRevision }],
        success: [{ op: 'put', key: keys.apiKey(params.key_id), value: encode(ApiKey, next) }],
      });
      ctx.apiKeys.invalidate();
      if (!res.succeeded) throw new ApiError(409, 'CONFLICT', 'the key changed concurrently; retry');
      c.set('auditDetails', {
        ...(body.name !== undefined ? { name: body.name } : {}),
        ...(body.rate_limit !== undefined ? { rate_limit: body.rate_limit } : {}),
      });
      return apiKeyView(next);
    }),
    implement(api.keys.revoke, async (c, { params }) => {
      const p = c.var.principal;
      const kv = await ctx.store.get(keys.apiKey(params.key_id));
      const cur = kv ? (JSON.parse(kv.value) as unknown) : undefined;
      const parsed = cur === undefined ? undefined : ApiKey.safeParse(cur);
      // Someone else's key answers like a missing one: existence is not revealed.
      if (!kv || !parsed?.success || (p?.role !== 'admin' && parsed.data.owner !== p?.username)) {
        throw errors.notFound('API_KEY_NOT_FOUND', `API key "${params.key_id}" not found`);
      }
      if (parsed.data.revoked_at) return apiKeyView(parsed.data);
      const next = ApiKey.parse({ ...parsed.data, revoked_at: new Date(ctx.clock.now()).toISOString() });
      const res = await ctx.store.txn({
        compare: [{ key: keys.apiKey(params.key_id), modRevision: kv.modRevision }],
        success: [{ op: 'put', key: keys.apiKey(params.key_id), value: encode(ApiKey, next) }],
      });
      ctx.apiKeys.invalidate();
      if (!res.succeeded) throw new ApiError(409, 'CONFLICT', 'the key changed concurrently; retry');
      return apiKeyView(next);
    }),
  ];
}
