import { readFile, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelCacheEntry } from '../../src/core/domain/index.js';
import { modelNameHash } from '../../src/core/ids.js';
import { keys } from '../../src/core/keys.js';
import { pickle, readMdlId } from '../../src/node/cache/index.js';
import { getJson } from '../../src/store/json.js';
import { readAll, smallModelFiles } from '../fake-hub/index.js';
import { contentRequests, ensureReq, setup, spec, type Env } from './helpers.js';

let env: Env;
beforeEach(async () => {
  env = await setup();
});
afterEach(async () => {
  await env.close();
});

describe('ModelScope downloads', () => {
  it('writes the layout the modelscope library reads', async () => {
    env.hub.addModel({
      id: 'nebula-test/Qwen2.5-tiny',
      files: smallModelFiles(256 * 1024),
      task: 'text-generation',
    });
    const m = env.manager();
    await m.start();
    const res = await m.ensure(ensureReq(spec('nebula-test/Qwen2.5-tiny', 'modelscope')));
    const root = join(m.cacheDir, 'modelscope', 'hub');
    const dir = join(root, 'models', 'nebula-test', 'Qwen2___5-tiny');
    expect(res).toEqual({ modelPath: dir, env: { MODELSCOPE_CACHE: root }, downloaded: true });
    const repo = env.hub.repo('nebula-test/Qwen2.5-tiny')!;
    // The library skips .gitattributes; everything else is there, byte for byte.
    for (const f of repo.files.filter((x) => x.path !== '.gitattributes')) {
      expect((await readFile(join(dir, f.path))).equals(readAll(f.source))).toBe(true);
    }
    expect(readMdlId(await readFile(join(dir, '.mdl')))).toBe('nebula-test/Qwen2.5-tiny');
    const msc = await readFile(join(dir, '.msc'));
    expect(
      msc.equals(
        pickle(
          repo.files
            .filter((x) => x.path !== '.gitattributes')
            .map((f) => ({ Path: f.path, Revision: repo.commit })),
        ),
      ),
    ).toBe(true);
    expect(await readFile(join(dir, '.mv'), 'utf8')).toMatch(/^Revision:master,CreatedAt:\d+$/);
    await expect(stat(join(root, 'models', '._____temp', 'nebula-test', 'Qwen2.5-tiny'))).rejects.toThrow();

    const entry = await getJson(
      env.store,
      keys.modelCache('node-1', modelNameHash('modelscope', 'nebula-test/Qwen2.5-tiny')),
      ModelCacheEntry,
    );
    expect(entry?.value).toMatchObject({
      source: 'modelscope',
      layout: 'modelscope',
      complete: true,
      revision: 'master',
      path: dir,
    });

    env.hub.clearRequests();
    expect((await m.ensure(ensureReq(spec('nebula-test/Qwen2.5-tiny', 'modelscope')))).downloaded).toBe(
      false,
    );
    expect(env.hub.requests).toHaveLength(0);
  });

  it('verifies sha256 of every file and resumes from the temp folder', async () => {
    const m = env.manager();
    env.hub.setFailure({
      kind: 'drop',
      afterBytes: 300 * 1024,
      times: 1,
      match: 'FilePath=model.safetensors',
    });
    const res = await m.ensure(ensureReq(spec('nebula-test/tiny-llm', 'modelscope')));
    expect(res.downloaded).toBe(true);
    const gets = contentRequests(env.hub, 'model.safetensors');
    expect(gets.map((r) => r.range)).toEqual([undefined, `bytes=${300 * 1024}-`]);
    expect(gets[1]?.bytes).toBe(2 * 1024 * 1024 - 300 * 1024);
    expect((await readdir(res.modelPath!)).sort()).toContain('model.safetensors');
  });
});
