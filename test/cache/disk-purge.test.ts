import { lstat, readdir, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  CachePurgeRequest,
  DiskAlert,
  ModelDeployment,
  ModelSpec,
  NodeDiskStatus,
} from '../../src/core/domain/index.js';
import { modelNameHash } from '../../src/core/ids.js';
import { keys } from '../../src/core/keys.js';
import type { StatFsResult } from '../../src/node/cache/index.js';
import { lastUsedPath } from '../../src/node/cache/manifest.js';
import { getJson, putJson } from '../../src/store/json.js';
import { waitFor } from '../helpers/ports.js';
import { ensureReq, setup, spec, type Env } from './helpers.js';

let env: Env;
beforeEach(async () => {
  env = await setup();
});
afterEach(async () => {
  await env.close();
});

/** statfs of a volume of `blocks` 4 KiB blocks at `pct` percent used. */
function statfsAt(ref: { pct: number }, blocks = 10_000) {
  return async (): Promise<StatFsResult> => {
    const free = Math.round(((100 - ref.pct) * blocks) / 100);
    return { bsize: 4096, blocks, bfree: free, bavail: free };
  };
}

async function du(dir: string): Promise<number> {
  let n = 0;
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) n += await du(p);
    else n += (await lstat(p)).size;
  }
  return n;
}

describe('disk status and alerts', () => {
  it('raises, changes and clears the disk usage alert at 85 % and 95 %', async () => {
    const ref = { pct: 84 };
    const m = env.manager({ statfs: statfsAt(ref) });
    const alert = async () =>
      (await getJson(env.store, keys.alert('node-1', 'disk_usage'), DiskAlert))?.value;
    await m.checkDisk();
    const disk = (await getJson(env.store, keys.nodeDisk('node-1'), NodeDiskStatus))?.value;
    expect(disk).toMatchObject({
      node_id: 'node-1',
      total_bytes: 40_960_000,
      used_bytes: 34_406_400,
      available_bytes: 6_553_600,
      usage_percent: 84,
    });
    expect(await alert()).toBeUndefined();
    ref.pct = 86;
    await m.checkDisk();
    expect(await alert()).toMatchObject({ level: 'warning', usage_percent: 86, alert_type: 'disk_usage' });
    const rev1 = (await env.store.get(keys.alert('node-1', 'disk_usage')))?.modRevision;
    ref.pct = 88;
    await m.checkDisk();
    // Same level: not rewritten.
    expect((await env.store.get(keys.alert('node-1', 'disk_usage')))?.modRevision).toBe(rev1);
    ref.pct = 96;
    await m.checkDisk();
    expect(await alert()).toMatchObject({ level: 'critical', usage_percent: 96 });
    expect((await alert())?.message).toContain('96.0%');
    ref.pct = 50;
    await m.checkDisk();
    expect(await alert()).toBeUndefined();
  });

  it('measures the real cache volume by default', async () => {
    const m = env.manager();
    const st = await m.checkDisk();
    expect(st.total_bytes).toBeGreaterThan(0);
    expect(st.usage_percent).toBeGreaterThanOrEqual(0);
  });
});

describe('purge', () => {
  it('refuses while a running replica uses the model, deletes it otherwise', async () => {
    let inUse = true;
    const m = env.manager({
      isInUse: (name, source) => inUse && name === 'nebula-test/tiny-llm' && source === 'huggingface',
    });
    await m.start();
    const res = await m.ensure(ensureReq(spec('nebula-test/tiny-llm')));
    const refused = await m.purge('nebula-test/tiny-llm', 'huggingface');
    expect(refused).toMatchObject({ status: 'refused', freed_bytes: 0 });
    expect(refused.reason).toContain('in use');
    expect((await stat(res.modelPath!)).isDirectory()).toBe(true);
    inUse = false;
    const done = await m.purge('nebula-test/tiny-llm', 'huggingface');
    expect(done.status).toBe('done');
    expect(done.freed_bytes).toBeGreaterThan(2 * 1024 * 1024);
    await expect(
      stat(join(m.cacheDir, 'huggingface', 'hub', 'models--nebula-test--tiny-llm')),
    ).rejects.toThrow();
    expect(
      await env.store.get(keys.modelCache('node-1', modelNameHash('huggingface', 'nebula-test/tiny-llm'))),
    ).toBeUndefined();
    expect(await m.purge('nebula-test/tiny-llm', 'huggingface')).toMatchObject({ status: 'not_found' });
    // Downloading again works after a purge (no stale manifest claims it is there).
    expect((await m.ensure(ensureReq(spec('nebula-test/tiny-llm')))).downloaded).toBe(true);
  });

  it('handles /cache_purge requests and writes the outcome back under a lease', async () => {
    let inUse = true;
    const m = env.manager({ isInUse: () => inUse });
    await m.start();
    await m.ensure(ensureReq(spec('nebula-test/tiny-llm', 'modelscope')));
    const hash = modelNameHash('modelscope', 'nebula-test/tiny-llm');
    const key = keys.cachePurge('node-1', hash);
    const request = async () =>
      putJson(env.store, key, CachePurgeRequest, {
        node_id: 'node-1',
        name_hash: hash,
        requested_at: new Date().toISOString(),
        status: 'pending',
      });
    const outcome = () =>
      waitFor(
        async () => {
          const r = await getJson(env.store, key, CachePurgeRequest);
          return r && r.value.status !== 'pending' ? r : undefined;
        },
        { timeoutMs: 10_000, what: 'purge outcome' },
      );
    await request();
    const refused = await outcome();
    expect(refused.value).toMatchObject({
      status: 'refused',
      model_name: 'nebula-test/tiny-llm',
      source: 'modelscope',
    });
    expect(refused.value.reason).toContain('in use');
    expect(refused.lease).toBeDefined();
    inUse = false;
    await request();
    const done = await outcome();
    expect(done.value.status).toBe('done');
    expect(done.value.freed_bytes).toBeGreaterThan(0);
    expect(await env.store.get(keys.modelCache('node-1', hash))).toBeUndefined();
    await expect(
      stat(join(m.cacheDir, 'modelscope', 'hub', 'models', 'nebula-test', 'tiny-llm')),
    ).rejects.toThrow();
  });

  it('never deletes plain directories outside the cache', async () => {
    const { mkdir, writeFile } = await import('node:fs/promises');
    const dir = join(env.dir, 'user-model');
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, 'config.json'), '{}');
    const m = env.manager({ plainDirs: [dir] });
    await m.rescan();
    expect(await m.purge(dir, 'local')).toMatchObject({
      status: 'refused',
      reason: expect.stringContaining('not inside the cache'),
    });
    expect((await stat(join(dir, 'config.json'))).isFile()).toBe(true);
  });
});

