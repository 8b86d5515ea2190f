import { z } from 'zod';
import { errorMessage } from '../../core/errors.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { endQuietly } from '../http/stream.js';

/** The OpenAI request bodies the console's playground sends: `model` is required, the rest passes through. */
const OpenAiBody = z.looseObject({ model: z.string().min(1).max(256) });

/**
 * Same-origin access to the router's OpenAI API for the web console (playground): the caller's own bearer
 * token or session cookie (API key or login session, both accepted by the router) is forwarded as a bearer, so inference is authorized and
 * rate-limited by the router exactly as for any client. The only target is the configured or registered
 * router; nothing in the request chooses where it goes.
 */
export function openAiProxyRoutes(ctx: ServerContext): AnyRoute[] {
  const forward = async (
    c: Parameters<AnyRoute['handler']>[0],
    method: 'GET' | 'POST',
    path: string,
    body: unknown,
  ): Promise<Response> => {
    const base = await ctx.router.url();
    if (!base) throw new ApiError(503, 'ROUTER_UNAVAILABLE', 'no router is configured or registered');
    const headers: Record<string, string> = { traceparent: c.var.traceparent, accept: c.req.header('accept') ?? '*/*' };
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
    return new Response(upstream.body ? endQuietly(upstream.body) : null, { status: upstream.status, headers: out });
  };

  const post = (suffix: string, summary: string) =>
    defineRoute({
      method: 'post',
      path: `/api/v2/openai/v1/${suffix}`,
      summary,
      description: 'Forwarded to the router with the caller’s token; answers in OpenAI’s format (SSE when `stream`).',
      tags: ['openai'],
      body: OpenAiBody,
      produces: 'application/json',
      handler: async (c, { body }) => forward(c, 'POST', `/v1/${suffix}`, body),
    });

  return [
    post('chat/completions', 'Chat completion through the router (for the console playground)'),
    post('completions', 'Text completion through the router'),
    post('embeddings', 'Embeddings through the router'),
    defineRoute({
      method: 'get',
      path: '/api/v2/openai/v1/models',
      summary: 'Models the router serves (ready replicas), in OpenAI’s list format',
      tags: ['openai'],
      produces: 'application/json',
      handler: async (c) => forward(c, 'GET', '/v1/models', undefined),
    }),
  ];
}
