import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DownloadProgress } from '../../src/core/domain/index.js';
import { keys } from '../../src/core/keys.js';
import { getJson } from '../../src/store/json.js';
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

function blobsDir(env: Env): string {
  return join(env.dir, 'cache', 'huggingface', 'hub', 'models--nebula-test--tiny-llm', 'blobs');
}

describe('download resilience', () => {
  it('resumes with Range after the connection drops mid-file (twice)', async () => {
    env.hub.setFailure({ kind: 'drop', afterBytes: 500_000, times: 2, match: '/cdn-lfs/' });
    const m = env.manager();
    const res = await m.ensure(ensureReq(spec(MODEL)));
    expect(res.downloaded).toBe(true);
    const cdn = env.hub.requests.filter((r) => r.hub === 'cdn');
    expect(cdn.map((r) => r.range)).toEqual([undefined, 'bytes=500000-', 'bytes=1000000-']);
    expect(cdn.map((r) => r.bytes)).toEqual([500_000, 500_000, WEIGHTS - 1_000_000]);
  });

  it('retries a file after 500s with backoff (twice, then it works)', async () => {
    env.hub.setFailure({
      kind: 'status',
      status: 500,
      times: 2,
      match: /\/resolve\/[0-9a-f]{40}\/model\.safetensors$/,
    });
    const m = env.manager();
    await m.ensure(ensureReq(spec(MODEL)));
    const resolves = env.hub.requests.filter(
      (r) => r.path.includes('/resolve/') && r.path.endsWith('model.safetensors'),
    );
    expect(resolves.map((r) => r.status)).toEqual([500, 500, 302]);
  });

  it('fails after three failures in a row, with the reason, in the progress key too', async () => {
    env.hub.setFailure({
      kind: 'status',
      status: 503,
      times: 3,
      match: /\/resolve\/[0-9a-f]{40}\/model\.safetensors$/,
    });
    const m = env.manager();
    const s = spec(MODEL);
    const err = await failure(m.ensure(ensureReq(s)));
    expect(err).toMatchObject({ code: 'DOWNLOAD_FAILED' });
    expect(err.message).toContain('download of model.safetensors failed after 3 attempt(s) in a row');
    expect(err.message).toContain('503');
    const p = await getJson(env.store, keys.downloadProgress(s.model_uid, 0), DownloadProgress);
    expect(p?.value.phase).toBe('failed');
    expect(p?.value.error).toContain('503');
    expect(p?.lease).toBeDefined();
  });

  it('rejects bytes that do not match the sha256, deletes them and says so', async () => {
    env.hub.setFailure({ kind: 'corrupt', match: '/cdn-lfs/' });
    const m = env.manager();
    const sha = env.hub
      .repo(MODEL)!
      .files.find((f) => f.path === 'model.safetensors')!
      .digests().sha256;
    const err = await failure(m.ensure(ensureReq(spec(MODEL))));
    expect(err).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
    expect(err.message).toMatch(
      new RegExp(`^sha256 mismatch for model.safetensors: expected ${sha}, got [0-9a-f]{64}$`),
    );
    const blobs = await readdir(blobsDir(env));
    expect(blobs.filter((b) => b.startsWith(sha))).toEqual([]);
    // Corrupt non-LFS files are caught too (by their git blob id).
    env.hub.setFailure({ kind: 'corrupt', match: /\/resolve\/[0-9a-f]{40}\/tokenizer\.json$/ });
    const err2 = await failure(
      env.manager({ cacheDir: join(env.dir, 'other') }).ensure(ensureReq(spec(MODEL))),
    );
    expect(err2.message).toMatch(/^git blob id mismatch for tokenizer.json/);
  });

  it('counts an unreachable hub as a failure with a clear reason', async () => {
    const m = env.manager({
      hfEndpoint: 'http://127.0.0.1:9',
      retry: { maxAttempts: 1, baseDelayMs: 1, maxDelayMs: 1 },
    });
    await expect(m.ensure(ensureReq(spec(MODEL)))).rejects.toMatchObject({
      code: 'DOWNLOAD_FAILED',
      message: expect.stringContaining('ECONNREFUSED'),
    });
    expect(contentRequests(env.hub)).toHaveLength(0);
  });

  it('a large file (hashed on the worker thread) resumes after drops and is verified', async () => {
    const BIG = 40 * 1024 * 1024;
    env.hub.addModel({
      id: 'nebula-test/big-llm',
      files: [
        { path: 'config.json', content: '{"model_type":"llama"}' },
        { path: 'model.safetensors', size: BIG },
      ],
    });
    const big = spec('nebula-test/big-llm');
    const dropAt = 9 * 1024 * 1024 + 12_345;
    env.hub.setFailure({ kind: 'drop', afterBytes: dropAt, times: 2, match: '/cdn-lfs/' });
    const res = await env.manager().ensure(ensureReq(big));
    expect(res.downloaded).toBe(true);
    const cdn = env.hub.requests.filter((r) => r.hub === 'cdn');
    expect(cdn.map((r) => r.range)).toEqual([undefined, `bytes=${dropAt}-`, `bytes=${2 * dropAt}-`]);
    const file = env.hub.repo('nebula-test/big-llm')!.files.find((f) => f.path === 'model.safetensors')!;
    const dir = join(env.dir, 'cache', 'huggingface', 'hub', 'models--nebula-test--big-llm', 'blobs');
    // The blob is named by its sha256, which the manager checked over the three pieces.
    const sha = file.digests().sha256;
    const { createHash } = await import('node:crypto');
    const { readFile } = await import('node:fs/promises');
    expect(
      createHash('sha256')
        .update(await readFile(join(dir, sha)))
        .digest('hex'),
    ).toBe(sha);

    env.hub.setFailure({ kind: 'corrupt', match: '/cdn-lfs/' });
    const err = await failure(
      env.manager({ cacheDir: join(env.dir, 'other') }).ensure(ensureReq(spec('nebula-test/big-llm'))),
    );
    expect(err).toMatchObject({ code: 'CHECKSUM_MISMATCH' });
  });
});
