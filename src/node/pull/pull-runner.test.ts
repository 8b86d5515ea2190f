import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelPull } from '../../core/domain/index.js';
import { keys, parseKey } from '../../core/keys.js';
import { openEmbeddedStore } from '../../store/embedded/index.js';
import { decode, encode } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import type { PrefetchRequest, PrefetchResult, ProgressSnapshot } from '../cache/index.js';
import { waitFor } from '../../../test/helpers/wait-for.js';
import { PullRunner } from './pull-runner.js';

const T0 = '2026-01-01T00:00:00.000Z';

function request(uid: string, node: string, at = T0): ModelPull {
  return ModelPull.parse({
    model_uid: uid,
    node_id: node,
    model_name: `org/${uid}`,
    model_source: 'huggingface',
    engine_type: 'vllm',
    requested_at: at,
  });
}

function snap(done: number, total: number): ProgressSnapshot {
  return {
    phase: 'downloading',
    bytes_done: done,
    bytes_total: total,
    files_done: 0,
    files_total: 2,
    speed_bps: 100,
    attempt: 1,
    started_at: T0,
  };
}

/** A cache manager stand-in whose downloads the test finishes by hand. */
class FakeFiles {
  readonly calls: PrefetchRequest[] = [];
  inFlight = 0;
  maxInFlight = 0;
  private readonly waiting: ((r: PrefetchResult | Error) => void)[] = [];

  prefetch(req: PrefetchRequest): Promise<PrefetchResult> {
    this.calls.push(req);
    this.inFlight += 1;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    return new Promise<PrefetchResult>((resolve, reject) => {
      const settle = (r: PrefetchResult | Error) => {
        this.inFlight -= 1;
        if (r instanceof Error) reject(r);
        else resolve(r);
      };
      req.signal.addEventListener('abort', () => settle(new Error('cancelled')), { once: true });
      this.waiting.push(settle);
    });
  }

  finish(i: number, r: PrefetchResult | Error): void {
    this.waiting[i]?.(r);
  }
}