describe('LRU eviction under critical disk pressure', () => {
  it('evicts the least recently used unreferenced model, and only as much as needed', async () => {
    const MiB = 1024 * 1024;
    for (const [id, size] of [
      ['lru/a', 8 * MiB],
      ['lru/b', MiB],
      ['lru/c', MiB],
      ['lru/d', MiB],
    ] as const) {
      env.hub.addModel({
        id,
        files: [
          { path: 'config.json', content: '{}' },
          { path: 'model.safetensors', size },
        ],
      });
    }
    const cacheDir = join(env.dir, 'cache');
    // A 60 MiB volume whose usage follows what the cache holds.
    const capacity = 60 * MiB;
    let base = 0;
    const statfs = async (): Promise<StatFsResult> => {
      const used = base + (await du(cacheDir));
      const free = Math.max(0, Math.floor((capacity - used) / 4096));
      return { bsize: 4096, blocks: capacity / 4096, bfree: free, bavail: free };
    };
    const m = env.manager({ evictLru: true, statfs, isInUse: (name) => name === 'lru/d' });
    await m.start();
    const specs: ModelSpec[] = [];
    for (const id of ['lru/a', 'lru/b', 'lru/c', 'lru/d']) {
      const s = spec(id);
      specs.push(s);
      await m.ensure(ensureReq(s));
    }
    // lru/c is deployed; lru/a was used longest ago; lru/b more recently.
    const c = specs[2]!;
    await putJson(env.store, keys.modelSpec(c.model_uid), ModelSpec, c);
    await putJson(env.store, keys.deployment(c.model_uid), ModelDeployment, {
      model_uid: c.model_uid,
      desired_state: 'stopped',
      replicas: 1,
      generation: 1,
      created_at: c.created_at,
      updated_at: c.updated_at,
    });
    const at = (id: string, daysAgo: number) => {
      const t = new Date(Date.now() - daysAgo * 86_400_000);
      return utimes(lastUsedPath(cacheDir, 'huggingface', id), t, t);
    };
    await at('lru/a', 30);
    await at('lru/b', 2);
    await at('lru/c', 60);
    await at('lru/d', 90);
    // Usage: 85 % plus 7 MiB -> above 95 %; freeing lru/a (8 MiB) is enough, lru/b stays.
    base = 0.85 * capacity + 7 * MiB - (await du(cacheDir));
    const st = await m.checkDisk();
    const exists = async (id: string) =>
      !!(await stat(join(cacheDir, 'huggingface', 'hub', `models--${id.replace('/', '--')}`)).catch(
        () => undefined,
      ));
    expect(await exists('lru/a')).toBe(false);
    expect(await exists('lru/b')).toBe(true);
    expect(await exists('lru/c')).toBe(true);
    expect(await exists('lru/d')).toBe(true);
    expect(st.usage_percent).toBeLessThan(85);
    expect(await env.store.get(keys.alert('node-1', 'disk_usage'))).toBeUndefined();
  });

  it('is off by default', async () => {
    const m = env.manager({ statfs: statfsAt({ pct: 99 }, 10_000_000) });
    await m.ensure(ensureReq(spec('nebula-test/tiny-llm')));
    await m.checkDisk();
    expect(m.entries.size).toBe(1);
    expect((await getJson(env.store, keys.alert('node-1', 'disk_usage'), DiskAlert))?.value.level).toBe(
      'critical',
    );
  });
});
