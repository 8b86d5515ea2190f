/** `nebula scheduler` flags -> SchedulerOptions: flag, then NEBULA_* variable, then default. */
import { parseEtcdEndpoints, parsePort, resolveOptional } from '../core/config.js';
import { parseDuration } from '../core/duration.js';
import { ConfigError } from '../core/errors.js';
import type { SchedulerOptions } from './start.js';

export interface SchedulerCliFlags {
  etcd?: string;
  etcdNamespace?: string;
  instanceId?: string;
  metricsPort?: string;
  host?: string;
  gracePeriod?: string;
  leaseTtl?: string;
}

/** One duration grammar for every flag (src/core/duration.ts). */
export { parseDuration } from '../core/duration.js';

export function resolveSchedulerCli(
  flags: SchedulerCliFlags,
  env: NodeJS.ProcessEnv = process.env,
): SchedulerOptions {
  const etcd = resolveOptional(flags.etcd, 'NEBULA_ETCD', env);
  if (etcd === undefined)
    throw new ConfigError('--etcd (or NEBULA_ETCD) is required: the scheduler runs against etcd');
  const opts: SchedulerOptions = { etcd: parseEtcdEndpoints(etcd) };
  const ns = resolveOptional(flags.etcdNamespace, 'NEBULA_ETCD_NAMESPACE', env);
  if (ns !== undefined) opts.etcdNamespace = ns;
  const id = resolveOptional(flags.instanceId, 'NEBULA_SCHEDULER_INSTANCE_ID', env);
  if (id !== undefined) {
    if (!/^[A-Za-z0-9._-]{1,128}$/.test(id))
      throw new ConfigError(`--instance-id: "${id}" must be 1-128 letters, digits, ".", "_" or "-"`);
    opts.instanceId = id;
  }
  const port = resolveOptional(flags.metricsPort, 'NEBULA_SCHEDULER_METRICS_PORT', env);
  if (port !== undefined) opts.metricsPort = parsePort(port, '--metrics-port');
  const host = resolveOptional(flags.host, 'NEBULA_SCHEDULER_HOST', env);
  if (host !== undefined) opts.host = host;
  const grace = resolveOptional(flags.gracePeriod, 'NEBULA_SCHEDULER_GRACE_PERIOD', env);
  if (grace !== undefined) opts.gracePeriodMs = parseDuration(grace, '--grace-period');
  const ttl = resolveOptional(flags.leaseTtl, 'NEBULA_SCHEDULER_LEASE_TTL', env);
  if (ttl !== undefined) {
    const s = Math.round(parseDuration(ttl, '--lease-ttl') / 1000);
    if (s < 1 || s > 300) throw new ConfigError(`--lease-ttl: "${ttl}" must be between 1s and 300s`);
    opts.leaseTtlSeconds = s;
  }
  return opts;
}
