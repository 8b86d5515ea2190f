/** Fake nodes (leased status keys with simulated GPUs) and store shortcuts for the scheduler suites. */
import { ModelDeployment, ModelSpec } from '../../src/core/domain/model.js';
import { NodeStatus } from '../../src/core/domain/node.js';
import { PlacementPlan } from '../../src/core/domain/placement.js';
import { keys } from '../../src/core/keys.js';
import type { Clock } from '../../src/core/clock.js';
import { silentLogger } from '../../src/core/logger.js';
import { deploymentFor, simNodeStatus, specFor, type SimNodeOptions } from '../../src/scheduler/fixtures.js';
import { startScheduler, type SchedulerHandle, type SchedulerOptions } from '../../src/scheduler/index.js';
import { getJson, putJson } from '../../src/store/json.js';
import { LeaseKeeper } from '../../src/store/lease-keeper.js';
import type { Store } from '../../src/store/types.js';

export interface FakeNode {
  id: string;
  /** The node "dies": its lease is revoked, so its status key vanishes at once. */
  kill(): Promise<void>;
}

/** Registers a node status under a kept-alive lease, as the node agent does. */
export async function fakeNode(
  store: Store,
  id: string,
  o: SimNodeOptions = {},
  ttlSeconds = 2,
): Promise<FakeNode> {
  const keeper = new LeaseKeeper(store, { ttlSeconds, logger: silentLogger() });
  const lease = await keeper.start();
  await putJson(store, keys.nodeStatus(id), NodeStatus, simNodeStatus(id, o), { lease });
  return { id, kill: () => keeper.stop(true) };
}

export async function deploy(
  store: Store,
  uid: string,
  d: Partial<ModelDeployment> = {},
  s: Parameters<typeof specFor>[1] = {},
): Promise<void> {
  await putJson(store, keys.modelSpec(uid), ModelSpec, specFor(uid, s));
  await putJson(store, keys.deployment(uid), ModelDeployment, deploymentFor(uid, d));
}

export async function readPlan(store: Store, uid: string): Promise<PlacementPlan | undefined> {
  return (await getJson(store, keys.placement(uid), PlacementPlan))?.value;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a scheduler instance on `store` with the suites' fast settings (2 s lease, 1 s grace, 10 ms
 * debounce, metrics on a free port); `o` overrides them.
 */
export function startTestScheduler(
  store: Store,
  o: Partial<SchedulerOptions> = {},
  clock?: Clock,
): Promise<SchedulerHandle> {
  return startScheduler(
    {
      instanceId: 's',
      metricsPort: 0,
      host: '127.0.0.1',
      leaseTtlSeconds: 2,
      gracePeriodMs: 1000,
      debounceMs: 10,
      ...o,
    },
    { store, logger: silentLogger(), ...(clock ? { clock } : {}) },
  );
}