describe('PullRunner', () => {
  let store: Store;
  let files: FakeFiles;
  let runner: PullRunner | undefined;
  const puts: string[] = [];
  /** Writes of the runner that fail (the store is away), counted down. */
  let failPuts = 0;

  beforeEach(async () => {
    const inner = await openEmbeddedStore({});
    puts.length = 0;
    // Counts the runner's writes (the test's own go through `inner`).
    store = new Proxy(inner, {
      get(target, prop, recv) {
        if (prop === 'put')
          return (k: string, v: string, o?: object) => {
            puts.push(k);
            if (failPuts > 0) {
              failPuts -= 1;
              return Promise.reject(new Error('store unavailable'));
            }
            return target.put(k, v, o);
          };
        const v = Reflect.get(target, prop, recv) as unknown;
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      },
    });
    files = new FakeFiles();
    failPuts = 0;
  });
  afterEach(async () => {
    await runner?.stop();
    runner = undefined;
    await store.close();
  });

  const start = async (opts: Partial<ConstructorParameters<typeof PullRunner>[0]> = {}) => {
    runner = new PullRunner({ nodeId: 'n1', progressIntervalMs: 60_000, ...opts }, { store, files });
    await runner.start();
    return runner;
  };
  const put = (p: ModelPull) => store.put(keys.pull(p.model_uid, p.node_id), encode(ModelPull, p));
  const read = async (uid: string, node = 'n1') => {
    const kv = await store.get(keys.pull(uid, node));
    return kv ? { ...decode(ModelPull, kv), lease: kv.lease } : undefined;
  };
  const until = <T>(f: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> =>
    waitFor(
      async () => {
        const v = await f();
        return v === false ? undefined : v;
      },
      { timeoutMs: 5_000, intervalMs: 10, what: 'the pull condition' },
    );

  it('downloads the pulls naming its node, with bounded progress writes, and keeps the result under a lease', async () => {
    await start();
    await put(request('a', 'n1'));
    await put(request('a', 'n2'));
    await until(() => files.calls.length === 1);
    expect(files.calls[0]?.target).toEqual({
      model_name: 'org/a',
      model_source: 'huggingface',
      revision: 'main',
      engine_type: 'vllm',
    });
    expect((await read('a'))?.value.status).toBe('downloading');
    const before = puts.length;
    // A burst of progress within one interval: one write at most (the first), the rest wait for the interval.
    for (let i = 1; i <= 50; i++) files.calls[0]?.onProgress?.(snap(i * 10, 1000));
    await until(async () => (await read('a'))?.value.bytes_done === 10);
    expect(puts.length - before).toBe(1);
    files.finish(0, { cached: false, fetchedBytes: 1000, bytesTotal: 1000, filesTotal: 2 });
    const done = await until(async () => {
      const r = await read('a');
      return r?.value.status === 'done' ? r : undefined;
    });
    expect(done.value).toMatchObject({ bytes_done: 1000, bytes_total: 1000, files_done: 2, cached: false });
    expect(done.value.completed_at).toBeDefined();
    expect(done.lease).toBeDefined();
    // The other node's pull is untouched.
    expect((await read('a', 'n2'))?.value.status).toBe('pending');
    expect(files.calls).toHaveLength(1);
  });

  it('records a failure, and runs a new request of the same key again', async () => {
    await start();
    await put(request('b', 'n1'));
    await until(() => files.calls.length === 1);
    files.finish(0, new Error('hub said 404'));
    const failed = await until(async () => {
      const r = await read('b');
      return r?.value.status === 'failed' ? r : undefined;
    });
    expect(failed.value.error).toBe('hub said 404');
    await put(request('b', 'n1', '2026-01-01T00:01:00.000Z'));
    await until(() => files.calls.length === 2);
    files.finish(1, { cached: true, fetchedBytes: 0, bytesTotal: 5, filesTotal: 1 });
    await until(async () => (await read('b'))?.value.status === 'done');
    const again = (await read('b'))?.value;
    expect(again?.cached).toBe(true);
    expect(again?.error).toBeUndefined();
  });

  it('tries again when the store does not take a write, and never leaves a pull pending', async () => {
    await put(request('g', 'n1'));
    failPuts = 4; // the first write and its three quick retries
    await start({ retryMs: 20 });
    await until(() => files.calls.length === 1);
    expect((await read('g'))?.value.status).toBe('downloading');
    files.finish(0, { cached: false, fetchedBytes: 3, bytesTotal: 3, filesTotal: 1 });
    await until(async () => (await read('g'))?.value.status === 'done');
  });

  it('stops a download whose request is deleted, and writes nothing more', async () => {
    await start();
    await put(request('c', 'n1'));
    await until(() => files.calls.length === 1);
    await store.delete(keys.pull('c', 'n1'));
    await until(() => files.calls[0]?.signal.aborted);
    await until(() => runner?.pending === 0);
    expect(await read('c')).toBeUndefined();
  });

  it('runs at most `concurrency` pulls at once and resumes interrupted ones on start', async () => {
    await put({ ...request('d', 'n1'), status: 'downloading' });
    await put(request('e', 'n1'));
    await put(request('f', 'n1'));
    await start({ concurrency: 1 });
    await until(() => files.calls.length === 1);
    expect(parseKey(keys.pull('d', 'n1'))).toEqual({ kind: 'pull', modelUid: 'd', nodeId: 'n1' });
    for (let i = 0; i < 3; i++) {
      await until(() => files.calls.length === i + 1);
      expect(files.inFlight).toBe(1);
      files.finish(i, { cached: true, fetchedBytes: 0, bytesTotal: 1, filesTotal: 1 });
    }
    for (const uid of ['d', 'e', 'f']) await until(async () => (await read(uid))?.value.status === 'done');
    expect(files.maxInFlight).toBe(1);
  });
});
