import { parseBytes, parseEtcdEndpoints, parsePort, resolveBool, resolveOptional } from '../core/config.js';
import { RoutingPolicy } from '../core/domain/model.js';
import { parseDuration } from '../core/duration.js';
import { ConfigError } from '../core/errors.js';
import { maxSessionTtlFromEnv } from '../core/session-token.js';
import type { RouterOptionsInput } from './options.js';
import { upstreamFromEnv } from './table/static-upstreams.js';

/** `nebula router` flags as commander hands them over (strings; `auth`/`grpc` false with --no-auth/--no-grpc). */
export interface RouterCliFlags {
  etcd?: string;
  etcdNamespace?: string;
  port?: string;
  host?: string;
  grpcPort?: string;
  grpc?: boolean;
  tokensFile?: string;
  staticUpstreams?: string;
  upstreamUrl?: string;
  upstreamModel?: string;
  policy?: string;
  auth?: boolean;
  rateLimitRps?: string;
  rateLimitBurst?: string;
  maxBody?: string;
  maxRetries?: string;
  firstByteTimeout?: string;
  idleTimeout?: string;
  holdMax?: string;
  holdTimeout?: string;
  instanceId?: string;
  advertiseAddress?: string;
}

export interface RouterCliConfig {
  etcd: string[] | undefined;
  etcdNamespace: string | undefined;
  options: RouterOptionsInput;
}

function positiveNumber(raw: string | undefined, what: string): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new ConfigError(`${what}: "${raw}" is not a positive number`);
  return n;
}

function positiveInt(raw: string | undefined, what: string, min = 1): number | undefined {
  if (raw === undefined) return undefined;
  if (!/^[0-9]+$/.test(raw) || Number(raw) < min)
    throw new ConfigError(`${what}: "${raw}" is not an integer >= ${min}`);
  return Number(raw);
}

/** Flags, then NEBULA_* variables, then defaults (env injectable for tests). */
export function resolveRouterCli(
  flags: RouterCliFlags,
  env: NodeJS.ProcessEnv = process.env,
): RouterCliConfig {
  const etcdRaw = resolveOptional(flags.etcd, 'NEBULA_ETCD', env);
  const policyRaw = resolveOptional(flags.policy, 'NEBULA_ROUTER_POLICY', env);
  let policy: RoutingPolicy | undefined;
  if (policyRaw !== undefined) {
    const p = RoutingPolicy.safeParse(policyRaw);
    if (!p.success)
      throw new ConfigError(`--policy: "${policyRaw}" is not one of ${RoutingPolicy.options.join(', ')}`);
    policy = p.data;
  }
  const port = resolveOptional(flags.port, 'NEBULA_ROUTER_PORT', env);
  const grpcPort = resolveOptional(flags.grpcPort, 'NEBULA_ROUTER_GRPC_PORT', env);
  const grpcOn = flags.grpc !== false && resolveBool(undefined, 'NEBULA_ROUTER_GRPC', true, env);
  const noAuth = flags.auth === false || resolveBool(undefined, 'NEBULA_NO_AUTH', false, env);
  const maxBody = resolveOptional(flags.maxBody, 'NEBULA_ROUTER_MAX_BODY', env);
  const statics = upstreamFromEnv(
    resolveOptional(flags.upstreamUrl, 'NEBULA_UPSTREAM_URL', env),
    resolveOptional(flags.upstreamModel, 'NEBULA_UPSTREAM_MODEL', env),
  );
  const options: RouterOptionsInput = {
    host: resolveOptional(flags.host, 'NEBULA_ROUTER_HOST', env) ?? '0.0.0.0',
    port: port === undefined ? 8000 : parsePort(port, '--port'),
    grpcPort: grpcOn ? (grpcPort === undefined ? 8001 : parsePort(grpcPort, '--grpc-port')) : null,
    noAuth,
  };
  const tokensFile = resolveOptional(flags.tokensFile, 'NEBULA_TOKENS_FILE', env);
  if (tokensFile !== undefined) options.tokensFile = tokensFile;
  const staticFile = resolveOptional(flags.staticUpstreams, 'NEBULA_STATIC_UPSTREAMS', env);
  if (staticFile !== undefined) options.staticUpstreamsFile = staticFile;
  if (statics.length > 0) options.staticUpstreams = statics;
  if (policy !== undefined) options.policy = policy;
  const rps = positiveNumber(
    resolveOptional(flags.rateLimitRps, 'NEBULA_RATE_LIMIT_RPS', env),
    '--rate-limit-rps',
  );
  if (rps !== undefined) options.rateLimitRps = rps;
  const burst = positiveInt(
    resolveOptional(flags.rateLimitBurst, 'NEBULA_RATE_LIMIT_BURST', env),
    '--rate-limit-burst',
  );
  if (burst !== undefined) options.rateLimitBurst = burst;
  if (maxBody !== undefined) options.maxBodyBytes = parseBytes(maxBody);
  if (env['NEBULA_MAX_SESSION_TTL']) options.maxSessionTtlS = maxSessionTtlFromEnv(env);
  const retries = positiveInt(flags.maxRetries, '--max-retries', 0);
  if (retries !== undefined) options.maxRetries = retries;
  Object.assign(options, resolveProxyTimeouts(flags, env), resolveHold(flags, env));
  const instanceId = resolveOptional(flags.instanceId, 'NEBULA_ROUTER_INSTANCE_ID', env);
  if (instanceId !== undefined) options.instanceId = instanceId;
  const advertise = resolveOptional(flags.advertiseAddress, 'NEBULA_ROUTER_ADVERTISE_ADDRESS', env);
  if (advertise !== undefined) options.advertiseAddress = advertise;
  if (etcdRaw === undefined && statics.length === 0 && staticFile === undefined) {
    throw new ConfigError(
      'give --etcd (managed models) or --static-upstreams / NEBULA_UPSTREAM_URL (static engines)',
    );
  }
  return {
    etcd: etcdRaw === undefined ? undefined : parseEtcdEndpoints(etcdRaw),
    etcdNamespace: resolveOptional(flags.etcdNamespace, 'NEBULA_ETCD_NAMESPACE', env),
    options,
  };
}

