import { createHash } from 'node:crypto';
import { mkdir, readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelCacheEntry } from '../../src/core/domain/index.js';
import { modelNameHash } from '../../src/core/ids.js';
import { keys } from '../../src/core/keys.js';
import { getJson } from '../../src/store/json.js';
import { readAll, type FakeModel } from '../fake-hub/index.js';
import { contentRequests, ensureReq, failure, setup, spec, type Env } from './helpers.js';

/** A GGUF repository in the styles of real ones: three single-file variants, a split one, a projector. */
const REPO = 'nebula-test/multi-GGUF';
const model: FakeModel = {
  id: REPO,
  hubs: ['huggingface', 'modelscope'],
  task: 'text-generation',
  files: [
    { path: '.gitattributes', content: '*.gguf filter=lfs diff=lfs merge=lfs -text\n' },
    { path: 'README.md', content: '# multi GGUF\n' },
    { path: 'multi-F16.gguf', size: 96 * 1024 },
    { path: 'multi-Q4_K_M.gguf', size: 40 * 1024 },
    { path: 'multi-Q8_0.gguf', size: 64 * 1024 },
    { path: 'Q6_K/multi-Q6_K-00001-of-00003.gguf', size: 20 * 1024 },
    { path: 'Q6_K/multi-Q6_K-00002-of-00003.gguf', size: 20 * 1024 },
    { path: 'Q6_K/multi-Q6_K-00003-of-00003.gguf', size: 9 * 1024 },
    { path: 'mmproj-F16.gguf', size: 8 * 1024 },
  ],
};

let env: Env;
beforeEach(async () => {
  env = await setup({ cdnHost: 'localhost', extraModels: [model] });
});
afterEach(async () => {
  await env.close();
});

const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');
const repoDir = (cacheDir: string) => join(cacheDir, 'huggingface', 'hub', 'models--nebula-test--multi-GGUF');
const llama = (extra: Record<string, unknown> = {}) =>
  spec(REPO, 'huggingface', { engine_type: 'llamacpp', ...extra });

async function entryOf() {
  return (
    await getJson(env.store, keys.modelCache('node-1', modelNameHash('huggingface', REPO)), ModelCacheEntry)
  )?.value;
}

