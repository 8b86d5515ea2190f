/**
 * `startScheduler(options, deps)`: the programmatic entry of `nebula scheduler` (and of `nebula up`).
 * Registers the component under a lease, runs the informers, campaigns for leadership, reconciles while
 * leading, and serves /healthz and /metrics.
 */
import { hostname } from 'node:os';
import { z } from 'zod';
import { systemClock, type Clock, type TimerHandle } from '../core/clock.js';
import { ComponentStatus } from '../core/domain/node.js';
import { errorMessage } from '../core/errors.js';
import { keys } from '../core/keys.js';
import { createLogger, type Logger } from '../core/logger.js';
import { createMetricsRegistry, type Registry } from '../core/metrics.js';
import { nebulaVersion } from '../core/version.js';
import { EventRecorder } from '../store/events.js';
import { encode } from '../store/json.js';
import { LeaseKeeper } from '../store/lease-keeper.js';
import type { Store } from '../store/types.js';
import { Autoscaler, createAutoscalerMetrics } from './autoscale/index.js';
import { SchedulerController } from './loop/index.js';
import { SchedulerConfigError } from './errors.js';
import { startHttp } from './http.js';
import { LeaderElector } from './leader.js';
import { createSchedulerMetrics } from './metrics.js';

export const SchedulerOptions = z.object({
  /** etcd client URLs, used when deps.store is not given. */
  etcd: z.array(z.string().min(1)).optional(),
  /** Key prefix inside etcd (tests share one etcd). */
  etcdNamespace: z.string().optional(),
  instanceId: z
    .string()
    .regex(/^[A-Za-z0-9._-]{1,128}$/, 'instance id: 1-128 letters, digits, ".", "_" or "-"')
    .optional(),
  /** A node's lease gone longer than this -> its replicas are re-placed. */
  gracePeriodMs: z.number().int().min(0).max(86_400_000).default(50_000),
  /** 0 = a random free port. */
  metricsPort: z.number().int().min(0).max(65535).default(9091),
  host: z.string().min(1).default('0.0.0.0'),
  /** TTL of the registration and leadership lease. */
  leaseTtlSeconds: z.number().int().min(1).max(300).default(10),
  debounceMs: z.number().int().min(0).max(10_000).default(20),
  writeConcurrency: z.number().int().min(1).max(1024).default(64),
  fullResyncMs: z.number().int().min(0).default(60_000),
  /** Events retention (seconds); default the EventRecorder's. */
  eventRetentionSeconds: z.number().int().min(60).optional(),
  /** How often the autoscaler decides (0 turns it off). */
  autoscaleIntervalMs: z.number().int().min(0).max(600_000).default(2_000),
});
export type SchedulerOptions = z.input<typeof SchedulerOptions>;

export interface SchedulerDeps {
  store?: Store;
  logger?: Logger;
  clock?: Clock;
  registry?: Registry;
}

export interface SchedulerHandle {
  /** Stops; `revoke: false` leaves the lease to expire (as a crash would). */
  stop(opts?: { revoke?: boolean }): Promise<void>;
  isLeader(): boolean;
  metricsPort: number;
  instanceId: string;
  /** The control loop (tests and benchmarks wait on it). */
  controller: SchedulerController;
}

function defaultInstanceId(): string {
  return `${hostname()}-${process.pid}`.replace(/[^A-Za-z0-9._-]/g, '-').slice(0, 128);
}

