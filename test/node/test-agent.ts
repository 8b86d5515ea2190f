/** Starting a real node agent in a suite: loopback, no GPUs, admin API on a free port, fast replica timings. */
import { silentLogger } from '../../src/core/logger.js';
import { startNodeAgent, type NodeAgentHandle, type NodeAgentOptions } from '../../src/node/index.js';
import type { Store } from '../../src/store/types.js';
import { freePort } from '../helpers/ports.js';

/**
 * Replica timings for suites on real engine-sim processes: quick probes and health checks, a 3 s stop
 * grace, a short drain settle, so a rollout or a drain takes seconds.
 */
export const FAST_REPLICA_TIMING = {
  stopGraceMs: 3_000,
  probeIntervalMs: 100,
  probeTimeoutMs: 500,
  healthIntervalMs: 300,
  drainSettleMs: 300,
  drainPollMs: 100,
} as const satisfies NodeAgentOptions['timing'];

/** Starts a node agent on `store` at 127.0.0.1 with `gpus: 'none'` and `adminPort: 0`; `o` adds the rest. */
export function startTestAgent(
  store: Store,
  o: Pick<NodeAgentOptions, 'nodeId' | 'dataDir'> & Partial<NodeAgentOptions>,
): Promise<NodeAgentHandle> {
  return startNodeAgent(
    { address: '127.0.0.1', gpus: 'none', adminPort: 0, ...o },
    { store, logger: silentLogger() },
  );
}

/**
 * A node for suites whose replicas are real engine-sim processes: {@link startTestAgent} on a span of `ports`
 * ports from a free one, {@link FAST_REPLICA_TIMING} (`timing` overrides some of it) and a 2 s resync.
 */
export async function startSimAgent(
  store: Store,
  o: Pick<NodeAgentOptions, 'nodeId' | 'dataDir'> & { ports?: number; timing?: NodeAgentOptions['timing'] },
): Promise<NodeAgentHandle> {
  const base = await freePort();
  return startTestAgent(store, {
    nodeId: o.nodeId,
    dataDir: o.dataDir,
    portRange: { start: base, end: base + (o.ports ?? 40) },
    resyncIntervalMs: 2_000,
    timing: { ...FAST_REPLICA_TIMING, ...o.timing },
  });
}
