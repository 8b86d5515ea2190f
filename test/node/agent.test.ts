import { existsSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GIB } from '../../src/core/domain/index.js';
import { ModelEvent } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { listJson } from '../../src/store/json.js';
import { silentLogger } from '../../src/core/logger.js';
import { startNodeAgent, type NodeAgentHandle } from '../../src/node/index.js';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import type { Store, Watcher } from '../../src/store/types.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { JumpClock } from '../helpers/jump-clock.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { assignment, plan, simSpec } from './fixtures.js';
import { engineSimPids, enginesOfDataDir, isAlive, killEnginesOf } from './procs.js';
import { getEndpoint, getNodeStatus, putPlan, recordEndpointHistory } from './store-helpers.js';

const BUILT = new URL('../../dist/cli/main.js', import.meta.url);

/**
 * The node agent in-process against a real etcd, launching real `nebula engine-sim` processes (build first:
 * `npm run build`). Placements are written directly, as the scheduler would.
 */
describe('node agent (in-process, real etcd, real engines)', () => {
  let etcd: EtcdProcess;
  let store: Store;
  let agent: NodeAgentHandle | undefined;
  let watcher: Watcher | undefined;
  const dir = tempDir('nebula-node-');
  let history: Map<string, import('../../src/core/domain/index.js').Endpoint[]>;
  const spec = simSpec('chat-a', {
    served_model_name: 'chat-a-served',
    engine_config: { extra_args: ['--ttft-ms', '0'], env: {} },
  });
  let p0 = 0;
  let p1 = 0;
  let foreign = 0;
  let foreignServer: Server | undefined;
  // The agent's clock: real time, moved ahead where a test checks that nothing happens for a while.
  const clock = new JumpClock();
  const options = () => ({
    nodeId: 'n1',
    address: '127.0.0.1',
    dataDir: dir.path,
    gpus: 'sim:2x80GiB',
    portRange: { start: Math.min(p0, p1, foreign), end: Math.max(p0, p1, foreign) },
    adminPort: 0,
    labels: { zone: 'test' },
    heartbeatIntervalMs: 500,
    resyncIntervalMs: 2_000,
    timing: {
      backoff: { initialMs: 200, maxMs: 1_000, resetAfterMs: 60_000 },
      stopGraceMs: 1_000,
      probeIntervalMs: 100,
      probeTimeoutMs: 300,
      healthIntervalMs: 300,
    },
  });

  beforeAll(async () => {
    if (!existsSync(BUILT))
      throw new Error('dist/ is missing: run `npm run build` before the node integration tests');
    etcd = await startEtcd();
    store = await openEtcdStore({ endpoints: [etcd.endpoint], namespace: '/node-it' });
    p0 = await freePort();
    p1 = await freePort();
    ({ history, watcher } = await recordEndpointHistory(store));
    foreign = await freePort();
    agent = await startNodeAgent(options(), { store, logger: silentLogger(), clock });
  });

  afterAll(async () => {
    await agent?.stop().catch(() => undefined);
    killEnginesOf(dir.path);
    foreignServer?.close();
    await watcher?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    await etcd?.destroy();
    dir.cleanup();
  });

  const ready = (rid: number) =>
    waitFor(
      async () => {
        const ep = await getEndpoint(store, 'chat-a', rid);
        return ep?.status === 'ready' ? ep : undefined;
      },
      { timeoutMs: 30_000, what: `replica ${rid} ready` },
    );

  it('publishes its status with simulated GPUs, labels and admin port', async () => {
    const st = await getNodeStatus(store, 'n1');
    expect(st).toMatchObject({
      node_id: 'n1',
      address: '127.0.0.1',
      admin_port: agent!.adminPort,
      gpu_source: 'simulated',
      labels: { zone: 'test' },
    });
    expect(st?.gpus.map((g) => g.memory_total_bytes)).toEqual([80 * GIB, 80 * GIB]);
    const lease = (await store.get(keys.nodeStatus('n1')))?.lease;
    expect(lease).toBeDefined();
  });

  it('runs a plan of 2 replicas: 2 engine processes, ready endpoints answering /v1/models', async () => {
    const gpu = { gpu_indices: [1], gpu_memory_bytes: 10 * GIB };
    await putPlan(
      store,
      plan(spec, 1, [assignment(0, 'n1', p0, gpu), assignment(1, 'n1', p1), assignment(2, 'other-node', p1)]),
    );
    const [e0, e1] = [await ready(0), await ready(1)];
    for (const [ep, port] of [
      [e0, p0],
      [e1, p1],
    ] as const) {
      expect(ep).toMatchObject({
        node_id: 'n1',
        address: '127.0.0.1',
        port,
        served_model_name: 'chat-a-served',
        plan_version: 1,
        restarts: 0,
        engine_type: 'sim',
      });
      expect(engineSimPids(port)).toEqual([ep.pid]);
      const models = (await (await fetch(`http://127.0.0.1:${port}/v1/models`)).json()) as {
        data: { id: string }[];
      };
      expect(models.data.map((m) => m.id)).toEqual(['chat-a-served']);
    }
    expect(e0.gpu_indices).toEqual([1]);
    expect(await getEndpoint(store, 'chat-a', 2)).toBeUndefined();
    // States went downloading -> starting -> ready.
    expect(history.get('chat-a/0')?.map((e) => e.status)).toEqual(['downloading', 'starting', 'ready']);
    const health = (await (await fetch(`${agent!.adminUrl}/healthz`)).json()) as {
      engines: { ready: number };
    };
    expect(health.engines.ready).toBe(2);
    // The simulated GPU 1 shows the reservation at the next heartbeat.
    await waitFor(async () => (await getNodeStatus(store, 'n1'))?.gpus[1]?.memory_used_bytes === 10 * GIB, {
      what: 'gpu usage',
    });
    const metrics = await (await fetch(`${agent!.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/nebula_node_engines\{state="ready",role="node"\} 2/);
    expect(metrics).toMatch(/nebula_node_gpu_memory_used_bytes\{gpu="1",role="node"\} 10737418240/);
    expect(metrics).toMatch(/nebula_node_plan_version_lag\{model_uid="chat-a",role="node"\} 0/);
  });

  it('serves the engine log through the admin API', async () => {
    const res = await fetch(`${agent!.adminUrl}/admin/models/chat-a/replicas/0/logs?tail=50`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('engine-sim listening');
    const replicas = (await (await fetch(`${agent!.adminUrl}/admin/replicas`)).json()) as {
      replicas: { replica_id: number; status: string }[];
    };
    expect(replicas.replicas.map((r) => [r.replica_id, r.status])).toEqual([
      [0, 'ready'],
      [1, 'ready'],
    ]);
  });

  it('reports ports of the range held by other processes, not its own engines', async () => {
    foreignServer = createServer();
    await new Promise<void>((r) => foreignServer!.listen(foreign, '127.0.0.1', () => r()));
    const st = await waitFor(
      async () => {
        const s = await getNodeStatus(store, 'n1');
        return s?.ports_in_use.includes(foreign) ? s : undefined;
      },
      { what: 'foreign port reported' },
    );
    expect(st.ports_in_use).not.toContain(p0);
    expect(st.ports_in_use).not.toContain(p1);
  });

  it('re-publishes status and endpoints when its lease is lost', async () => {
    const lease = (await store.get(keys.nodeStatus('n1')))!.lease!;
    await store.revokeLease(lease);
    expect(await getNodeStatus(store, 'n1')).toBeUndefined();
    expect(await getEndpoint(store, 'chat-a', 0)).toBeUndefined();
    await waitFor(async () => (await getNodeStatus(store, 'n1')) !== undefined, {
      what: 'status back',
      timeoutMs: 15_000,
    });
    const ep = await waitFor(() => getEndpoint(store, 'chat-a', 0), {
      what: 'endpoint back',
      timeoutMs: 15_000,
    });
    expect(ep.status).toBe('ready');
    const kv1 = await waitFor(() => store.get(keys.endpoint('chat-a', 1)), { what: 'endpoint 1 back' });
    expect(kv1.lease).toBeDefined();
    expect(kv1.lease).not.toBe(lease);
  });

  it('restarts a killed engine after the backoff: failed, then ready with restarts=1', async () => {
    const before = (await getEndpoint(store, 'chat-a', 1))!;
    process.kill(before.pid!, 'SIGKILL');
    const after = await waitFor(
      async () => {
        const ep = await getEndpoint(store, 'chat-a', 1);
        return ep?.status === 'ready' && ep.pid !== before.pid ? ep : undefined;
      },
      { timeoutMs: 30_000, what: 'restarted replica ready' },
    );
    expect(after.restarts).toBe(1);
    const failed = history.get('chat-a/1')?.find((e) => e.status === 'failed');
    expect(failed?.last_error).toMatch(/killed by SIGKILL/);
    expect(failed?.next_restart_at).toBeDefined();
    expect(engineSimPids(p1)).toEqual([after.pid]);
    expect(isAlive(before.pid!)).toBe(false);
    const metrics = await (await fetch(`${agent!.adminUrl}/metrics`)).text();
    expect(metrics).toMatch(/nebula_node_engine_restarts_total\{model_uid="chat-a",role="node"\} 1/);
    // The restart wrote its own log file.
    const logs = await (await fetch(`${agent!.adminUrl}/admin/models/chat-a/replicas/1/logs?tail=5`)).text();
    expect(logs).toContain('engine-sim listening');
  });

  it('marks an engine that stops answering as failed and restarts it', async () => {
    const before = (await getEndpoint(store, 'chat-a', 1))!;
    // A frozen engine: the process lives but answers nothing.
    process.kill(before.pid!, 'SIGSTOP');
    const after = await waitFor(
      async () => {
        const ep = await getEndpoint(store, 'chat-a', 1);
        return ep?.status === 'ready' && ep.pid !== before.pid ? ep : undefined;
      },
      { timeoutMs: 30_000, what: 'frozen engine replaced' },
    );
    expect(after.restarts).toBe(before.restarts + 1);
    const failed = history
      .get('chat-a/1')
      ?.filter((e) => e.status === 'failed')
      .at(-1);
    expect(failed?.last_error).toMatch(/readiness lost: 3 consecutive probes/);
    await waitFor(() => !isAlive(before.pid!), { what: 'frozen engine killed' });
    expect(engineSimPids(p1)).toEqual([after.pid]);
  });

  it('reports missing model files as a failed endpoint with the reason', async () => {
    const broken = simSpec('no-files', {
      model_source: 'local',
      engine_type: 'sim',
      model_path: join(dir.path, 'nope'),
    });
    await putPlan(store, plan(broken, 1, [assignment(0, 'n1', foreign)]));
    const ep = await waitFor(
      async () => {
        const e = await getEndpoint(store, 'no-files', 0);
        return e?.status === 'failed' ? e : undefined;
      },
      { what: 'failed endpoint' },
    );
    expect(ep.last_error).toMatch(/does not exist/);
    expect(ep.restarts).toBe(0);
    const events = await listJson(store, keys.eventsOf('no-files'), ModelEvent);
    expect(events.items.map((e) => e.value.type)).toContain('download_failed');
    await store.delete(keys.placement('no-files'));
    await waitFor(async () => (await getEndpoint(store, 'no-files', 0)) === undefined, {
      what: 'endpoint removed',
    });
  });

  it('stops a replica removed from the plan and only bumps plan_version of the unchanged one', async () => {
    const keep = (await getEndpoint(store, 'chat-a', 0))!;
    const gone = (await getEndpoint(store, 'chat-a', 1))!;
    await putPlan(
      store,
      plan(spec, 2, [assignment(0, 'n1', p0, { gpu_indices: [1], gpu_memory_bytes: 10 * GIB })]),
    );
    await waitFor(async () => (await getEndpoint(store, 'chat-a', 1)) === undefined, {
      what: 'endpoint 1 deleted',
    });
    await waitFor(() => !isAlive(gone.pid!), { what: 'engine 1 gone' });
    expect(engineSimPids(p1)).toEqual([]);
    const ep0 = await waitFor(async () => {
      const ep = await getEndpoint(store, 'chat-a', 0);
      return ep?.plan_version === 2 ? ep : undefined;
    });
    expect(ep0).toMatchObject({ status: 'ready', pid: keep.pid, restarts: 0 });
  });

  it('force-stops through the admin API and stays down until the plan changes', async () => {
    const before = (await getEndpoint(store, 'chat-a', 0))!;
    const res = await fetch(`${agent!.adminUrl}/admin/models/chat-a/stop`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ stopped: [0] });
    expect(isAlive(before.pid!)).toBe(false);
    const ep = (await getEndpoint(store, 'chat-a', 0))!;
    expect(ep).toMatchObject({ status: 'failed', last_error: 'force-stopped by operator' });
    expect(ep.pid).toBeUndefined();
    // Several backoff periods (200, 400, 800 ms) later it is still down: the agent's clock moves past them
    // at once, firing any restart they would have brought. The replica says why nothing follows: it is
    // held, with no restart planned (a launch would have left `held` before spawning anything).
    await clock.jump(1_500);
    expect(agent!.replicas().find((r) => r.model_uid === 'chat-a' && r.replica_id === 0)).toMatchObject({
      phase: 'held',
      held: true,
      next_restart_at: undefined,
    });
    expect(engineSimPids(p0)).toEqual([]);
    expect((await getEndpoint(store, 'chat-a', 0))?.status).toBe('failed');
    // A new plan version brings it back.
    await putPlan(
      store,
      plan(spec, 3, [assignment(0, 'n1', p0, { gpu_indices: [1], gpu_memory_bytes: 10 * GIB })]),
    );
    const back = await ready(0);
    expect(back.plan_version).toBe(3);
    expect(engineSimPids(p0)).toEqual([back.pid]);
  });

  it('restarts an engine whose launch changed (new port)', async () => {
    const before = (await getEndpoint(store, 'chat-a', 0))!;
    await putPlan(store, plan(spec, 4, [assignment(0, 'n1', p1)]));
    const moved = await waitFor(async () => {
      const ep = await getEndpoint(store, 'chat-a', 0);
      return ep?.status === 'ready' && ep.port === p1 ? ep : undefined;
    });
    expect(moved.pid).not.toBe(before.pid);
    expect(engineSimPids(p0)).toEqual([]);
    expect(engineSimPids(p1)).toEqual([moved.pid]);
  });

  it('stops everything when the plan is deleted', async () => {
    const pid = (await getEndpoint(store, 'chat-a', 0))!.pid!;
    await store.delete(keys.placement('chat-a'));
    await waitFor(async () => (await getEndpoint(store, 'chat-a', 0)) === undefined, {
      what: 'endpoint deleted',
    });
    await waitFor(() => !isAlive(pid), { what: 'engine gone' });
    expect(enginesOfDataDir(dir.path)).toEqual([]);
    const types = new Set(
      (await listJson(store, keys.eventsOf('chat-a'), ModelEvent)).items.map((e) => e.value.type),
    );
    for (const t of ['starting', 'ready', 'crashed', 'failed', 'restarted', 'stopped'])
      expect(types).toContain(t);
  });

  it('keeps engines on stop({keepEngines}) and a new agent adopts them; plain stop leaves nothing', async () => {
    await putPlan(store, plan(spec, 5, [assignment(0, 'n1', p0)]));
    const first = await ready(0);
    await agent!.stop({ keepEngines: true });
    expect(isAlive(first.pid!)).toBe(true);
    agent = await startNodeAgent(
      {
        nodeId: 'n1',
        address: '127.0.0.1',
        dataDir: dir.path,
        gpus: 'none',
        adminPort: 0,
        portRange: { start: 1024, end: 65535 },
      },
      { store, logger: silentLogger() },
    );
    const views = await waitFor(() => {
      const v = agent!.replicas();
      return v[0]?.status === 'ready' ? v : undefined;
    });
    expect(views).toMatchObject([{ replica_id: 0, pid: first.pid, adopted: true }]);
    expect(engineSimPids(p0)).toEqual([first.pid]);
    await agent.stop();
    agent = undefined;
    expect(isAlive(first.pid!)).toBe(false);
    expect(await getEndpoint(store, 'chat-a', 0)).toBeUndefined();
    expect(await getNodeStatus(store, 'n1')).toBeUndefined();
  });

  it('kills an engine it has no record of (lost state file) and runs exactly one', async () => {
    agent = await startNodeAgent(options(), { store, logger: silentLogger() });
    await putPlan(store, plan(spec, 6, [assignment(0, 'n1', p0)]));
    const first = await ready(0);
    await agent.stop({ keepEngines: true });
    rmSync(join(dir.path, 'node-state.json'));
    agent = await startNodeAgent(options(), { store, logger: silentLogger() });
    const next = await waitFor(async () => {
      const ep = await getEndpoint(store, 'chat-a', 0);
      return ep?.status === 'ready' && ep.pid !== first.pid ? ep : undefined;
    });
    expect(isAlive(first.pid!)).toBe(false);
    expect(engineSimPids(p0)).toEqual([next.pid]);
    await agent.stop();
    agent = undefined;
    expect(enginesOfDataDir(dir.path)).toEqual([]);
  });
});
