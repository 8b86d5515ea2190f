import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { assignment, plan, simSpec } from '../../../test/node/fixtures.js';
import { waitFor } from '../../../test/helpers/wait-for.js';
import { tempDir } from '../../../test/helpers/tmp.js';
import { FakeClock } from '../../core/clock.js';
import type { Endpoint } from '../../core/domain/index.js';
import { silentLogger } from '../../core/logger.js';
import type { EndpointWriter } from '../endpoint-writer.js';
import { EngineProcess, type InFlight } from '../engine/index.js';
import { desiredReplicas } from './desired.js';
import { ReplicaController } from './replica-controller.js';
import { DEFAULT_REPLICA_TIMING, type ReplicaEnv, type ReplicaEvent } from './replica-types.js';

/**
 * The controller as the interpreter of the lifecycle core, with launch, probe, in-flight reads, the
 * endpoint writer and the clock injected: the engine is a real `sleep` process (so signals are real), time
 * is a FakeClock.
 */
describe('ReplicaController (interpreter, fake clock, injected launch and probes)', () => {
  const dir = tempDir('nebula-rc-');
  const procs: EngineProcess[] = [];
  afterEach(() => {
    for (const p of procs) p.signalGroup('SIGKILL');
    procs.length = 0;
  });
  afterAll(() => dir.cleanup());

  function setup(
    inFlight: () => InFlight = () => ({ kind: 'count', requests: 0 }),
    extra: Partial<ReplicaEnv> = {},
  ) {
    const clock = new FakeClock(0);
    const published: Endpoint[] = [];
    const removed: string[] = [];
    const events: ReplicaEvent[] = [];
    const writer = {
      publish: (ep: Endpoint) => {
        published.push(ep);
        return Promise.resolve(true);
      },
      remove: (uid: string, rid: number) => {
        removed.push(`${uid}/${rid}`);
        return Promise.resolve();
      },
    } as unknown as EndpointWriter;
    const env: ReplicaEnv = {
      nodeId: 'n1',
      address: '10.0.0.1',
      dataDir: dir.path,
      engineHost: '127.0.0.1',
      clock,
      logger: silentLogger(),
      writer,
      modelFiles: {
        cacheDir: dir.path,
        ensure: () => Promise.resolve({ modelPath: '/m', env: {}, downloaded: false }),
      },
      loadAdapter: () =>
        Promise.resolve({
          buildLaunch: () => ({ command: 'sleep', argv: ['300'], env: {} }),
          readiness: { path: '/health', expectStatus: 200 },
          metricNames: {
            running: 'vllm:num_requests_running',
            waiting: 'vllm:num_requests_waiting',
            kvCacheUsage: null,
            promptTokens: 'p',
            generationTokens: 'g',
            timeToFirstToken: null,
            prefixCacheQueries: null,
            prefixCacheHits: null,
            prefixCacheHitRate: null,
          },
        }),
      nebulaBin: { command: process.execPath, args: [] },
      engineExecutable: () => Promise.resolve(undefined),
      timing: { ...DEFAULT_REPLICA_TIMING, drainSettleMs: 1_000, drainPollMs: 250 },
      gpuMemoryTotal: () => 0,
      event: (_d, _v, e) => events.push(e),
      onChange: () => undefined,
      onRestart: () => undefined,
      launch: async (req) => {
        const p = await EngineProcess.spawn({
          command: req.launch.command,
          argv: req.launch.argv,
          env: {},
          logPath: join(dir.path, `engine-${procs.length}.log`),
        });
        procs.push(p);
        return p;
      },
      probe: () => Promise.resolve(true),
      inFlight: () => Promise.resolve(inFlight()),
      ...extra,
    };
    const d = desiredReplicas([plan(simSpec('m'), 1, [assignment(0, 'n1', 9000)])], 'n1').get('m/0')!;
    const c = new ReplicaController(env, d);
    const last = () => published.at(-1);
    return { c, clock, published, removed, events, last };
  }

  it('does not launch into a port another process holds: stays starting and reports the ports', async () => {
    let reports = 0;
    const { c, events, last } = setup(undefined, {
      portInUse: (port) => Promise.resolve(port === 9000),
      onPortTaken: () => void (reports += 1),
    });
    await c.start();
    await waitFor(() => reports === 1);
    expect(procs).toHaveLength(0);
    expect(last()).toMatchObject({ status: 'starting', restarts: 0 });
    expect(last()?.last_error).toContain(
      'port 9000 on 127.0.0.1 is in use by a process Nebula did not start',
    );
    expect(events.map((e) => e.type)).not.toContain('failed');
    await c.remove('test over', 0);
  });

  it('an engine that dies while starting because its port was taken is not a crash', async () => {
    let taken = false;
    let reports = 0;
    const { c, events, last } = setup(undefined, {
      probe: () => Promise.resolve(false),
      portInUse: () => Promise.resolve(taken),
      onPortTaken: () => void (reports += 1),
    });
    await c.start();
    const started = await waitFor(() => (last()?.status === 'starting' && last()?.pid ? last() : undefined));
    // Another process won the port: the engine exits (here: killed) while something else listens there.
    taken = true;
    process.kill(started.pid!, 'SIGKILL');
    await waitFor(() => reports === 1);
    expect(last()).toMatchObject({ status: 'starting', restarts: 0 });
    expect(last()?.last_error).toMatch(/^engine killed by SIGKILL: port 9000 .* in use/);
    expect(events.map((e) => e.type)).not.toContain('crashed');
    await c.remove('test over', 0);
  });

  it('an engine whose own log says its address was taken is not a crash, even when the holder is gone', async () => {
    let reports = 0;
    const { c, events, last } = setup(undefined, {
      probe: () => Promise.resolve(false),
      portInUse: () => Promise.resolve(false),
      onPortTaken: () => void (reports += 1),
      launch: async (req) => {
        const p = await EngineProcess.spawn({
          command: 'sh',
          argv: ['-c', 'echo "error: listen EADDRINUSE: address already in use 127.0.0.1:9000" >&2; exit 1'],
          env: {},
          logPath: join(dir.path, `engine-${procs.length}-${req.restarts}.log`),
        });
        procs.push(p);
        return p;
      },
    });
    await c.start();
    await waitFor(() => reports === 1);
    expect(last()).toMatchObject({ status: 'starting', restarts: 0 });
    expect(last()?.last_error).toMatch(/^engine exited with code 1: port 9000 .* in use/);
    expect(events.map((e) => e.type)).not.toContain('crashed');
    await c.remove('test over', 0);
  });

  it('restarts a crashed engine at once, then after the backoff, counting restarts', async () => {
    const { c, clock, last } = setup();
    await c.start();
    const first = await waitFor(() => (last()?.status === 'ready' ? last() : undefined));
    process.kill(first.pid!, 'SIGKILL');
    await waitFor(() => last()?.status === 'failed' && last()?.next_restart_at === new Date(0).toISOString());
    await clock.advance(0);
    const second = await waitFor(() =>
      last()?.status === 'ready' && last()?.pid !== first.pid ? last() : undefined,
    );
    expect(second.restarts).toBe(1);
    process.kill(second.pid!, 'SIGKILL');
    // The second crash in a row waits the backoff (10 s): nothing before it.
    await waitFor(
      () => last()?.status === 'failed' && last()?.next_restart_at === new Date(10_000).toISOString(),
    );
    await clock.advance(9_000);
    expect(last()?.status).toBe('failed');
    await clock.advance(1_000);
    const third = await waitFor(() =>
      last()?.status === 'ready' && last()?.pid !== second.pid ? last() : undefined,
    );
    expect(third.restarts).toBe(2);
    await c.shutdown(false);
  });

  it('drains on removal: draining (no take-over), in-flight finishes, then SIGTERM and the endpoint goes', async () => {
    let requests = 2;
    const { c, clock, published, removed, events, last } = setup(() => ({ kind: 'count', requests }));
    await c.start();
    const ep = await waitFor(() => (last()?.status === 'ready' ? last() : undefined));
    const done = c.remove('scale-down', 30_000);
    await waitFor(() => last()?.status === 'draining');
    expect(last()?.pid).toBe(ep.pid);
    // Settle, then in-flight polls: the engine keeps running while it reports work.
    for (let i = 0; i < 20; i++) await clock.advance(250);
    expect(procs[0]?.running).toBe(true);
    requests = 0;
    for (let i = 0; i < 4; i++) await clock.advance(250);
    await done;
    expect(procs[0]?.running).toBe(false);
    expect(published.map((e) => e.status).slice(-2)).toEqual(['draining', 'stopping']);
    expect(removed).toEqual(['m/0']);
    expect(events.at(-1)?.message).toMatch(
      /^engine stopped after draining \(\d+\.\d s, no request left\): scale-down$/,
    );
  });

  it('a drain with requests left ends at the grace; hurry() ends it at once', async () => {
    const { c, clock, events, last } = setup(() => ({ kind: 'count', requests: 1 }));
    await c.start();
    await waitFor(() => last()?.status === 'ready');
    const done = c.remove('stop', 5_000);
    await waitFor(() => last()?.status === 'draining');
    for (let i = 0; i < 21 && procs[0]?.running; i++) await clock.advance(250);
    await done;
    expect(events.at(-1)?.message).toBe(
      'engine stopped after its drain grace of 5 s ran out with requests in flight: stop',
    );
    const other = setup(() => ({ kind: 'count', requests: 1 }));
    await other.c.start();
    await waitFor(() => other.last()?.status === 'ready');
    const gone = other.c.remove('stop', 600_000);
    await waitFor(() => other.last()?.status === 'draining');
    other.c.hurry(2_000, 'node agent shutting down');
    await gone;
    expect(other.events.at(-1)?.message).toBe(
      'engine stopped (drain cut short: node agent shutting down): stop',
    );
  });
});
