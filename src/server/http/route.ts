import { createRoute, type OpenAPIHono } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { z } from 'zod';
import { policyKey, type RoutePolicy } from '../auth/rbac.js';
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

/** A route of the control API: its schemas feed validation and the OpenAPI document alike. */
export interface RouteSpec<
  P extends Schema | undefined,
  Q extends Schema | undefined,
  B extends Schema | undefined,
  R extends Schema | undefined,
> {
  method: 'get' | 'post' | 'put' | 'delete' | 'patch';
  /** OpenAPI path template (`/api/v2/models/{uid}`). */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  params?: P;
  query?: Q;
  body?: B;
  /** Whether the JSON body may be omitted (an empty body then validates as `{}`). */
  bodyOptional?: boolean;
  /** JSON response schema; omit for routes that answer something else (text, stream, HTML). */
  response?: R;
  /** Content type of non-JSON answers, for the document. */
  produces?: string;
  status?: 200 | 201 | 202;
  /** Extra headers this route reads (documented). */
  headers?: Record<string, string>;
  handler: (
    c: Context<ServerEnv>,
    input: HandlerInput<P, Q, B>,
  ) => Promise<(R extends Schema ? z.input<R> : never) | Response>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type AnyRoute = RouteSpec<any, any, any, any>;

/** Identity with inference: `defineRoute({...})` types the handler's input from the schemas. */
export function defineRoute<
  P extends Schema | undefined = undefined,
  Q extends Schema | undefined = undefined,
  B extends Schema | undefined = undefined,
  R extends Schema | undefined = undefined,
>(r: RouteSpec<P, Q, B, R>): RouteSpec<P, Q, B, R> {
  return r;
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
  policies: Map<string, RoutePolicy>;
  validateResponses: boolean;
}

/**
 * Registers a route on the app: OpenAPI entry, zod validation of params/query/body, and the handler,
 * whose plain return value becomes JSON with the route's status. A route missing from the RBAC table is
 * a programming error: registration throws, so no route can escape authorization.
 */
export function mount(app: OpenAPIHono<ServerEnv>, r: AnyRoute, opts: MountOptions): void {
  const key = policyKey(r.method, r.path);
  const policy = opts.policies.get(key);
  if (!policy) throw new Error(`route ${key} has no entry in the RBAC table (src/server/auth/rbac.ts)`);
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
    description: `${r.description ? `${r.description}\n\n` : ''}Minimum role: **${policy.minRole}**. Audit action: \`${policy.action}\`.`,
    tags: r.tags,
    ...(policy.minRole === 'public' ? { security: [] } : {}),
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
    const raw = await r.handler(c, input as HandlerInput<unknown, unknown, unknown>);
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