describe('GGUF repositories with llama.cpp', () => {
  it('downloads only the variant the default rule picks, verified, in the hub cache layout', async () => {
    const m = env.manager();
    await m.start();
    const res = await m.ensure(ensureReq(llama()));
    const repo = env.hub.repo(REPO)!;
    const snap = join(repoDir(m.cacheDir), 'snapshots', repo.commit);
    expect(res.modelPath).toBe(join(snap, 'multi-Q4_K_M.gguf'));
    expect(await readdir(snap)).toEqual(['multi-Q4_K_M.gguf']);
    const file = repo.files.find((f) => f.path === 'multi-Q4_K_M.gguf')!;
    const bytes = await readFile(res.modelPath!);
    expect(sha256(bytes)).toBe(file.digests().sha256);
    expect(bytes.equals(readAll(file.source))).toBe(true);
    expect(await readdir(join(repoDir(m.cacheDir), 'blobs'))).toEqual([file.digests().sha256]);
    expect(contentRequests(env.hub).every((r) => r.path.includes('Q4_K_M') || r.hub === 'cdn')).toBe(true);
    expect(await entryOf()).toMatchObject({
      complete: true,
      file_count: 1,
      gguf_files: ['multi-Q4_K_M.gguf'],
    });
  });

  it('a split variant: every part and only those, the first part handed to the engine; then a second variant joins it', async () => {
    const m = env.manager();
    const res = await m.ensure(ensureReq(llama({ gguf_quant: 'q6_k' })));
    const repo = env.hub.repo(REPO)!;
    const snap = join(repoDir(m.cacheDir), 'snapshots', repo.commit);
    expect(res.modelPath).toBe(join(snap, 'Q6_K', 'multi-Q6_K-00001-of-00003.gguf'));
    expect((await readdir(join(snap, 'Q6_K'))).sort()).toEqual([
      'multi-Q6_K-00001-of-00003.gguf',
      'multi-Q6_K-00002-of-00003.gguf',
      'multi-Q6_K-00003-of-00003.gguf',
    ]);
    expect(await readdir(snap)).toEqual(['Q6_K']);
    for (const f of repo.files.filter((x) => x.path.startsWith('Q6_K/'))) {
      expect(sha256(await readFile(join(snap, f.path)))).toBe(f.digests().sha256);
    }
    const blobs = await readdir(join(repoDir(m.cacheDir), 'blobs'));
    expect(blobs).toHaveLength(3);

    // Another model of the same repository names a file: it is added, the first stays complete.
    const q8 = await m.ensure(ensureReq(llama({ gguf_file: 'multi-Q8_0.gguf' })));
    expect(q8.modelPath).toBe(join(snap, 'multi-Q8_0.gguf'));
    expect((await readdir(snap)).sort()).toEqual(['Q6_K', 'multi-Q8_0.gguf']);
    const entry = await entryOf();
    expect(entry).toMatchObject({ complete: true, file_count: 4 });
    expect(entry?.gguf_files).toEqual([
      'Q6_K/multi-Q6_K-00001-of-00003.gguf',
      'Q6_K/multi-Q6_K-00002-of-00003.gguf',
      'Q6_K/multi-Q6_K-00003-of-00003.gguf',
      'multi-Q8_0.gguf',
    ]);

    // Both are served from the cache now, by a fresh manager too (agent restart), without the hub.
    env.hub.clearRequests();
    const again = env.manager();
    expect(await again.ensure(ensureReq(llama({ gguf_quant: 'Q6_K' })))).toMatchObject({
      downloaded: false,
      modelPath: res.modelPath,
    });
    expect(await again.ensure(ensureReq(llama({ gguf_file: 'multi-Q8_0.gguf' })))).toMatchObject({
      downloaded: false,
      modelPath: q8.modelPath,
    });
    expect(env.hub.requests).toHaveLength(0);
    // A variant not fetched yet is resolved from the remembered listing and fetched alone.
    const f16 = await again.ensure(ensureReq(llama({ gguf_quant: 'F16' })));
    expect(f16.downloaded).toBe(true);
    expect(
      contentRequests(env.hub)
        .filter((r) => r.hub !== 'cdn')
        .map((r) => r.path),
    ).toEqual([expect.stringContaining('multi-F16.gguf')]);
  });

  it('verifies the chosen part against its LFS sha256 and keeps nothing that does not match', async () => {
    env.hub.setFailure({ kind: 'corrupt', match: '/cdn-lfs/', times: 1 });
    const m = env.manager({ retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 } });
    const err = await failure(m.ensure(ensureReq(llama())));
    expect(err).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect(err.message).toContain('multi-Q4_K_M.gguf');
    const blobs = await readdir(join(repoDir(m.cacheDir), 'blobs')).catch(() => []);
    const sha = env.hub
      .repo(REPO)!
      .files.find((f) => f.path === 'multi-Q4_K_M.gguf')!
      .digests().sha256;
    expect(blobs.filter((b) => b.startsWith(sha))).toEqual([]);
    // The next try (the hub behaves again) gets a verified copy.
    const res = await m.ensure(ensureReq(llama()));
    expect(sha256(await readFile(res.modelPath!))).toBe(sha);
  });

  it('refuses an unknown tag or file, naming the variants, and fetches nothing', async () => {
    const m = env.manager();
    const err = await failure(m.ensure(ensureReq(llama({ gguf_quant: 'IQ2_XS' }))));
    expect(err.code).toBe('GGUF_VARIANT_NOT_FOUND');
    expect(err.message).toContain('Q4_K_M (multi-Q4_K_M.gguf)');
    expect(err.message).toContain('Q6_K (Q6_K/multi-Q6_K-00001-of-00003.gguf)');
    expect(err.message).not.toContain('mmproj');
    const byFile = await failure(m.ensure(ensureReq(llama({ gguf_file: 'mmproj-F16.gguf' }))));
    expect(byFile.code).toBe('GGUF_VARIANT_NOT_FOUND');
    expect(contentRequests(env.hub)).toHaveLength(0);
  });

  it('a repository without GGUF files fails for llama.cpp', async () => {
    const m = env.manager();
    const err = await failure(
      m.ensure(ensureReq(spec('nebula-test/tiny-llm', 'huggingface', { engine_type: 'llamacpp' }))),
    );
    expect(err.code).toBe('GGUF_NO_VARIANTS');
    expect(contentRequests(env.hub)).toHaveLength(0);
  });

  it('other engines still get the whole repository, also after a llama.cpp model fetched one variant', async () => {
    const m = env.manager();
    await m.ensure(ensureReq(llama()));
    const res = await m.ensure(ensureReq(spec(REPO)));
    expect(res.downloaded).toBe(true);
    const repo = env.hub.repo(REPO)!;
    expect(res.modelPath).toBe(join(repoDir(m.cacheDir), 'snapshots', repo.commit));
    expect(await readdir(join(repoDir(m.cacheDir), 'blobs'))).toHaveLength(repo.files.length);
  });

  it('ModelScope: only the chosen variant too', async () => {
    const m = env.manager();
    const res = await m.ensure(
      ensureReq(spec(REPO, 'modelscope', { engine_type: 'llamacpp', gguf_quant: 'Q8_0' })),
    );
    expect(res.modelPath?.endsWith('multi-Q8_0.gguf')).toBe(true);
    const dir = res.modelPath!.slice(0, -'/multi-Q8_0.gguf'.length);
    expect((await readdir(dir)).filter((n) => !n.startsWith('.'))).toEqual(['multi-Q8_0.gguf']);
  });
});

