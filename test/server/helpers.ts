import { ApiKey, User, type Role } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { silentLogger } from '../../src/core/logger.js';
import { createApp, type NebulaApp } from '../../src/server/app.js';
import { generateApiKey } from '../../src/server/auth/api-keys.js';
import { bootstrapAdmin } from '../../src/server/auth/bootstrap.js';
import { hashPassword } from '../../src/server/auth/passwords.js';
import type { ServerDeps, ServerOptions } from '../../src/server/options.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { encode } from '../../src/store/json.js';
import type { Store } from '../../src/store/types.js';
import { startFakeHub, type FakeHub, type FakeHubOptions } from '../fake-hub/index.js';
import { NO_HUB } from '../helpers/no-hub.js';
import { forwardTo, useSuiteResource } from '../helpers/suite-resource.js';

export const PASSWORD = 'correct-horse-battery';
let hashed: Promise<string> | undefined;
/** One scrypt hash per test process: users share it (hashing is deliberately slow). */
export const passwordHash = () => (hashed ??= hashPassword(PASSWORD));

/** A response whose JSON is untyped (tests assert on shapes). */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TestResponse = Omit<Response, 'json'> & { json(): Promise<any> };

export interface TestApp {
  app: NebulaApp;
  store: Store;
  /** API keys per role (users `viewer`, `operator`, `admin`). */
  tokens: Record<Role, string>;
  /** In-process request with JSON helpers. */
  call(
    method: string,
    path: string,
    opts?: { token?: string | undefined; body?: unknown; headers?: Record<string, string> },
  ): Promise<TestResponse>;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  json<T = any>(
    method: string,
    path: string,
    opts?: { token?: string | undefined; body?: unknown; headers?: Record<string, string>; status?: number },
  ): Promise<T>;
  close(): Promise<void>;
}

/** Adds a user (shared password) and an API key of that role. */
export async function addUser(store: Store, username: string, role: Role): Promise<string> {
  const now = new Date().toISOString();
  await store.put(
    keys.user(username),
    encode(User, {
      username,
      password_hash: await passwordHash(),
      role,
      disabled: false,
      created_at: now,
      updated_at: now,
    }),
  );
  const k = generateApiKey({ name: `${username} key`, role, owner: username, nowMs: Date.now() });
  await store.put(keys.apiKey(k.record.id), encode(ApiKey, k.record));
  return k.key;
}

export async function makeApp(options: ServerOptions = {}, deps: Partial<ServerDeps> = {}): Promise<TestApp> {
  const store = deps.store ?? (await openEmbeddedStore({}));
  const boot = await bootstrapAdmin(store, { password: PASSWORD });
  const app = await createApp(
    { logger: silentLogger(), ...deps, store },
    {
      rateLimit: false,
      loginRateLimit: false,
      validateResponses: true,
      webDir: '/nonexistent-web-dir',
      env: {},
      // Tests never reach a real hub (see test/helpers/no-hub.ts); suites with a fake hub pass its URL.
      hfEndpoint: NO_HUB,
      modelscopeEndpoint: NO_HUB,
      ...options,
    },
  );
  const tokens: Record<Role, string> = {
    admin: boot.apiKey ?? '',
    operator: await addUser(store, 'operator', 'operator'),
    viewer: await addUser(store, 'viewer', 'viewer'),
  };
  const call: TestApp['call'] = (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers['authorization'] = `Bearer ${opts.token}`;
    let body: string | undefined;
    if (opts.body !== undefined) {
      headers['content-type'] ??= 'application/json';
      body = typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
    }
    return Promise.resolve(
      app.request(path, body === undefined ? { method, headers } : { method, headers, body }),
    );
  };
  const json: TestApp['json'] = async (method, path, opts = {}) => {
    const res = await call(method, path, opts);
    const text = await res.text();
    const want = opts.status ?? (method === 'POST' ? [200, 201] : [200]);
    const ok = Array.isArray(want) ? want.includes(res.status) : res.status === want;
    if (!ok) throw new Error(`${method} ${path}: HTTP ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  const close = async () => {
    await app.context.views.stop();
    await store.close();
  };
  return { app, store, tokens, call, json, close };
}

/**
 * The app of a describe block: made before its tests, closed after them. Call it inside `describe`; the
 * handle it returns works only inside hooks and tests. `options` and `deps` may be thunks, evaluated when
 * the app is made (after the hooks registered before this call, e.g. a fake hub's start).
 */
export function useApp(
  options: ServerOptions | (() => ServerOptions) = {},
  deps: Partial<ServerDeps> | (() => Partial<ServerDeps>) = {},
): TestApp {
  const running = useSuiteResource(
    'the app',
    () =>
      makeApp(
        typeof options === 'function' ? options() : options,
        typeof deps === 'function' ? deps() : deps,
      ),
    (app) => app.close(),
  );
  return forwardTo(running);
}

/**
 * A fake hub for the describe block (started before its tests, stopped after them) and the block's app
 * (`useApp`) with both hubs pointed at it. Call it inside `describe`; the handles work only inside hooks
 * and tests.
 */
export function useHubApp(hubOptions: FakeHubOptions = {}): { hub: FakeHub; t: TestApp } {
  const running = useSuiteResource(
    'the fake hub',
    () => startFakeHub(hubOptions),
    (started) => started.stop(),
  );
  const hub = forwardTo(running);
  // Registered after the hub's hooks: made once the hub runs, closed before it stops.
  const t = useApp(() => ({ hfEndpoint: hub.url, modelscopeEndpoint: hub.url, hubTimeoutMs: 3000 }));
  return { hub, t };
}

/** Creates model `uid` (Qwen2.5-7B-Instruct from Hugging Face on vLLM, plus `extra`) as the operator. */
export const createModel = (t: TestApp, uid: string, extra: Record<string, unknown> = {}) =>
  t.json('POST', '/api/v2/models', {
    token: t.tokens.operator,
    body: {
      model_uid: uid,
      model_name: 'Qwen/Qwen2.5-7B-Instruct',
      model_source: 'huggingface',
      engine_type: 'vllm',
      ...extra,
    },
  });
