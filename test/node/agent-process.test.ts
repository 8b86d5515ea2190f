import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys } from '../../src/core/keys.js';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import type { Store } from '../../src/store/types.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { assignment, plan, simSpec } from './fixtures.js';
import { engineSimPids, enginesOfDataDir, isAlive, killEnginesOf } from './procs.js';
import { getEndpoint, getNodeStatus, putPlan } from './store-helpers.js';

const BIN = fileURLToPath(new URL('../../bin/nebula.js', import.meta.url));
const BUILT = new URL('../../dist/cli/main.js', import.meta.url);
const NS = '/node-proc';

interface AgentProc {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/**
 * `nebula node` as its own process (as deployed), killed with SIGKILL and started again: the new agent
 * adopts the engines the old one left running instead of starting twins.
 */
describe('nebula node process: adoption after kill -9', () => {
  let etcd: EtcdProcess;
  let store: Store;
  const dir = tempDir('nebula-node-proc-');
  let agent: AgentProc | undefined;
  let adminPort = 0;
  let p0 = 0;
  let p1 = 0;
  const spec = simSpec('adopt-me');

  const startAgent = (): AgentProc => {
    const child = spawn(
      process.execPath,
      [
        BIN,
        'node',
        '--etcd',
        etcd.endpoint,
        '--etcd-namespace',
        NS,
        '--node-id',
        'n2',
        '--address',
        '127.0.0.1',
        '--gpus',
        'sim:1x80GiB',
        '--port-range',
        `${Math.min(p0, p1)}-${Math.max(p0, p1)}`,
        '--data-dir',
        dir.path,
        '--admin-port',
        String(adminPort),
        '--restart-backoff-ms',
        '200',
        '--stop-grace-ms',
        '3000',
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NEBULA_LOG_LEVEL: 'warn', NEBULA_NODE_TOKEN: '' },
      },
    );
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    return { child, output: () => out, exited };
  };

  const replicas = async () => {
    const res = await fetch(`http://127.0.0.1:${adminPort}/admin/replicas`);
    return (
      (await res.json()) as {
        replicas: { replica_id: number; status: string; pid: number; adopted: boolean; restarts: number }[];
      }
    ).replicas;
  };

  beforeAll(async () => {
    if (!existsSync(BUILT))
      throw new Error('dist/ is missing: run `npm run build` before the node integration tests');
    etcd = await startEtcd();
    store = await openEtcdStore({ endpoints: [etcd.endpoint], namespace: NS });
    [adminPort, p0, p1] = [await freePort(), await freePort(), await freePort()];
  });

  afterAll(async () => {
    if (agent && agent.child.exitCode === null) {
      agent.child.kill('SIGKILL');
      await agent.exited;
    }
    killEnginesOf(dir.path);
    await store?.close().catch(() => undefined);
    await etcd?.destroy();
    dir.cleanup();
  });

  it('runs, survives its own kill -9 without twins, and cleans up on SIGTERM', async () => {
    agent = startAgent();
    const a1 = agent;
    await waitFor(
      async () =>
        (await getNodeStatus(store, 'n2')) ??
        (a1.child.exitCode !== null ? Promise.reject(new Error(a1.output())) : undefined),
      {
        timeoutMs: 30_000,
        what: 'node status',
      },
    );
    await waitFor(() => a1.output().includes(`admin API http://127.0.0.1:${adminPort}`), {
      what: 'startup line',
    });

    await putPlan(store, plan(spec, 1, [assignment(0, 'n2', p0), assignment(1, 'n2', p1)]));
    const readyBoth = () =>
      waitFor(
        async () => {
          const eps = [await getEndpoint(store, 'adopt-me', 0), await getEndpoint(store, 'adopt-me', 1)];
          return eps.every((e) => e?.status === 'ready') ? eps.map((e) => e!) : undefined;
        },
        { timeoutMs: 30_000, what: 'both replicas ready' },
      );
    const before = await readyBoth();
    const pids = before.map((e) => e.pid!);
    const oldLease = (await store.get(keys.endpoint('adopt-me', 0)))?.lease;

    // kill -9 the agent: the engines keep running (own process groups).
    agent.child.kill('SIGKILL');
    await agent.exited;
    expect(pids.every(isAlive)).toBe(true);

    // A new agent adopts them: same pids, one process per port, endpoints re-published under its lease.
    agent = startAgent();
    const adopted = await waitFor(
      async () => {
        const r = await replicas().catch(() => undefined);
        return r?.length === 2 && r.every((x) => x.status === 'ready') ? r : undefined;
      },
      { timeoutMs: 30_000, what: 'adopted replicas ready' },
    );
    expect(adopted.map((r) => [r.pid, r.adopted])).toEqual([
      [pids[0], true],
      [pids[1], true],
    ]);
    expect(engineSimPids(p0)).toEqual([pids[0]]);
    expect(engineSimPids(p1)).toEqual([pids[1]]);
    await waitFor(
      async () => {
        const lease = (await store.get(keys.endpoint('adopt-me', 0)))?.lease;
        return lease !== undefined && lease !== oldLease;
      },
      { what: 'endpoint under the new lease' },
    );
    expect((await getEndpoint(store, 'adopt-me', 0))?.pid).toBe(pids[0]);

    // An adopted engine is not our child: its crash is still noticed (polling) and it is restarted.
    process.kill(pids[1]!, 'SIGKILL');
    const restarted = await waitFor(
      async () => {
        const ep = await getEndpoint(store, 'adopt-me', 1);
        return ep?.status === 'ready' && ep.pid !== pids[1] ? ep : undefined;
      },
      { timeoutMs: 30_000, what: 'adopted engine restarted' },
    );
    expect(restarted.restarts).toBe(1);
    expect(engineSimPids(p1)).toEqual([restarted.pid]);

    // Plan deleted: every engine goes.
    await store.delete(keys.placement('adopt-me'));
    await waitFor(() => enginesOfDataDir(dir.path).length === 0, { timeoutMs: 20_000, what: 'engines gone' });
    await waitFor(async () => (await getEndpoint(store, 'adopt-me', 0)) === undefined, {
      what: 'endpoint deleted',
    });
    expect(await getEndpoint(store, 'adopt-me', 1)).toBeUndefined();

    // Engines again, then SIGTERM: the agent stops them and removes its status.
    await putPlan(store, plan(spec, 2, [assignment(0, 'n2', p0)]));
    const last = await waitFor(async () => {
      const ep = await getEndpoint(store, 'adopt-me', 0);
      return ep?.status === 'ready' ? ep : undefined;
    });
    agent.child.kill('SIGTERM');
    expect(await agent.exited).toBe(0);
    expect(isAlive(last.pid!)).toBe(false);
    expect(enginesOfDataDir(dir.path)).toEqual([]);
    expect(await getNodeStatus(store, 'n2')).toBeUndefined();
    expect(await getEndpoint(store, 'adopt-me', 0)).toBeUndefined();
  });

  it('refuses bad flags with a one-line reason and exit code 2', async () => {
    const child = spawn(process.execPath, [BIN, 'node', '--etcd', etcd.endpoint, '--gpus', 'lots'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    child.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
    expect(code).toBe(2);
    expect(err.trim().split('\n')).toHaveLength(1);
    expect(err).toMatch(/--gpus "lots"/);
  });
});
