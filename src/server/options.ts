import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Clock } from '../core/clock.js';
import type { ModelSource } from '../core/domain/index.js';
import type { Logger } from '../core/logger.js';
import type { Registry } from '../core/metrics.js';
import type { Dispatcher } from 'undici';
import { DEFAULT_HF_ENDPOINT, DEFAULT_MODELSCOPE_ENDPOINT } from '../hub/index.js';
import type { Store } from '../store/types.js';
import type { RateLimitConfig } from './auth/rate-limit.js';
import type { Tracing } from '../core/tracing.js';
import { maxSessionTtlFromEnv } from '../core/session-token.js';

/** Settings of the control API (flags and NEBULA_* variables are resolved by the CLI into these). */
export interface ServerOptions {
  /** Listen port (default 8080; 0 picks a free one). */
  port?: number;
  /** Listen address (default 0.0.0.0). */
  host?: string;
  /** Router base URL for /metrics and /healthz; when absent, the router registered in the store is used. */
  routerUrl?: string;
  /** Hugging Face base URL (default https://huggingface.co, env HF_ENDPOINT). */
  hfEndpoint?: string;
  /** ModelScope base URL (default https://modelscope.cn, env MODELSCOPE_ENDPOINT). */
  modelscopeEndpoint?: string;
  /** Where `admin.key` is written on first start. */
  dataDir?: string;
  /** Web console assets (default dist/web next to the build). */
  webDir?: string;
  /** Bearer token for node admin APIs (env NEBULA_NODE_TOKEN). */
  nodeToken?: string;
  /** JWT secret (env NEBULA_JWT_SECRET); generated once and kept in the store when absent. */
  jwtSecret?: string;
  /** Session lifetime (default 12 h, at most `maxSessionTtlSeconds`). */
  jwtTtlSeconds?: number;
  /**
   * Longest session accepted on verification (`exp - iat`), whatever a token says (env
   * NEBULA_MAX_SESSION_TTL, a duration such as 12h, or seconds; default 12 h). Routers read the same
   * variable.
   */
  maxSessionTtlSeconds?: number;
  /** Name of this instance in `/components/server/{id}` (default host-pid). */
  instanceId?: string;
  /** Per-principal limit (default 50/s, burst 200); false disables. */
  rateLimit?: RateLimitConfig | false;
  /**
   * Failed logins per source ip over all usernames (default 10 per minute, burst 10; addresses a user
   * logged in from before are exempt for that user); per-username and per-(username, ip) throttles come
   * with it (auth/login-throttle.ts). false disables all three.
   */
  loginRateLimit?: RateLimitConfig | false;
  /** Audit retention (default 30 days). */
  auditRetentionSeconds?: number;
  /** Create the first admin on an empty store (default true). */
  bootstrap?: boolean;
  adminUsername?: string;
  adminPassword?: string;
  /** Timeout of hub calls (default 10 s). */
  hubTimeoutMs?: number;
  /** Timeout of calls to the router and node admin APIs (default 5 s). */
  outboundTimeoutMs?: number;
  /** Trust X-Forwarded-For (only behind a proxy you run). */
  trustProxy?: boolean;
  /**
   * Serve list views from a watched in-memory copy of the store instead of listing it per request
   * (default: on in startServer, off in createApp, whose callers then need no cleanup).
   */
  viewCache?: boolean;
  /** Validate every response against its schema (tests). */
  validateResponses?: boolean;
  /** Environment for fallbacks (tests pass their own). */
  env?: NodeJS.ProcessEnv;
}

/** Injected dependencies, with defaults for everything but the store. */
export interface ServerDeps {
  store: Store;
  logger?: Logger;
  clock?: Clock;
  registry?: Registry;
  /** fetch for the router and node admin APIs. */
  fetch?: typeof fetch;
  /** undici dispatcher for hub calls (Hugging Face, ModelScope); the global one by default. */
  hubDispatcher?: Dispatcher;
  /** Asks the nodes to remove a model's cached files (implemented by the model-files cache manager). */
  purgeCache?: (modelName: string, source: ModelSource) => Promise<void>;
  /** OpenTelemetry spans of requests (default: none; see src/core/tracing.ts). */
  tracing?: Tracing;
}

export const DEFAULT_PORT = 8080;
export { DEFAULT_HF_ENDPOINT, DEFAULT_MODELSCOPE_ENDPOINT };

/** Default console directory: `web/` next to the compiled server (dist/web when built). */
export function defaultWebDir(): string {
  return join(dirname(fileURLToPath(import.meta.url)), '..', 'web');
}

export interface ResolvedOptions {
  routerUrl: string | undefined;
  hfEndpoint: string;
  modelscopeEndpoint: string;
  webDir: string;
  nodeToken: string | undefined;
  jwtSecret: string | undefined;
  jwtTtlSeconds: number;
  maxSessionTtlSeconds: number;
  rateLimit: RateLimitConfig | false;
  loginRateLimit: RateLimitConfig | false;
  auditRetentionSeconds: number;
  hubTimeoutMs: number;
  outboundTimeoutMs: number;
  trustProxy: boolean;
  validateResponses: boolean;
}

const nonEmpty = (v: string | undefined) => (v === undefined || v === '' ? undefined : v);


/** Applies environment fallbacks and defaults. */
export function resolveOptions(o: ServerOptions): ResolvedOptions {
  const env = o.env ?? process.env;
  const maxSessionTtlSeconds = o.maxSessionTtlSeconds ?? maxSessionTtlFromEnv(env);
  return {
    routerUrl: nonEmpty(o.routerUrl) ?? nonEmpty(env['NEBULA_ROUTER_URL']),
    hfEndpoint: (nonEmpty(o.hfEndpoint) ?? nonEmpty(env['HF_ENDPOINT']) ?? DEFAULT_HF_ENDPOINT).replace(
      /\/+$/,
      '',
    ),
    modelscopeEndpoint: (
      nonEmpty(o.modelscopeEndpoint) ??
      nonEmpty(env['MODELSCOPE_ENDPOINT']) ??
      DEFAULT_MODELSCOPE_ENDPOINT
    ).replace(/\/+$/, ''),
    webDir: nonEmpty(o.webDir) ?? nonEmpty(env['NEBULA_WEB_DIR']) ?? defaultWebDir(),
    nodeToken: nonEmpty(o.nodeToken) ?? nonEmpty(env['NEBULA_NODE_TOKEN']),
    jwtSecret: nonEmpty(o.jwtSecret) ?? nonEmpty(env['NEBULA_JWT_SECRET']),
    jwtTtlSeconds: Math.min(o.jwtTtlSeconds ?? 12 * 3600, maxSessionTtlSeconds),
    maxSessionTtlSeconds,
    rateLimit: o.rateLimit ?? { ratePerSecond: 50, burst: 200 },
    loginRateLimit: o.loginRateLimit ?? { ratePerSecond: 10 / 60, burst: 10 },
    auditRetentionSeconds: o.auditRetentionSeconds ?? 30 * 24 * 3600,
    hubTimeoutMs: o.hubTimeoutMs ?? 10_000,
    outboundTimeoutMs: o.outboundTimeoutMs ?? 5_000,
    trustProxy: o.trustProxy ?? false,
    validateResponses: o.validateResponses ?? false,
  };
}
