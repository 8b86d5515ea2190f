import { homedir, hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { readFileSync } from 'node:fs';
import {
  parseEtcdEndpoints,
  parsePortRange,
  resolveBool,
  resolveOption,
  resolveOptional,
  resolvePort,
} from '../core/config.js';
import { Labels } from '../core/domain/index.js';
import { durationMs, parseDuration } from '../core/duration.js';
import { NODE_ID_PATTERN } from '../core/ids.js';
import type { NodeAgentOptions } from './agent.js';
import { resolveEngineBins } from './detect/index.js';
import { DEFAULT_BACKOFF, type RestartBackoffPolicy } from './replica/index.js';
import { NodeConfigError } from './errors.js';
import { parseGpuMode } from './gpu/index.js';

/** Flags of `nebula node` as commander hands them over (strings). */
export interface NodeCliFlags {
  etcd?: string;
  etcdNamespace?: string;
  nodeId?: string;
  address?: string;
  gpus?: string;
  portRange?: string;
  dataDir?: string;
  cacheDir?: string;
  adminPort?: string;
  adminHost?: string;
  adminTokenFile?: string;
  labels?: string;
  keepEngines?: boolean;
  /** Old spelling of --restart-backoff-initial, in milliseconds (kept working). */
  restartBackoffMs?: string;
  restartBackoffInitial?: string;
  restartBackoffMax?: string;
  restartBackoffReset?: string;
  stopGraceMs?: string;
  /** How long a retiring replica is published `draining` before its in-flight requests are counted. */
  drainSettleMs?: string;
  /** `--engine-bin TYPE=PATH`, repeatable. */
  engineBin?: string[];
  cacheEvict?: string;
  orphanGrace?: string;
}

export interface NodeCliConfig {
  etcd: string[];
  etcdNamespace: string | undefined;
  keepEnginesOnExit: boolean;
  agent: NodeAgentOptions;
}

/** Parses `k=v,k2=v2` into validated labels. */
export function parseLabels(raw: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const pair of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new NodeConfigError(`--labels: "${pair}" must look like key=value`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  const parsed = Labels.safeParse(out);
  if (!parsed.success) throw new NodeConfigError(`--labels: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
  return parsed.data;
}

/** Longest value of a `-ms` flag (under a million seconds, as the old 9-digit limit had it). */
const MAX_MS_FLAG = 999_999_999;

/**
 * A flag spelled in milliseconds (`--stop-grace-ms`): any duration (`2s`, `1m30s`), or a bare number that
 * keeps its old unit, milliseconds.
 */
function msDuration(raw: string | undefined, what: string): number | undefined {
  if (raw === undefined) return undefined;
  const ms = durationMs(raw, 'ms');
  if (ms === undefined)
    throw new NodeConfigError(`${what}: "${raw}" is not a duration (e.g. 5000 for ms, 5s, 1m30s)`);
  if (ms > MAX_MS_FLAG) throw new NodeConfigError(`${what}: "${raw}" is longer than ${MAX_MS_FLAG} ms`);
  return ms;
}

/** Values of `--cache-evict` (env NEBULA_CACHE_EVICT). */
export const CACHE_EVICT_POLICIES = ['off', 'lru'] as const;

/**
 * `--cache-evict off|lru` (env NEBULA_CACHE_EVICT, default off) as the cache manager's `evictLru`: with
 * `lru`, when the cache disk is critical (>= 95 %) unreferenced models are deleted, least recently used
 * first, until usage is below the warning level. Shared by `nebula node` and `nebula up`.
 */
export function resolveCacheEvict(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): boolean {
  const raw = resolveOptional(flag, 'NEBULA_CACHE_EVICT', env);
  if (raw === undefined) return false;
  const v = raw.trim().toLowerCase();
  if (v === 'lru') return true;
  if (v === 'off' || v === 'none') return false;
  throw new NodeConfigError(`--cache-evict: "${raw}" is not one of ${CACHE_EVICT_POLICIES.join(', ')}`);
}

/** A hostname as a node id: invalid characters become '-', trimmed to 63. */
export function defaultNodeId(host = hostname()): string {
  const id = host
    .replace(/[^A-Za-z0-9._-]/g, '-')
    .replace(/^[^A-Za-z0-9]+/, '')
    .slice(0, 63);
  return id || 'node';
}

/** Resolves `nebula node` flags: flag > NEBULA_* environment variable > default. */
export function resolveNodeCliConfig(
  flags: NodeCliFlags,
  env: NodeJS.ProcessEnv = process.env,
): NodeCliConfig {
  const etcdRaw = resolveOptional(flags.etcd, 'NEBULA_ETCD', env);
  if (!etcdRaw)
    throw new NodeConfigError('--etcd is required (or NEBULA_ETCD), e.g. --etcd http://127.0.0.1:2379');
  const nodeId = resolveOption(flags.nodeId, 'NEBULA_NODE_ID', defaultNodeId(), env);
  if (!NODE_ID_PATTERN.test(nodeId)) {
    throw new NodeConfigError(`--node-id "${nodeId}": 1-63 letters, digits, ".", "_" or "-"`);
  }
  const address = resolveOption(flags.address, 'NEBULA_NODE_ADDRESS', '127.0.0.1', env);
  if (!/^[A-Za-z0-9.:[\]-]{1,253}$/.test(address))
    throw new NodeConfigError(`--address "${address}" is not a host`);
  const gpus = resolveOption(flags.gpus, 'NEBULA_GPUS', 'auto', env);
  parseGpuMode(gpus); // fail fast with the flag's own message
  const dataDir = resolve(
    resolveOption(flags.dataDir, 'NEBULA_DATA_DIR', join(homedir(), '.nebula', 'node'), env),
  );
  const cacheDir = resolveOptional(flags.cacheDir, 'NEBULA_CACHE_DIR', env);
  const tokenFile = resolveOptional(flags.adminTokenFile, 'NEBULA_NODE_TOKEN_FILE', env);
  let adminToken = resolveOptional(undefined, 'NEBULA_NODE_TOKEN', env);
  if (tokenFile) {
    try {
      adminToken = readFileSync(tokenFile, 'utf8').trim();
    } catch (err) {
      throw new NodeConfigError(`--admin-token-file: cannot read ${tokenFile}: ${(err as Error).message}`);
    }
    if (!adminToken) throw new NodeConfigError(`--admin-token-file: ${tokenFile} is empty`);
  }
  const backoff = resolveRestartBackoff(flags, env);
  const grace = msDuration(
    resolveOptional(flags.stopGraceMs, 'NEBULA_NODE_STOP_GRACE_MS', env),
    '--stop-grace-ms',
  );
  const settle = msDuration(
    resolveOptional(flags.drainSettleMs, 'NEBULA_NODE_DRAIN_SETTLE_MS', env),
    '--drain-settle-ms',
  );
  const agent: NodeAgentOptions = {
    nodeId,
    address,
    dataDir,
    gpus,
    portRange: parsePortRange(resolveOption(flags.portRange, 'NEBULA_PORT_RANGE', '40000-40999', env)),
    adminPort: resolvePort(flags.adminPort, 'NEBULA_NODE_ADMIN_PORT', 9092, env),
    labels: parseLabels(resolveOption(flags.labels, 'NEBULA_NODE_LABELS', '', env)),
  };
  if (cacheDir) agent.cacheDir = resolve(cacheDir);
  const engineBins = resolveEngineBins(flags.engineBin, env);
  if (Object.keys(engineBins).length > 0) agent.engineBins = engineBins;
  agent.evictLru = resolveCacheEvict(flags.cacheEvict, env);
  const adminHost = resolveOptional(flags.adminHost, 'NEBULA_NODE_ADMIN_HOST', env);
  if (adminHost) agent.adminHost = adminHost;
  if (adminToken) agent.adminToken = adminToken;
  if (backoff !== undefined || grace !== undefined || settle !== undefined) {
    agent.timing = {};
    if (backoff !== undefined) agent.timing.backoff = backoff;
    if (grace !== undefined) agent.timing.stopGraceMs = grace;
    if (settle !== undefined) agent.timing.drainSettleMs = settle;
  }
  const orphanGrace = resolveOptional(flags.orphanGrace, 'NEBULA_NODE_ORPHAN_GRACE', env);
  if (orphanGrace !== undefined) agent.orphanGraceMs = parseDuration(orphanGrace, '--orphan-grace');
  return {
    etcd: parseEtcdEndpoints(etcdRaw),
    etcdNamespace: resolveOptional(flags.etcdNamespace, 'NEBULA_ETCD_NAMESPACE', env),
    keepEnginesOnExit: resolveBool(flags.keepEngines, 'NEBULA_NODE_KEEP_ENGINES', false, env),
    agent,
  };
}

/** The restart backoff flags, shared by `nebula node` and `nebula up`. */
export interface RestartBackoffFlags {
  restartBackoffMs?: string | undefined;
  restartBackoffInitial?: string | undefined;
  restartBackoffMax?: string | undefined;
  restartBackoffReset?: string | undefined;
}

/**
 * Restart backoff from flags, then NEBULA_NODE_RESTART_BACKOFF_{INITIAL,MAX,RESET} (durations: 10s, 5m),
 * then the defaults (first restart at once, then 10 s doubling to 5 min, reset after 10 min healthy).
 * `--restart-backoff-ms` (NEBULA_NODE_RESTART_BACKOFF_MS) is the old spelling of the initial delay (a bare
 * number is milliseconds there; durations work too).
 * Undefined when nothing is set.
 */
export function resolveRestartBackoff(
  flags: RestartBackoffFlags,
  env: NodeJS.ProcessEnv = process.env,
): RestartBackoffPolicy | undefined {
  const initialRaw = resolveOptional(flags.restartBackoffInitial, 'NEBULA_NODE_RESTART_BACKOFF_INITIAL', env);
  const legacy = msDuration(
    resolveOptional(flags.restartBackoffMs, 'NEBULA_NODE_RESTART_BACKOFF_MS', env),
    '--restart-backoff-ms',
  );
  const maxRaw = resolveOptional(flags.restartBackoffMax, 'NEBULA_NODE_RESTART_BACKOFF_MAX', env);
  const resetRaw = resolveOptional(flags.restartBackoffReset, 'NEBULA_NODE_RESTART_BACKOFF_RESET', env);
  if (initialRaw === undefined && legacy === undefined && maxRaw === undefined && resetRaw === undefined)
    return undefined;
  const initialMs =
    initialRaw !== undefined
      ? parseDuration(initialRaw, '--restart-backoff-initial')
      : (legacy ?? DEFAULT_BACKOFF.initialMs);
  // Given only the initial delay (the old flag), the cap stays 5 min unless that is smaller.
  const maxMs =
    maxRaw !== undefined
      ? parseDuration(maxRaw, '--restart-backoff-max')
      : Math.max(initialMs, DEFAULT_BACKOFF.maxMs);
  const resetAfterMs =
    resetRaw !== undefined
      ? parseDuration(resetRaw, '--restart-backoff-reset')
      : DEFAULT_BACKOFF.resetAfterMs;
  if (initialMs <= 0) throw new NodeConfigError('--restart-backoff-initial: must be more than 0');
  if (maxMs < initialMs)
    throw new NodeConfigError(
      `--restart-backoff-max: ${maxMs} ms is less than --restart-backoff-initial (${initialMs} ms)`,
    );
  if (resetAfterMs <= 0) throw new NodeConfigError('--restart-backoff-reset: must be more than 0');
  return { initialMs, maxMs, resetAfterMs };
}