describe('local GGUF paths with llama.cpp', () => {
  const local = (model_path: string, extra: Record<string, unknown> = {}) =>
    spec('tiny', 'local', { engine_type: 'llamacpp', model_path, ...extra });

  it('a .gguf file is loaded as is; a directory resolves to its one variant or the chosen one', async () => {
    const m = env.manager();
    const dir = join(env.dir, 'models');
    await mkdir(join(dir, 'split'), { recursive: true });
    await writeFile(join(dir, 'tiny-F32.gguf'), Buffer.alloc(300));
    await writeFile(join(dir, 'mmproj-tiny-F16.gguf'), Buffer.alloc(10));
    expect((await m.ensure(ensureReq(local(join(dir, 'tiny-F32.gguf'))))).modelPath).toBe(
      join(dir, 'tiny-F32.gguf'),
    );
    expect((await m.ensure(ensureReq(local(dir)))).modelPath).toBe(join(dir, 'tiny-F32.gguf'));

    await writeFile(join(dir, 'split', 'tiny-F16-00001-of-00002.gguf'), Buffer.alloc(100));
    await writeFile(join(dir, 'split', 'tiny-F16-00002-of-00002.gguf'), Buffer.alloc(100));
    // Two variants now: the default rule (no preferred tag present: the smallest) picks the split one.
    expect((await m.ensure(ensureReq(local(dir)))).modelPath).toBe(
      join(dir, 'split', 'tiny-F16-00001-of-00002.gguf'),
    );
    expect((await m.ensure(ensureReq(local(dir, { gguf_quant: 'f32' })))).modelPath).toBe(
      join(dir, 'tiny-F32.gguf'),
    );
    const err = await failure(m.ensure(ensureReq(local(dir, { gguf_quant: 'Q2_K' }))));
    expect(err).toMatchObject({
      code: 'GGUF_VARIANT_NOT_FOUND',
      message: expect.stringContaining(`directory ${dir}`),
    });
    const notGguf = join(env.dir, 'weights.bin');
    await writeFile(notGguf, 'x');
    expect(await failure(m.ensure(ensureReq(local(notGguf))))).toMatchObject({ code: 'GGUF_NO_VARIANTS' });
  });
});
