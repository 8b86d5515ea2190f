import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadProgress } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { getJson } from '../../src/store/json.js';
import { waitFor } from '../helpers/ports.js';
import { contentRequests, ensureReq, failure, setup, spec, type Env } from './helpers.js';

let env: Env;
beforeEach(async () => {
  env = await setup();
});
afterEach(async () => {
  await env.close();
});

const MODEL = 'nebula-test/tiny-llm';
const WEIGHTS = 2 * 1024 * 1024;

async function progressOf(env: Env, uid: string, replica: number) {
  return getJson(env.store, keys.downloadProgress(uid, replica), DownloadProgress);
}

describe('download progress, dedupe and cancel', () => {
  it('publishes byte-level progress under a lease while the download runs', async () => {
    env.hub.setFailure({ kind: 'throttle', bytesPerSec: 1024 * 1024, match: '/cdn-lfs/' });
    const m = env.manager();
    const s = spec(MODEL);
    const seen: DownloadProgress[] = [];
    const done = m.ensure({ ...ensureReq(s), onProgress: (p) => seen.push(p) });
    const mid = await waitFor(
      async () => {
        const p = await progressOf(env, s.model_uid, 0);
        return p &&
          p.value.phase === 'downloading' &&
          p.value.bytes_done > 200_000 &&
          p.value.bytes_done < p.value.bytes_total &&
          p.value.speed_bps > 0
          ? p
          : undefined;
      },
      { timeoutMs: 10_000, intervalMs: 50, what: 'progress mid-download' },
    );
    expect(mid.lease).toBeDefined();
    expect(mid.value).toMatchObject({
      node_id: 'node-1',
      model_name: MODEL,
      source: 'huggingface',
      files_total: 8,
    });
    expect(mid.value.bytes_total).toBeGreaterThan(WEIGHTS);
    expect(mid.value.eta_seconds).toBeGreaterThan(0);
    expect(mid.value.current_file).toBeDefined();
    await done;
    const end = await progressOf(env, s.model_uid, 0);
    expect(end?.value.phase).toBe('complete');
    expect(end?.value.bytes_done).toBe(end?.value.bytes_total);
    // Throttled writes: at most one every ~500 ms (plus phase changes) over the ~2 s download.
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.length).toBeLessThan(15);
    expect(seen.at(-1)?.phase).toBe('complete');
  });

  it('downloads once for several replicas, each with its own progress key', async () => {
    env.hub.setFailure({ kind: 'throttle', bytesPerSec: 4 * 1024 * 1024, match: '/cdn-lfs/' });
    const m = env.manager();
    const s = spec(MODEL);
    const [a, b] = await Promise.all([m.ensure(ensureReq(s, 0)), m.ensure(ensureReq(s, 1))]);
    expect(a.modelPath).toBe(b.modelPath);
    expect(contentRequests(env.hub, 'model.safetensors').filter((r) => r.hub === 'cdn')).toHaveLength(1);
    expect(contentRequests(env.hub, 'tokenizer.json')).toHaveLength(1);
    expect((await progressOf(env, s.model_uid, 0))?.value.phase).toBe('complete');
    expect((await progressOf(env, s.model_uid, 1))?.value.phase).toBe('complete');
  });

  it('cancels when the signal fires, keeping the partial file for a later resume', async () => {
    env.hub.setFailure({ kind: 'throttle', bytesPerSec: 512 * 1024, match: '/cdn-lfs/' });
    const m = env.manager();
    const s = spec(MODEL);
    const ctl = new AbortController();
    const run = m.ensure(ensureReq(s, 0, ctl.signal));
    await waitFor(async () => ((await progressOf(env, s.model_uid, 0))?.value.bytes_done ?? 0) > 300_000, {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    ctl.abort();
    expect(await failure(run)).toMatchObject({ code: 'DOWNLOAD_CANCELLED' });
    await waitFor(() => m.activeDownloads === 0, { timeoutMs: 5000 });
    expect((await progressOf(env, s.model_uid, 0))?.value.phase).toBe('cancelled');
    const sha = env.hub
      .repo(MODEL)!
      .files.find((f) => f.path === 'model.safetensors')!
      .digests().sha256;
    const partial = join(
      env.dir,
      'cache',
      'huggingface',
      'hub',
      'models--nebula-test--tiny-llm',
      'blobs',
      `${sha}.incomplete`,
    );
    const kept = (await stat(partial)).size;
    expect(kept).toBeGreaterThan(0);
    // The next attempt asks only for the rest.
    env.hub.setFailure(null);
    env.hub.clearRequests();
    await m.ensure(ensureReq(s));
    expect(contentRequests(env.hub, 'model.safetensors').find((r) => r.hub === 'cdn')?.range).toBe(
      `bytes=${kept}-`,
    );
  });

  it('keeps downloading for the replicas still waiting when one of them is cancelled', async () => {
    env.hub.setFailure({ kind: 'throttle', bytesPerSec: 2 * 1024 * 1024, match: '/cdn-lfs/' });
    const m = env.manager();
    const s = spec(MODEL);
    const ctl = new AbortController();
    const first = m.ensure(ensureReq(s, 0, ctl.signal));
    const second = m.ensure(ensureReq(s, 1));
    await waitFor(async () => ((await progressOf(env, s.model_uid, 1))?.value.bytes_done ?? 0) > 100_000, {
      timeoutMs: 10_000,
      intervalMs: 50,
    });
    ctl.abort();
    expect(await failure(first)).toMatchObject({ code: 'DOWNLOAD_CANCELLED' });
    expect((await second).modelPath).toContain('snapshots');
    expect(contentRequests(env.hub, 'model.safetensors').filter((r) => r.hub === 'cdn')).toHaveLength(1);
  });
});
