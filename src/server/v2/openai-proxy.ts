import type { Context } from 'hono';
import { errorMessage } from '../../core/errors.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import type { ServerEnv } from '../http/env.js';
import { endQuietly } from '../http/stream.js';

/**
 * Same-origin access to the router's OpenAI API for the web console (playground): the caller's own bearer
 * token or session cookie (API key or login session, both accepted by the router) is forwarded as a bearer, so inference is authorized and
 * rate-limited by the router exactly as for any client. The only target is the configured or registered
 * router; nothing in the request chooses where it goes.
 */
export function openAiProxyRoutes(ctx: ServerContext): Implementation[] {
  const forward = async (
    c: Context<ServerEnv>,
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
  ): Promise<Response> => {
    const base = await ctx.router.url();
    if (!base) throw new ApiError(503, 'ROUTER_UNAVAILABLE', 'no router is configured or registered');
    const headers: Record<string, string> = {
      traceparent: c.var.traceparent,
      accept: c.req.header('accept') ?? '*/*',
    };
    // The caller's own credential, from the header or the console's session cookie.
    const credential = c.var.credential;
    if (credential) headers['authorization'] = `Bearer ${credential}`;
    if (method === 'POST') headers['content-type'] = 'application/json';
    let upstream: Response;
    try {
      upstream = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(method === 'POST' ? { body: JSON.stringify(body) } : {}),
        signal: c.req.raw.signal,
      });
    } catch (err) {
      throw new ApiError(503, 'ROUTER_UNAVAILABLE', `the router did not answer: ${errorMessage(err)}`);
    }
    const out = new Headers({
      'content-type': upstream.headers.get('content-type') ?? 'application/json',
      'cache-control': 'no-cache',
    });
    for (const h of ['retry-after', 'x-request-id']) {
      const v = upstream.headers.get(h);
      if (v) out.set(h, v);
    }
    if (out.get('content-type')?.includes('text/event-stream')) out.set('x-accel-buffering', 'no');
    return new Response(upstream.body ? endQuietly(upstream.body) : null, {
      status: upstream.status,
      headers: out,
    });
  };

  const post = (e: typeof api.openai.chat, upstreamPath: string) =>
    implement(e, async (c, { body }) => forward(c, 'POST', upstreamPath, body));

  return [
    post(api.openai.chat, '/v1/chat/completions'),
    post(api.openai.completions, '/v1/completions'),
    post(api.openai.embeddings, '/v1/embeddings'),
    implement(api.openai.models, async (c) => forward(c, 'GET', '/v1/models', undefined)),
  ];
}
