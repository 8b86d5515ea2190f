import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Endpoint } from '../../src/core/domain/index.js';
import { readSse } from '../../src/core/sse.js';
import type { NodeAgentHandle } from '../../src/node/index.js';
import { openEmbeddedStore } from '../../src/store/embedded/index.js';
import type { Store, Watcher } from '../../src/store/types.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { assignment, plan, simSpec } from './fixtures.js';
import { isAlive, killEnginesOf } from './procs.js';
import { FAST_REPLICA_TIMING, startTestAgent } from './test-agent.js';
import { getEndpoint, putPlan, recordEndpointHistory } from './store-helpers.js';

const BUILT = new URL('../../dist/cli/main.js', import.meta.url);

/** A streaming chat request: resolves with the content chunks seen and whether `[DONE]` arrived. */
async function stream(
  port: number,
  model: string,
  maxTokens: number,
  onFirstChunk: () => void,
): Promise<{ chunks: number; done: boolean; error?: string }> {
  let chunks = 0;
  let done = false;
  try {
    const res = await fetch(`http://127.0.0.1:${port}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        model,
        messages: [{ role: 'user', content: 'tell me a long story' }],
        max_tokens: maxTokens,
        ignore_eos: true,
        stream: true,
      }),
    });
    if (!res.ok || !res.body) return { chunks, done, error: `status ${res.status}` };
    for await (const { data } of readSse(res.body)) {
      if (data === '[DONE]') {
        done = true;
        continue;
      }
      const delta = (JSON.parse(data) as { choices?: { delta?: { content?: string } }[] }).choices?.[0]?.delta
        ?.content;
      if (delta) {
        if (chunks === 0) onFirstChunk();
        chunks += 1;
      }
    }
    return { chunks, done };
  } catch (err) {
    return { chunks, done, error: (err as Error).message };
  }
}

/**
 * Graceful retirement with real engine processes (DESIGN §11, issue 17 item 3): a replica removed from the
 * plan goes `draining`, finishes its in-flight streams within the plan's grace, then gets SIGTERM.
 */
describe('node agent: graceful retirement (real engine-sim processes)', () => {
  const dir = tempDir('nebula-node-drain-');
  let store: Store;
  let agent: NodeAgentHandle | undefined;
  let watcher: Watcher | undefined;
  let history: Map<string, Endpoint[]>;
  let port = 0;
  let port2 = 0;

  beforeAll(async () => {
    if (!existsSync(BUILT))
      throw new Error('dist/ is missing: run `npm run build` before the node integration tests');
    store = await openEmbeddedStore({});
    port = await freePort();
    port2 = await freePort();
    ({ history, watcher } = await recordEndpointHistory(store));
    agent = await startTestAgent(store, {
      nodeId: 'dn',
      dataDir: dir.path,
      portRange: { start: Math.min(port, port2), end: Math.max(port, port2) },
      resyncIntervalMs: 2_000,
      timing: FAST_REPLICA_TIMING,
    });
  });

  afterAll(async () => {
    await agent?.stop().catch(() => undefined);
    killEnginesOf(dir.path);
    await watcher?.close().catch(() => undefined);
    await store?.close().catch(() => undefined);
    dir.cleanup();
  });

  const ready = (uid: string) =>
    waitFor(
      async () => {
        const e = await getEndpoint(store, uid, 0);
        return e?.status === 'ready' ? e : undefined;
      },
      { timeoutMs: 30_000, what: () => `${uid} ready: ${JSON.stringify(history.get(`${uid}/0`)?.at(-1))}` },
    );

  it('lets an in-flight stream finish, publishes draining first, and stops within the grace', async () => {
    // 120 tokens 25 ms apart: a 3 s stream, well inside the 20 s grace.
    const spec = simSpec('drn', {
      engine_config: { extra_args: ['--ttft-ms', '0', '--itl-ms', '25'], env: {} },
    });
    await putPlan(store, { ...plan(spec, 1, [assignment(0, 'dn', port)]), drain_grace_seconds: 20 });
    const ep = await ready('drn');
    let removedAt = 0;
    const removed = new Promise<void>((resolve) => {
      void stream(port, 'drn', 120, () => {
        // The scale-down comes while the stream is in flight.
        void putPlan(store, { ...plan(spec, 2, []), drain_grace_seconds: 20 }).then(() => {
          removedAt = Date.now();
          resolve();
        });
      }).then((r) => (result = r));
    });
    let result: Awaited<ReturnType<typeof stream>> | undefined;
    await removed;
    const draining = await waitFor(() => history.get('drn/0')?.find((e) => e.status === 'draining'), {
      what: 'draining endpoint',
    });
    // Out of rotation while its engine still runs and serves the stream.
    expect(draining.pid).toBe(ep.pid);
    expect(isAlive(ep.pid!)).toBe(true);
    const r = await waitFor(() => result, { what: 'stream end' });
    expect(r).toEqual({ chunks: 120, done: true });
    await waitFor(() => !isAlive(ep.pid!), { what: 'engine exit', timeoutMs: 20_000 });
    const exitedAt = Date.now();
    await waitFor(async () => (await getEndpoint(store, 'drn', 0)) === undefined, {
      what: 'endpoint deleted',
    });
    expect(exitedAt - removedAt).toBeLessThan(20_000);
    const statuses = history.get('drn/0')!.map((e) => e.status);
    expect(statuses.indexOf('draining')).toBeGreaterThan(statuses.indexOf('ready'));
    expect(statuses.indexOf('stopping')).toBeGreaterThan(statuses.indexOf('draining'));
  });

  it('cuts a stream longer than the grace at the grace: SIGTERM, then the engine exits', async () => {
    // 1000 tokens 25 ms apart (25 s) against a 2 s grace; the simulator stops at once on SIGTERM.
    const spec = simSpec('cut', {
      engine_config: {
        extra_args: ['--ttft-ms', '0', '--itl-ms', '25', '--shutdown-grace-ms', '0'],
        env: {},
      },
    });
    await putPlan(store, { ...plan(spec, 1, [assignment(0, 'dn', port)]), drain_grace_seconds: 2 });
    const ep = await ready('cut');
    let removedAt = 0;
    let result: Awaited<ReturnType<typeof stream>> | undefined;
    const removed = new Promise<void>((resolve) => {
      void stream(port, 'cut', 1000, () => {
        void putPlan(store, { ...plan(spec, 2, []), drain_grace_seconds: 2 }).then(() => {
          removedAt = Date.now();
          resolve();
        });
      }).then((r) => (result = r));
    });
    await removed;
    await waitFor(() => history.get('cut/0')?.some((e) => e.status === 'draining'), { what: 'draining' });
    await waitFor(() => !isAlive(ep.pid!), { what: 'engine exit', timeoutMs: 15_000 });
    const exitedAt = Date.now();
    const r = await waitFor(() => result, { what: 'stream end' });
    expect(r.done).toBe(false);
    expect(r.chunks).toBeLessThan(1000);
    // Not before the grace (the stream was given it), and well before the stream would have ended.
    expect(exitedAt - removedAt).toBeGreaterThanOrEqual(1_900);
    expect(exitedAt - removedAt).toBeLessThan(2_000 + 3_000 + 1_500);
    const logDir = join(dir.path, 'logs', 'cut', '0');
    const log = readdirSync(logDir)
      .map((f) => readFileSync(join(logDir, f), 'utf8'))
      .join('\n');
    expect(log).toMatch(/"signal":"SIGTERM"/);
  });

  it('surge: a new revision runs beside the old one, which keeps its process, then drains', async () => {
    const v1 = simSpec('srg', {
      engine_config: { extra_args: ['--ttft-ms', '0', '--itl-ms', '5'], env: {} },
    });
    const v2 = simSpec('srg', {
      engine_config: { extra_args: ['--ttft-ms', '0', '--itl-ms', '6'], env: {} },
    });
    await putPlan(store, { ...plan(v1, 1, [assignment(0, 'dn', port, { revision: 1 })]), revision: 1 });
    const old = await ready('srg');
    expect(old.revision).toBe(1);
    // The rollout surges replica 1 on revision 2; replica 0's assignment is unchanged.
    await putPlan(store, {
      ...plan(v2, 2, [
        assignment(0, 'dn', port, { revision: 1 }),
        assignment(1, 'dn', port2, { revision: 2 }),
      ]),
      revision: 2,
      specs: { '1': v1 },
    });
    const fresh = await waitFor(
      async () => {
        const e = await getEndpoint(store, 'srg', 1);
        return e?.status === 'ready' ? e : undefined;
      },
      { what: 'surge replica ready' },
    );
    expect(fresh.revision).toBe(2);
    const kept = await waitFor(async () => {
      const e = await getEndpoint(store, 'srg', 0);
      return e?.plan_version === 2 ? e : undefined;
    });
    expect(kept).toMatchObject({ status: 'ready', pid: old.pid, revision: 1 });
    // The new revision's engine runs the new spec.
    const argv = readFileSync(`/proc/${fresh.pid}/cmdline`, 'utf8').split('\0');
    expect(argv.slice(argv.indexOf('--itl-ms'), argv.indexOf('--itl-ms') + 2)).toEqual(['--itl-ms', '6']);
    // Then the old one retires gracefully.
    await putPlan(store, { ...plan(v2, 3, [assignment(1, 'dn', port2, { revision: 2 })]), revision: 2 });
    await waitFor(() => history.get('srg/0')?.some((e) => e.status === 'draining'), { what: 'old draining' });
    await waitFor(() => !isAlive(old.pid!), { what: 'old engine gone' });
    expect(await getEndpoint(store, 'srg', 1)).toMatchObject({ status: 'ready', pid: fresh.pid });
    await putPlan(store, { ...plan(v2, 4, []), revision: 2 });
    await waitFor(() => !isAlive(fresh.pid!), { what: 'surge engine gone' });
  });

  it('force-stop during a drain stops the engine now', async () => {
    const spec = simSpec('fst', {
      engine_config: {
        extra_args: ['--ttft-ms', '0', '--itl-ms', '25', '--shutdown-grace-ms', '0'],
        env: {},
      },
    });
    await putPlan(store, { ...plan(spec, 1, [assignment(0, 'dn', port)]), drain_grace_seconds: 600 });
    const ep = await ready('fst');
    let result: Awaited<ReturnType<typeof stream>> | undefined;
    await new Promise<void>((resolve) => {
      void stream(port, 'fst', 1000, () => {
        void putPlan(store, { ...plan(spec, 2, []), drain_grace_seconds: 600 }).then(() => resolve());
      }).then((r) => (result = r));
    });
    await waitFor(() => history.get('fst/0')?.some((e) => e.status === 'draining'), { what: 'draining' });
    expect(result).toBeUndefined();
    const t0 = Date.now();
    const res = await fetch(`${agent!.adminUrl}/admin/models/fst/stop`, { method: 'POST' });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ stopped: [0] });
    expect(isAlive(ep.pid!)).toBe(false);
    expect(Date.now() - t0).toBeLessThan(2_000 + 1_500);
    await waitFor(async () => (await getEndpoint(store, 'fst', 0)) === undefined, {
      what: 'endpoint deleted',
    });
  });

  it('agent shutdown during a drain does not wait for the grace: engines stop within the stop grace', async () => {
    const spec = simSpec('bye', {
      engine_config: {
        extra_args: ['--ttft-ms', '0', '--itl-ms', '25', '--shutdown-grace-ms', '0'],
        env: {},
      },
    });
    await putPlan(store, { ...plan(spec, 1, [assignment(0, 'dn', port)]), drain_grace_seconds: 600 });
    const ep = await ready('bye');
    let result: Awaited<ReturnType<typeof stream>> | undefined;
    const removed = new Promise<void>((resolve) => {
      void stream(port, 'bye', 1000, () => {
        void putPlan(store, { ...plan(spec, 2, []), drain_grace_seconds: 600 }).then(() => resolve());
      }).then((r) => (result = r));
    });
    await removed;
    await waitFor(() => history.get('bye/0')?.some((e) => e.status === 'draining'), { what: 'draining' });
    // The stream is still running when the agent is told to stop.
    expect(result).toBeUndefined();
    const t0 = Date.now();
    await agent!.stop();
    agent = undefined;
    // Bounded by the stop grace (3 s here), nowhere near the 600 s drain grace.
    expect(Date.now() - t0).toBeLessThan(3_000 + 2_000);
    expect(isAlive(ep.pid!)).toBe(false);
    const r = await waitFor(() => result, { what: 'stream end' });
    expect(r.done).toBe(false);
    expect(r.chunks).toBeGreaterThan(0);
  });
});
