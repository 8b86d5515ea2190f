import { createHash } from 'node:crypto';
import { lstat, readFile, readlink, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelCacheEntry } from '../../src/core/domain/index.js';
import { modelNameHash } from '../../src/core/ids.js';
import { keys } from '../../src/core/keys.js';
import { getJson } from '../../src/store/json.js';
import { FAKE_HF_TOKEN, readAll } from '../fake-hub/index.js';
import { contentRequests, ensureReq, setup, spec, type Env } from './helpers.js';

let env: Env;
beforeEach(async () => {
  // LFS files redirect to http://localhost:<port>/cdn-lfs/...: another origin, like the real CDN.
  env = await setup({ cdnHost: 'localhost' });
});
afterEach(async () => {
  await env.close();
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

describe('Hugging Face downloads', () => {
  it('writes the standard hub cache layout, byte for byte, with relative symlinks and refs', async () => {
    const m = env.manager();
    await m.start();
    const res = await m.ensure(ensureReq(spec('nebula-test/tiny-llm')));
    const repo = env.hub.repo('nebula-test/tiny-llm')!;
    const repoDir = join(m.cacheDir, 'huggingface', 'hub', 'models--nebula-test--tiny-llm');
    expect(res.downloaded).toBe(true);
    expect(res.modelPath).toBe(join(repoDir, 'snapshots', repo.commit));
    expect(res.env).toEqual({ HF_HOME: join(m.cacheDir, 'huggingface') });
    expect((await readFile(join(repoDir, 'refs', 'main'), 'utf8')).trim()).toBe(repo.commit);

    for (const f of repo.files) {
      const at = join(res.modelPath!, f.path);
      expect((await lstat(at)).isSymbolicLink()).toBe(true);
      const d = f.digests();
      const key = f.lfs ? d.sha256 : d.gitOid;
      const depth = f.path.split('/').length - 1;
      expect(await readlink(at)).toBe(`${'../'.repeat(depth + 2)}blobs/${key}`);
      const bytes = await readFile(at);
      expect(bytes.equals(readAll(f.source))).toBe(true);
      expect(sha256(bytes)).toBe(d.sha256);
    }
    const blobs = await readdir(join(repoDir, 'blobs'));
    expect(blobs.some((b) => b.endsWith('.incomplete'))).toBe(false);
    expect(blobs).toHaveLength(repo.files.length);

    // The entry is published and complete.
    const entry = await getJson(
      env.store,
      keys.modelCache('node-1', modelNameHash('huggingface', 'nebula-test/tiny-llm')),
      ModelCacheEntry,
    );
    expect(entry?.value).toMatchObject({
      model_name: 'nebula-test/tiny-llm',
      source: 'huggingface',
      layout: 'huggingface',
      complete: true,
      revision: 'main',
      file_count: repo.files.length,
    });
    expect(entry?.value.size_bytes).toBe(repo.files.reduce((n, f) => n + f.size, 0));
    expect(entry?.value.last_used_at).toBeDefined();
  });

  it('serves a second ensure from the cache without touching the hub', async () => {
    const m = env.manager();
    await m.ensure(ensureReq(spec('nebula-test/tiny-llm')));
    env.hub.clearRequests();
    const again = await m.ensure(ensureReq(spec('nebula-test/tiny-llm')));
    expect(again.downloaded).toBe(false);
    expect(env.hub.requests).toHaveLength(0);
    // A fresh manager (agent restart) finds it too, and a missing blob makes it fetch only that file.
    const m2 = env.manager();
    const repo = env.hub.repo('nebula-test/tiny-llm')!;
    const tok = repo.files.find((f) => f.path === 'tokenizer.json')!;
    const { rm } = await import('node:fs/promises');
    await rm(
      join(m2.cacheDir, 'huggingface', 'hub', 'models--nebula-test--tiny-llm', 'blobs', tok.digests().gitOid),
    );
    const third = await m2.ensure(ensureReq(spec('nebula-test/tiny-llm')));
    expect(third.downloaded).toBe(true);
    expect(contentRequests(env.hub).map((r) => r.path)).toEqual([expect.stringContaining('tokenizer.json')]);
  });

  it('needs HF_TOKEN for gated repositories and says so', async () => {
    const without = env.manager();
    await expect(without.ensure(ensureReq(spec('nebula-test/gated-llm')))).rejects.toMatchObject({
      code: 'HUB_UNAUTHORIZED',
      message: expect.stringContaining('HF_TOKEN'),
    });
    const withToken = env.manager({ env: { HF_TOKEN: FAKE_HF_TOKEN } });
    const res = await withToken.ensure(ensureReq(spec('nebula-test/gated-llm')));
    expect(res.downloaded).toBe(true);
    // The token goes to the hub, never to the CDN host the LFS files redirect to.
    const cdn = env.hub.requests.filter((r) => r.hub === 'cdn');
    expect(cdn.length).toBeGreaterThan(0);
    expect(cdn.every((r) => !r.auth)).toBe(true);
  });

  it('fails clearly for unknown models and refuses unsafe names', async () => {
    const m = env.manager();
    await expect(m.ensure(ensureReq(spec('nebula-test/no-such-model')))).rejects.toMatchObject({
      code: 'MODEL_NOT_FOUND_ON_HUB',
    });
    expect(() => spec('../etc/passwd')).toThrow();
    await expect(
      m.ensure(ensureReq({ ...spec('nebula-test/tiny-llm'), model_name: 'a/../../b' })),
    ).rejects.toMatchObject({ code: 'INVALID_MODEL_REFERENCE' });
  });

  it('follows redirects only to allowlisted hosts', async () => {
    const strict = env.manager({
      redirectHosts: [],
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    await expect(strict.ensure(ensureReq(spec('nebula-test/tiny-llm')))).rejects.toMatchObject({
      code: 'REDIRECT_NOT_ALLOWED',
      message: expect.stringContaining('localhost'),
    });
    expect(env.hub.requests.filter((r) => r.hub === 'cdn')).toHaveLength(0);
  });

  it('refuses a hub listing with a path that escapes the model folder', async () => {
    env.hub.addModel({
      id: 'evil/traversal',
      files: [
        { path: 'config.json', content: '{}' },
        { path: '../../../outside.txt', content: 'x' },
      ],
    });
    const m = env.manager();
    await expect(m.ensure(ensureReq(spec('evil/traversal')))).rejects.toMatchObject({
      code: 'INVALID_MODEL_REFERENCE',
      message: expect.stringContaining('unsafe file path'),
    });
  });
});

describe('Hugging Face file lists', () => {
  it('falls back to the recursive tree when model info lacks sizes and hashes', async () => {
    const local = await setup({ noBlobs: true });
    try {
      const m = local.manager();
      const res = await m.ensure(ensureReq(spec('nebula-test/tiny-llm')));
      expect(res.downloaded).toBe(true);
      expect(
        local.hub.requests.some((r) => r.path.includes('/tree/') && r.path.includes('recursive=true')),
      ).toBe(true);
      const repo = local.hub.repo('nebula-test/tiny-llm')!;
      const nested = repo.files.find((f) => f.path === 'onnx/README.txt')!;
      expect(
        (await readFile(join(res.modelPath!, 'onnx', 'README.txt'))).equals(readAll(nested.source)),
      ).toBe(true);
    } finally {
      await local.close();
    }
  });
});
