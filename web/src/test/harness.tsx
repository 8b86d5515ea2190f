import { render, waitFor, type RenderResult } from '@testing-library/react';
import { expect } from 'vitest';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import type { Role } from '../api/types.ts';
import { App } from '../app.tsx';
import { SessionStore } from '../auth/session-store.ts';
import { makeQueryClient, Providers } from '../providers.tsx';

/** A recorded request of the fake API. */
export interface Call {
  method: string;
  path: string;
  query: URLSearchParams;
  body: unknown;
  headers: Headers;
}

/** Returns a Response, or any other value (or a promise of one) to serialise as JSON. */
type Handler = (call: Call) => unknown;

/** JSON response helper. */
export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
export const apiError = (status: number, code: string, message: string) =>
  json({ error: { code, message } }, status);

/**
 * A fake control API: routes are "METHOD /path" (exact) with handlers returning a Response or a value to
 * serialise as JSON. Unknown routes answer 404 NOT_FOUND, like the server. Every call is recorded.
 */
export function fakeApi(routes: Record<string, Handler>) {
  const calls: Call[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    // The console passes a path string; a URL or Request is read by its href, never stringified blindly.
    const href = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
    const url = new URL(href, 'http://console.test');
    const method = (init?.method ?? 'GET').toUpperCase();
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const call: Call = {
      method,
      path: url.pathname,
      query: url.searchParams,
      body,
      headers: new Headers(init?.headers),
    };
    calls.push(call);
    const handler = routes[`${method} ${url.pathname}`];
    if (!handler) return apiError(404, 'NOT_FOUND', `no route ${method} ${url.pathname}`);
    const out = await handler(call);
    return out instanceof Response ? out : json(out);
  };
  const callsTo = (method: string, path: string) =>
    calls.filter((c) => c.method === method && c.path === path);
  return {
    fetch,
    calls,
    callsTo,
    /** Waits until exactly one request went to `method path` and returns its body. */
    async sentOnce(method: string, path: string): Promise<unknown> {
      await waitFor(() => expect(callsTo(method, path)).toHaveLength(1));
      return callsTo(method, path)[0]?.body;
    },
  };
}

/** An in-memory session store, logged in as `role` (or logged out with null). */
export function sessionAs(role: Role | null, username = role ?? 'nobody'): SessionStore {
  const mem = new Map<string, string>();
  const storage = {
    getItem: (k: string) => mem.get(k) ?? null,
    setItem: (k: string, v: string) => void mem.set(k, v),
    removeItem: (k: string) => void mem.delete(k),
  };
  const store = new SessionStore(storage);
  if (role)
    store.set({
      expires_at: new Date(Date.now() + 3600_000).toISOString(),
      username,
      role,
    });
  return store;
}

function LocationProbe() {
  const loc = useLocation();
  return <div data-testid="location">{loc.pathname + loc.search}</div>;
}

/** Renders the whole console at `route` against a fake API. */
export function renderApp(opts: {
  route: string;
  fetch: typeof fetch;
  sessions: SessionStore;
}): RenderResult {
  return render(
    <Providers fetch={opts.fetch} sessions={opts.sessions} queryClient={makeQueryClient()} env="test">
      <MemoryRouter initialEntries={[opts.route]}>
        <App />
        <Routes>
          <Route path="*" element={<LocationProbe />} />
        </Routes>
      </MemoryRouter>
    </Providers>,
  );
}

/** The spec fields models and templates share (Hugging Face, vLLM, one GPU). */
const BASE_SPEC = {
  model_source: 'huggingface',
  revision: 'main',
  engine_type: 'vllm',
  engine_config: { extra_args: [], env: {} },
  resources: { gpu_count: 1 },
  labels: {},
};

/** Minimal valid objects of the API's types, for fixtures. */
export const fixtures = {
  model(over: Record<string, unknown> = {}) {
    const now = new Date().toISOString();
    const uid = (over.model_uid as string | undefined) ?? 'qwen-small';
    const name = (over.model_name as string | undefined) ?? 'Qwen/Qwen2.5-0.5B';
    return {
      model_uid: uid,
      model_name: name,
      model_source: 'huggingface',
      engine_type: 'vllm',
      served_model_name: uid,
      state: 'running',
      state_reason: null,
      desired_state: 'running',
      desired_replicas: 1,
      ready_replicas: 1,
      total_replicas: 1,
      plan_version: 1,
      download: null,
      spec: { model_uid: uid, model_name: name, ...BASE_SPEC, created_at: now, updated_at: now },
      deployment: null,
      labels: {},
      created_at: now,
      updated_at: now,
      resource_version: 1,
      ...over,
    };
  },
  /** A system template ("qwen-chat": Qwen 7B on vLLM, 2 replicas by default). */
  template(over: Record<string, unknown> = {}) {
    return {
      template_id: 'qwen-chat',
      name: 'Qwen chat',
      description: 'A chat model',
      category: 'chat',
      source: 'system',
      spec: { model_name: 'Qwen/Qwen2.5-7B-Instruct', ...BASE_SPEC },
      deployment: { replicas: 2, node_selector: {}, placement_strategy: 'binpack' },
      created_at: '2025-01-01T00:00:00.000Z',
      updated_at: '2025-01-01T00:00:00.000Z',
      resource_version: 1,
      ...over,
    };
  },
  /** A model's detail view with nothing placed, downloaded, cached or recorded yet. */
  modelDetail(over: Record<string, unknown> = {}) {
    return {
      ...fixtures.model(over),
      plan: null,
      endpoints: [],
      downloads: [],
      cache: [],
      events: [],
      stats: null,
    };
  },
  modelList(items: unknown[], counts: Record<string, number> = {}) {
    return { items, total: items.length, offset: 0, limit: 1000, counts };
  },
};
