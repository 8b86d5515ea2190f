import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../../src/core/logger.js';
import type { NodeAgentHandle } from '../../src/node/index.js';
import { startRouter, type RouterHandle } from '../../src/router/index.js';
import { openEtcdStore } from '../../src/store/etcd/index.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import type { Store } from '../../src/store/types.js';
import { startEtcd, type EtcdProcess } from '../helpers/etcd.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { assignment, plan, simSpec } from './fixtures.js';
import { enginesOfDataDir, isAlive, killEnginesOf } from './procs.js';
import { startTestAgent } from './test-agent.js';
import { getEndpoint, getNodeStatus, putPlan } from './store-helpers.js';

const BIN = fileURLToPath(new URL('../../bin/nebula.js', import.meta.url));
const BUILT = new URL('../../dist/cli/main.js', import.meta.url);

/**
 * Fault handling with real engine processes (build first: `npm run build`): the first restart after a crash
 * is immediate and the second waits the backoff; a frozen (SIGSTOPped) engine leaves the router within 5 s
 * and the requests in flight on it end with a clear error within the model's timeouts.
 */
describe('faults: crashes and frozen engines (node agent + router, real engines)', () => {
  const dir = tempDir('nebula-faults-');
  let store: Store;
  let agent: NodeAgentHandle | undefined;
  let router: RouterHandle | undefined;
  const ports: number[] = [];

  beforeAll(async () => {
    if (!existsSync(BUILT))
      throw new Error('dist/ is missing: run `npm run build` before the node integration tests');
    store = await openEmbeddedStore({});
    ports.push(await freePort(), await freePort());
    agent = await startTestAgent(store, {
      nodeId: 'f1',
      dataDir: dir.path,
      portRange: { start: Math.min(...ports), end: Math.max(...ports) },
      timing: {
        // Default readiness probing once ready (1 s interval, 1 s timeout, 3 misses); a short backoff and
        // restart-after-unready keep the test short; fast startup probes measure the restart itself.
        backoff: { initialMs: 3_000, maxMs: 60_000, resetAfterMs: 600_000 },
        probeIntervalMs: 50,
        unhealthyRestartMs: 3_000,
        stopGraceMs: 2_000,
      },
    });
    router = await startRouter(
      { host: '127.0.0.1', port: 0, grpcPort: null, noAuth: true },
      { store, logger: silentLogger() },
    );
  });

  afterAll(async () => {
    await router?.stop().catch(() => undefined);
    await agent?.stop().catch(() => undefined);
    killEnginesOf(dir.path);
    await store?.close().catch(() => undefined);
    dir.cleanup();
  });

  const readyEp = (uid: string, notPid?: number, timeoutMs = 30_000) =>
    waitFor(
      async () => {
        const ep = await getEndpoint(store, uid, 0);
        return ep?.status === 'ready' && ep.pid !== notPid ? ep : undefined;
      },
      { timeoutMs, intervalMs: 20, what: `${uid} ready` },
    );

  const chat = (uid: string, body: Record<string, unknown>) =>
    fetch(`${router!.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: uid, messages: [{ role: 'user', content: 'hello' }], ...body }),
    });

  it('restarts after the first crash at once, and waits the backoff after the second', async () => {
    await putPlan(store, plan(simSpec('crashy'), 1, [assignment(0, 'f1', ports[0]!)]));
    const first = await readyEp('crashy');
    expect((await chat('crashy', { max_tokens: 2 })).status).toBe(200);

    // First crash: serving again within 2 s (no backoff, only the engine's own start).
    process.kill(first.pid!, 'SIGKILL');
    const t0 = Date.now();
    const second = await readyEp('crashy', first.pid);
    const firstRecovery = Date.now() - t0;
    expect(firstRecovery).toBeLessThan(2_000);
    expect(second.restarts).toBe(1);
    await waitFor(() => router!.table.lookup('crashy')?.replicas.length === 1, { what: 'routable again' });
    expect((await chat('crashy', { max_tokens: 2 })).status).toBe(200);

    // Second crash in a row: the endpoint says failed, why, and when it restarts (the 3 s backoff).
    process.kill(second.pid!, 'SIGKILL');
    const t1 = Date.now();
    const failed = await waitFor(
      async () => {
        const ep = await getEndpoint(store, 'crashy', 0);
        return ep?.status === 'failed' ? ep : undefined;
      },
      { intervalMs: 20, what: 'failed endpoint' },
    );
    expect(failed.last_error).toMatch(/killed by SIGKILL/);
    expect(failed.restarts).toBe(1);
    expect(failed.pid).toBeUndefined();
    expect(Date.parse(failed.next_restart_at!) - t1).toBeGreaterThan(2_500);
    const third = await readyEp('crashy', second.pid);
    expect(Date.now() - t1).toBeGreaterThanOrEqual(2_900);
    expect(third.restarts).toBe(2);
    expect(isAlive(first.pid!) || isAlive(second.pid!)).toBe(false);
  });

  it('takes a frozen engine out of the router within 5 s; its requests in flight end with upstream_timeout', async () => {
    const spec = simSpec('frozen', {
      // 100 ms between tokens: requests stay in flight long enough to be caught by the freeze.
      engine_config: { extra_args: ['--ttft-ms', '0', '--itl-ms', '100', '--mode', 'random'], env: {} },
      proxy_timeouts: { first_byte: '4s', idle: '2s' },
    });
    await putPlan(store, plan(spec, 1, [assignment(0, 'f1', ports[1]!)]));
    const ep = await readyEp('frozen');
    await waitFor(() => router!.table.lookup('frozen')?.replicas.length === 1, { what: 'routable' });
    expect(router!.table.lookup('frozen')?.timeouts).toEqual({ firstByteMs: 4_000, idleMs: 2_000 });

    // A stream (20 s of tokens) that has started, and a non-streamed request (2 s) under way.
    const streamRes = await chat('frozen', { stream: true, max_tokens: 200 });
    expect(streamRes.status).toBe(200);
    const reader = streamRes.body!.getReader();
    const decoder = new TextDecoder();
    let streamText = decoder.decode((await reader.read()).value);
    const plain = chat('frozen', { max_tokens: 20 });
    // Freeze once the engine has both under way (its own gauges, as vLLM's).
    const underWay = async () => {
      const text = await (await fetch(`http://127.0.0.1:${ep.port}/metrics`)).text();
      const gauge = (name: string) =>
        Number(new RegExp(`^vllm:${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
      return gauge('num_requests_running') + gauge('num_requests_waiting');
    };
    await waitFor(async () => (await underWay()) >= 2, {
      timeoutMs: 5_000,
      intervalMs: 20,
      what: 'both requests under way in the engine',
    });

    process.kill(ep.pid!, 'SIGSTOP');
    const t0 = Date.now();
    let leftAfter: number | undefined;
    const left = waitFor(
      () => {
        if ((router!.table.lookup('frozen')?.replicas.length ?? 0) === 0) leftAfter = Date.now() - t0;
        return leftAfter !== undefined;
      },
      { timeoutMs: 15_000, intervalMs: 20, what: 'replica out of the router' },
    );

    // The stream: an SSE error event in OpenAI's shape, then the end, within the idle timeout (2 s).
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      streamText += decoder.decode(value);
    }
    const streamEndedAfter = Date.now() - t0;
    expect(streamText).toMatch(
      /data: \{"error":\{"message":"[^"]*timed out[^"]*","type":"upstream_error","param":null,"code":"upstream_timeout"\}\}\n\n$/,
    );
    expect(streamText).not.toContain('[DONE]');
    expect(streamEndedAfter).toBeLessThan(3_500);

    // The non-streamed request: 504 upstream_timeout within its first-byte timeout (4 s from its start).
    const res = await plain;
    const plainEndedAfter = Date.now() - t0;
    expect(res.status).toBe(504);
    expect(((await res.json()) as { error: { code: string; type: string } }).error).toMatchObject({
      code: 'upstream_timeout',
      type: 'upstream_error',
    });
    expect(plainEndedAfter).toBeLessThan(5_000);

    await left;
    expect(leftAfter).toBeLessThan(5_000);
    const unready = (await getEndpoint(store, 'frozen', 0))!;
    if (unready.status === 'failed' && unready.pid === ep.pid) {
      expect(unready.last_error).toMatch(
        /readiness lost: 3 consecutive probes of \/health failed; out of rotation/,
      );
      expect(unready.next_restart_at).toBeDefined();
    }
    const none = await chat('frozen', { max_tokens: 2 });
    expect(none.status).toBe(503);
    expect(((await none.json()) as { error: { code: string } }).error.code).toBe('no_ready_replica');

    // Still silent 3 s later: restarted (the frozen process is gone), and back in the router.
    const back = await readyEp('frozen', ep.pid);
    expect(back.restarts).toBe(1);
    await waitFor(() => !isAlive(ep.pid!), { what: 'frozen engine gone' });
    await waitFor(() => router!.table.lookup('frozen')?.replicas.length === 1, { what: 'routable again' });
    expect((await chat('frozen', { max_tokens: 2 })).status).toBe(200);
  });
});

/**
 * `nebula node` as its own process, killed with SIGKILL and not started again: its engines must not keep
 * running unseen (their replicas are re-placed elsewhere after the scheduler's grace period). The orphan
 * watchdog stops them once `--orphan-grace` has passed without a new agent.
 */
describe('faults: engines of a node agent that died for good', () => {
  let etcd: EtcdProcess;
  let store: Store;
  const dir = tempDir('nebula-orphans-');
  let child: ChildProcess | undefined;
  const NS = '/orphans';

  beforeAll(async () => {
    if (!existsSync(BUILT))
      throw new Error('dist/ is missing: run `npm run build` before the node integration tests');
    etcd = await startEtcd();
    store = await openEtcdStore({ endpoints: [etcd.endpoint], namespace: NS });
  });

  afterAll(async () => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    killEnginesOf(dir.path);
    await store?.close().catch(() => undefined);
    await etcd?.destroy();
    dir.cleanup();
  });

  it('stops the engines within --orphan-grace + --stop-grace-ms after kill -9 of the agent', async () => {
    const [p0, p1, admin] = [await freePort(), await freePort(), await freePort()];
    child = spawn(
      process.execPath,
      [
        BIN,
        'node',
        ...['--etcd', etcd.endpoint, '--etcd-namespace', NS, '--node-id', 'o1', '--gpus', 'none'],
        ...['--port-range', `${Math.min(p0, p1)}-${Math.max(p0, p1)}`, '--data-dir', dir.path],
        ...['--admin-port', String(admin), '--orphan-grace', '2s', '--stop-grace-ms', '2000'],
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, NEBULA_LOG_LEVEL: 'warn', NEBULA_NODE_TOKEN: '' },
      },
    );
    let out = '';
    child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise((r) => child!.once('exit', r));
    const c = child;
    await waitFor(
      async () =>
        (await getNodeStatus(store, 'o1')) ??
        (c.exitCode !== null ? Promise.reject(new Error(out)) : undefined),
      { timeoutMs: 30_000, what: 'node status' },
    );
    await putPlan(store, plan(simSpec('orphan'), 1, [assignment(0, 'o1', p0), assignment(1, 'o1', p1)]));
    const pids = await waitFor(
      async () => {
        const eps = [await getEndpoint(store, 'orphan', 0), await getEndpoint(store, 'orphan', 1)];
        return eps.every((e) => e?.status === 'ready') ? eps.map((e) => e!.pid!) : undefined;
      },
      { timeoutMs: 30_000, what: 'engines ready' },
    );

    child.kill('SIGKILL');
    await exited;
    const t0 = Date.now();
    // Within the grace a new agent could still adopt them: they run on for now.
    expect(pids.every(isAlive)).toBe(true);
    await waitFor(() => enginesOfDataDir(dir.path).length === 0, {
      timeoutMs: 15_000,
      intervalMs: 50,
      what: 'engines stopped by the watchdog',
    });
    const after = Date.now() - t0;
    expect(after).toBeGreaterThanOrEqual(1_500);
    // 2 s grace + at most 2 s to stop (+ polling): well before a scheduler re-places (lease + 50 s).
    expect(after).toBeLessThan(6_000);
    expect(pids.some(isAlive)).toBe(false);
    await waitFor(
      () =>
        /no agent came back within 2000 ms: stopped \d+ engine process/.test(
          readFileSync(join(dir.path, 'logs', 'orphan-watchdog.log'), 'utf8'),
        ),
      { what: 'watchdog log line' },
    );
  });
});
