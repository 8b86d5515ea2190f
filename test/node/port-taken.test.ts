/**
 * A replica's port taken by a process Nebula did not start, after the scheduler chose it (the node had not
 * reported it yet): the node does not launch into it and does not call the replica failed; it reports the
 * port at once, the scheduler gives the replica another, and the engine starts there. With real processes:
 * the scheduler in-process, a real node agent launching engine-sim (dist/ must be built), one store.
 */
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/core/domain/index.js';
import { ModelDeployment, ModelSpec, NodeStatus } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import type { NodeAgentHandle } from '../../src/node/index.js';
import { deploymentFor } from '../../src/scheduler/fixtures.js';
import type { SchedulerHandle } from '../../src/scheduler/index.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import { getJson, putJson } from '../../src/store/json.js';
import type { Store, Watcher } from '../../src/store/types.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { readPlan, startTestScheduler } from '../scheduler/helpers.js';
import { simSpec } from './fixtures.js';
import { killEnginesOf } from './procs.js';
import { getEndpoint, recordEndpointHistory } from './store-helpers.js';
import { FAST_REPLICA_TIMING, startTestAgent } from './test-agent.js';

const BUILT = new URL('../../dist/cli/main.js', import.meta.url);
const UID = 'ptk';

function listen(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve(s));
  });
}

describe('node agent: a replica port taken by another process', () => {
  const dir = tempDir('nebula-port-taken-');
  let store: Store;
  let agent: NodeAgentHandle | undefined;
  let scheduler: SchedulerHandle | undefined;
  let watcher: Watcher | undefined;
  let history: Map<string, Endpoint[]>;
  let foreign: Server | undefined;
  let base = 0;

  beforeAll(async () => {
    if (!existsSync(BUILT)) throw new Error('dist/ is missing: run `npm run build` before this suite');
    store = await openEmbeddedStore({});
    ({ history, watcher } = await recordEndpointHistory(store));
    base = await freePort();
    agent = await startTestAgent(store, {
      nodeId: 'pn',
      dataDir: dir.path,
      portRange: { start: base, end: base + 20 },
      // Only the first status and the ones the agent publishes itself: the scheduler cannot learn of the
      // foreign listener from a periodic heartbeat during this test.
      heartbeatIntervalMs: 600_000,
      resyncIntervalMs: 2_000,
      timing: FAST_REPLICA_TIMING,
    });
    scheduler = await startTestScheduler(store);
    await waitFor(() => scheduler?.isLeader(), { what: 'leader', timeoutMs: 10_000 });
  });

  afterAll(async () => {
    await scheduler?.stop().catch(() => undefined);
    await agent?.stop().catch(() => undefined);
    killEnginesOf(dir.path);
    await new Promise((r) => (foreign ? foreign.close(r) : r(undefined)));
    await watcher?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    dir.cleanup();
  });

  it('moves the replica to another port instead of failing it', async () => {
    const status = (await getJson(store, keys.nodeStatus('pn'), NodeStatus))!.value;
    // The port the scheduler will pick (the lowest free one of the range, by what the node reported),
    // taken now, after that report.
    const reported = new Set([...status.ports_in_use, status.admin_port]);
    let target = base;
    while (reported.has(target)) target += 1;
    foreign = await listen(target);

    await putJson(store, keys.modelSpec(UID), ModelSpec, simSpec(UID));
    await putJson(store, keys.deployment(UID), ModelDeployment, deploymentFor(UID, { replicas: 1 }));

    const ready = await waitFor(
      async () => {
        const e = await getEndpoint(store, UID, 0);
        return e?.status === 'ready' ? e : undefined;
      },
      { timeoutMs: 30_000, what: () => `ready: ${JSON.stringify(history.get(`${UID}/0`))}` },
    );
    expect(ready.port).not.toBe(target);
    const seen = history.get(`${UID}/0`) ?? [];
    // It was first given the taken port (otherwise this test proved nothing), and was never called failed.
    expect(seen.some((e) => e.port === target)).toBe(true);
    expect(seen.map((e) => e.status)).not.toContain('failed');
    expect(seen.filter((e) => e.port === target).map((e) => e.status)).toContain('starting');
    // The node reported the port, and the plan names the new one.
    const after = (await getJson(store, keys.nodeStatus('pn'), NodeStatus))!.value;
    expect(after.ports_in_use).toContain(target);
    expect((await readPlan(store, UID))?.assignments[0]?.port).toBe(ready.port);
    const replica = agent!.replicas().find((r) => r.model_uid === UID);
    expect(replica).toMatchObject({ restarts: 0, phase: 'ready' });
  });
});