/**
 * Router-wide proxy timeout defaults from `--first-byte-timeout` / `--idle-timeout` (durations), then
 * NEBULA_ROUTER_FIRST_BYTE_TIMEOUT / NEBULA_ROUTER_IDLE_TIMEOUT; shared by `nebula router` and `nebula up`.
 */
export function resolveProxyTimeouts(
  flags: { firstByteTimeout?: string | undefined; idleTimeout?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): { firstByteTimeoutMs?: number; idleTimeoutMs?: number } {
  const out: { firstByteTimeoutMs?: number; idleTimeoutMs?: number } = {};
  const fb = resolveOptional(flags.firstByteTimeout, 'NEBULA_ROUTER_FIRST_BYTE_TIMEOUT', env);
  if (fb !== undefined) out.firstByteTimeoutMs = positiveDuration(fb, '--first-byte-timeout');
  const idle = resolveOptional(flags.idleTimeout, 'NEBULA_ROUTER_IDLE_TIMEOUT', env);
  if (idle !== undefined) out.idleTimeoutMs = positiveDuration(idle, '--idle-timeout');
  return out;
}

/**
 * How requests for an idle (autoscaled) model are held while it wakes: `--hold-max` per model (0 = never
 * hold, answer 503 at once) and `--hold-timeout` each (env NEBULA_ROUTER_HOLD_MAX / _HOLD_TIMEOUT);
 * shared by `nebula router` and `nebula up`.
 */
export function resolveHold(
  flags: { holdMax?: string | undefined; holdTimeout?: string | undefined },
  env: NodeJS.ProcessEnv = process.env,
): { holdMax?: number; holdTimeoutMs?: number } {
  const out: { holdMax?: number; holdTimeoutMs?: number } = {};
  const max = positiveInt(resolveOptional(flags.holdMax, 'NEBULA_ROUTER_HOLD_MAX', env), '--hold-max', 0);
  if (max !== undefined) out.holdMax = max;
  const t = resolveOptional(flags.holdTimeout, 'NEBULA_ROUTER_HOLD_TIMEOUT', env);
  if (t !== undefined) out.holdTimeoutMs = positiveDuration(t, '--hold-timeout');
  return out;
}

function positiveDuration(raw: string, what: string): number {
  const ms = parseDuration(raw, what);
  if (ms < 1000) throw new ConfigError(`${what}: "${raw}" is shorter than 1s`);
  return ms;
}