export async function startScheduler(
  options: SchedulerOptions,
  deps: SchedulerDeps = {},
): Promise<SchedulerHandle> {
  const parsed = SchedulerOptions.safeParse(options);
  if (!parsed.success)
    throw new SchedulerConfigError(parsed.error.issues[0]?.message ?? 'invalid scheduler options');
  const o = parsed.data;
  const instanceId = o.instanceId ?? defaultInstanceId();
  const clock = deps.clock ?? systemClock;
  const logger = (deps.logger ?? createLogger({ component: 'scheduler' })).child({ instance: instanceId });

  let store = deps.store;
  const ownStore = store === undefined;
  if (!store) {
    if (!o.etcd || o.etcd.length === 0)
      throw new SchedulerConfigError('scheduler needs --etcd URLs (or a store)');
    const { openEtcdStore } = await import('../store/etcd/index.js');
    store = await openEtcdStore({
      endpoints: o.etcd,
      logger,
      ...(o.etcdNamespace ? { namespace: o.etcdNamespace } : {}),
    });
  }
  const s = store;
  const registry = deps.registry ?? createMetricsRegistry({ role: 'scheduler' });
  const metrics = createSchedulerMetrics(registry);
  metrics.isLeader.set(0);

  let elector: LeaderElector | undefined;
  const recorder = new EventRecorder(s, {
    clock,
    ...(o.eventRetentionSeconds ? { retentionSeconds: o.eventRetentionSeconds } : {}),
  });
  const controller = new SchedulerController(
    {
      graceMs: o.gracePeriodMs,
      debounceMs: o.debounceMs,
      writeConcurrency: o.writeConcurrency,
      fullResyncMs: o.fullResyncMs,
    },
    {
      store: s,
      clock,
      logger,
      metrics,
      recorder,
      fence: () => (elector?.isLeader ? elector.fence() : undefined),
      onWriteRefused: () => elector?.check(),
    },
  );

  const cleanups: (() => Promise<void>)[] = [];
  const cleanup = async () => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
    if (ownStore) await s.close().catch(() => undefined);
  };
  try {
    const http = await startHttp({
      host: o.host,
      port: o.metricsPort,
      registry,
      health: () => ({
        leader: elector?.isLeader ?? false,
        instance_id: instanceId,
        synced: controller.view.synced,
      }),
    });
    cleanups.push(() => http.close());

    const startedAt = new Date(clock.now()).toISOString();
    const register = async (leaseId: string) => {
      const status: ComponentStatus = {
        role: 'scheduler',
        instance_id: instanceId,
        address: o.host,
        port: http.port,
        metrics_url: `http://${o.host === '0.0.0.0' ? hostname() : o.host}:${http.port}/metrics`,
        version: nebulaVersion(),
        started_at: startedAt,
        heartbeat_at: new Date(clock.now()).toISOString(),
      };
      await s.put(keys.component('scheduler', instanceId), encode(ComponentStatus, status), {
        lease: leaseId,
      });
    };
    let revoke = true;
    const lease = new LeaseKeeper(s, {
      ttlSeconds: o.leaseTtlSeconds,
      clock,
      logger,
      onRenewedAfterLoss: async (leaseId) => {
        await register(leaseId).catch((err: unknown) =>
          logger.warn({ err: errorMessage(err) }, 'could not re-register'),
        );
        elector?.check();
      },
    });
    const leaseId = await lease.start();
    cleanups.push(() => lease.stop(revoke));
    await register(leaseId);
    let heartbeat: TimerHandle | undefined;
    const beat = () => {
      heartbeat = clock.setTimeout(() => {
        register(lease.id).catch((err: unknown) =>
          logger.debug({ err: errorMessage(err) }, 'heartbeat failed'),
        );
        beat();
      }, 15_000);
    };
    beat();
    cleanups.push(async () => {
      if (heartbeat) clock.clearTimeout(heartbeat);
    });

    await controller.start();
    cleanups.push(() => controller.stop());

    /**
     * Leads `name` on this instance's lease: the loop runs only while leading and the gauge says so. `bind`
     * sees the elector before it starts, so the loop's fence can read it from its first election on.
     */
    const lead = async (
      name: string,
      loop: { activate(): void; deactivate(): void },
      gauge: { set(value: number): void },
      bind: (el: LeaderElector) => void,
    ): Promise<LeaderElector> => {
      const el = new LeaderElector(s, {
        name,
        instanceId,
        leaseId: () => lease.id,
        checkEveryMs: Math.max(500, (o.leaseTtlSeconds * 1000) / 3),
        clock,
        logger,
        onElected: () => {
          gauge.set(1);
          loop.activate();
        },
        onDeposed: () => {
          gauge.set(0);
          loop.deactivate();
        },
      });
      bind(el);
      await el.start();
      cleanups.push(async () => {
        loop.deactivate();
        await el.stop(revoke);
      });
      return el;
    };
    const e = await lead('scheduler', controller, metrics.isLeader, (el) => (elector = el));

    // The autoscaler leads on its own lease name: it may run on another instance than the scheduler.
    if (o.autoscaleIntervalMs > 0) {
      const asMetrics = createAutoscalerMetrics(registry);
      // Filled once the elector exists (it needs the autoscaler, the autoscaler's writes need its fence).
      const asLead: { elector?: LeaderElector } = {};
      const autoscaler = new Autoscaler(
        { intervalMs: o.autoscaleIntervalMs, statusEveryMs: 10_000 },
        {
          store: s,
          view: controller.view,
          recorder,
          fence: () => (asLead.elector?.isLeader ? asLead.elector.fence() : undefined),
          clock,
          logger: logger.child({ loop: 'autoscaler' }),
          metrics: asMetrics,
        },
      );
      await autoscaler.start();
      cleanups.push(() => autoscaler.stop());
      await lead('autoscaler', autoscaler, asMetrics.isLeader, (el) => (asLead.elector = el));
    }
    logger.info({ port: http.port, store: s.kind }, 'scheduler started');

    let stopping: Promise<void> | undefined;
    return {
      stop: (opts) => {
        revoke = opts?.revoke ?? true;
        stopping ??= cleanup().then(() => {
          metrics.isLeader.set(0);
          logger.info('scheduler stopped');
        });
        return stopping;
      },
      isLeader: () => e.isLeader,
      metricsPort: http.port,
      instanceId,
      controller,
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
