import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { z } from 'zod';
import type { AnyEndpoint, Endpoint } from '../../api/endpoint.js';
import { policyKey } from '../auth/rbac.js';
import { maskEngineEnvDeep } from '../models/engine-config-policy.js';
import { ErrorResponse } from '../../api/schemas/common.js';
import type { ServerEnv } from './env.js';

type Schema = z.ZodType;
type Out<S> = S extends Schema ? z.output<S> : Record<string, never>;

export interface HandlerInput<P, Q, B> {
  params: Out<P>;
  query: Out<Q>;
  body: Out<B>;
}

type Handler<P, Q, B, R> = (
  c: Context<ServerEnv>,
  input: HandlerInput<P, Q, B>,
) => Promise<(R extends Schema ? z.input<R> : never) | Response>;

/** A handler bound to its declaration in src/api: what the server mounts. */
export interface Implementation {
  readonly endpoint: AnyEndpoint;
  readonly handler: Handler<unknown, unknown, unknown, unknown>;
}

/**
 * Binds a handler to an endpoint declared in src/api; its input (params, query, body) and its return
 * value are typed from the declaration's schemas: `implement(api.models.create, async (c, { body }) => ...)`.
 */
export function implement<
  P extends Schema | undefined,
  Q extends Schema | undefined,
  B extends Schema | undefined,
  R extends Schema | undefined,
>(endpoint: Endpoint<P, Q, B, R>, handler: Handler<P, Q, B, R>): Implementation {
  return { endpoint, handler: handler as Implementation['handler'] };
}

/**
 * Pairs the declared endpoints with their implementations: each declaration needs exactly one handler,
 * and each handler must name a declaration (of this list). Anything else is a programming error that
 * stops the server at startup, so no declared route goes unanswered and no route escapes the RBAC table.
 */
export function bindImplementations(
  declared: ReadonlyArray<{ name: string; endpoint: AnyEndpoint }>,
  impls: readonly Implementation[],
): Implementation[] {
  const names = new Map(declared.map((d) => [d.endpoint, d.name]));
  const bound = new Map<AnyEndpoint, Implementation>();
  for (const i of impls) {
    const key = policyKey(i.endpoint.method, i.endpoint.path);
    const name = names.get(i.endpoint);
    if (name === undefined) throw new Error(`handler for ${key} names no declared endpoint (src/api)`);
    if (bound.has(i.endpoint)) throw new Error(`endpoint ${name} (${key}) has two handlers`);
    bound.set(i.endpoint, i);
  }
  const missing = declared.filter((d) => !bound.has(d.endpoint));
  if (missing.length > 0)
    throw new Error(
      `declared endpoints without a handler: ${missing.map((d) => `${d.name} (${policyKey(d.endpoint.method, d.endpoint.path)})`).join(', ')}`,
    );
  return declared.map((d) => bound.get(d.endpoint) as Implementation);
}

const errorContent = { 'application/json': { schema: ErrorResponse } };
const ERROR_RESPONSES = {
  400: { description: 'Bad request (malformed input)', content: errorContent },
  401: { description: 'Authentication required', content: errorContent },
  403: { description: 'Role too low', content: errorContent },
  404: { description: 'Not found', content: errorContent },
  409: { description: 'Conflict (exists, or changed concurrently)', content: errorContent },
  422: { description: 'Validation failed', content: errorContent },
  429: { description: 'Rate limited (see Retry-After)', content: errorContent },
};

export interface MountOptions {
  validateResponses: boolean;
}

/**
 * Registers an implemented endpoint on the app: OpenAPI entry (summary, role and audit action from the
 * declaration), zod validation of params/query/body, and the handler, whose plain return value becomes
 * JSON with the declared status.
 */
export function mount(app: OpenAPIHono<ServerEnv>, impl: Implementation, opts: MountOptions): void {
  const r = impl.endpoint;
  const key = policyKey(r.method, r.path);
  const status = r.status ?? 200;
  const request: Record<string, unknown> = {};
  if (r.params) request['params'] = r.params;
  if (r.query) request['query'] = r.query;
  if (r.body)
    request['body'] = { content: { 'application/json': { schema: r.body } }, required: !r.bodyOptional };
  const okContent = r.response
    ? { 'application/json': { schema: r.response } }
    : { [r.produces ?? 'text/plain']: { schema: { type: 'string' } } };
  const route = createRoute({
    method: r.method,
    path: r.path,
    summary: r.summary,
    description: `${r.description ? `${r.description}\n\n` : ''}Minimum role: **${r.minRole}**. Audit action: \`${r.action}\`.`,
    tags: r.tags,
    ...(r.minRole === 'public' ? { security: [] } : {}),
    request,
    responses: { [status]: { description: 'OK', content: okContent }, ...ERROR_RESPONSES },
  });
  const handler = async (c: Context<ServerEnv>) => {
    const valid = c.req as unknown as { valid: (t: string) => unknown };
    const input = {
      params: r.params ? valid.valid('param') : {},
      query: r.query ? valid.valid('query') : {},
      body: r.body ? valid.valid('json') : {},
    };
    const raw = await impl.handler(c, input as HandlerInput<unknown, unknown, unknown>);
    if (raw instanceof Response) return raw;
    // Secret env values of engine configs are write-only: every JSON answer shows them masked.
    const out = maskEngineEnvDeep(raw, c.var.principal?.role);
    if (opts.validateResponses && r.response) {
      const check = (r.response as Schema).safeParse(out);
      if (!check.success)
        throw new Error(`response of ${key} does not match its schema: ${check.error.message}`);
    }
    return c.json(out, status);
  };
  // The typed overloads of `openapi()` cannot follow a route list built at run time; the schemas above
  // are what validates, so the handler is registered untyped.
  (app.openapi as unknown as (route: unknown, h: unknown) => void)(route, handler);
}
