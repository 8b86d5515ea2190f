import { mkdir, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ModelCacheEntry } from '../../src/core/domain/index.js';
import { modelNameHash } from '../../src/core/ids.js';
import { keys } from '../../src/core/keys.js';
import { pickle } from '../../src/node/cache/index.js';
import { listJson } from '../../src/store/json.js';
import { setup, type Env } from './helpers.js';

let env: Env;
beforeEach(async () => {
  env = await setup({ models: [] });
});
afterEach(async () => {
  await env.close();
});

const COMMIT = 'a'.repeat(40);

async function put(path: string, content: string | Buffer = 'x'): Promise<void> {
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
}

/** What huggingface_hub leaves behind: blobs, snapshot symlinks and refs/main. */
async function hfRepo(
  hub: string,
  id: string,
  opts: { incomplete?: boolean; dangling?: boolean } = {},
): Promise<void> {
  const repo = join(hub, `models--${id.replace('/', '--')}`);
  await put(join(repo, 'blobs', 'b1'), '{"model_type":"llama"}');
  await put(join(repo, 'blobs', 'b2'), Buffer.alloc(1000, 1));
  await put(join(repo, 'refs', 'main'), `${COMMIT}\n`);
  const snap = join(repo, 'snapshots', COMMIT);
  await mkdir(join(snap, 'sub'), { recursive: true });
  await symlink('../../blobs/b1', join(snap, 'config.json'));
  await symlink('../../../blobs/b2', join(snap, 'sub', 'model.safetensors'));
  if (opts.incomplete) await put(join(repo, 'blobs', 'b3.incomplete'), 'partial');
  if (opts.dangling) await symlink('../../blobs/missing', join(snap, 'tokenizer.json'));
}

// A .mdl as Python 3.8+ writes it: pickle protocol 4 with FRAME, SHORT_BINUNICODE and MEMOIZE.
function py4Mdl(id: string): Buffer {
  const body = Buffer.concat([
    Buffer.from([0x7d, 0x94, 0x8c, 2]),
    Buffer.from('id'),
    Buffer.from([0x94, 0x8c, id.length]),
    Buffer.from(id),
    Buffer.from([0x94, 0x73, 0x2e]),
  ]);
  const frame = Buffer.alloc(9);
  frame[0] = 0x95;
  frame.writeBigUInt64LE(BigInt(body.length), 1);
  return Buffer.concat([Buffer.from([0x80, 0x04]), frame, body]);
}

describe('cache scan', () => {
  it('publishes Hugging Face, ModelScope and plain layouts, and removes entries that vanish', async () => {
    const cache = join(env.dir, 'cache');
    const hub = join(cache, 'huggingface', 'hub');
    await hfRepo(hub, 'org/complete');
    await hfRepo(hub, 'org/partial', { incomplete: true });
    await hfRepo(hub, 'org/broken', { dangling: true });
    await put(join(hub, 'datasets--org--data', 'blobs', 'x'));
    // ModelScope, current layout (dots become ___), with the library's markers.
    const ms = join(cache, 'modelscope', 'hub');
    const qwen = join(ms, 'models', 'Qwen', 'Qwen2___5-0___5B');
    await put(join(qwen, 'config.json'), '{}');
    await put(join(qwen, 'model.safetensors'), Buffer.alloc(2048, 2));
    await put(join(qwen, '.mdl'), py4Mdl('Qwen/Qwen2.5-0.5B'));
    await put(join(qwen, '.mv'), 'Revision:v1.0.0,CreatedAt:1700000000');
    // ModelScope, in progress (files in the temp folder).
    await put(join(ms, 'models', 'org', 'loading', 'config.json'), '{}');
    await put(join(ms, 'models', '._____temp', 'org', 'loading', 'model.safetensors.incomplete'), 'part');
    // ModelScope, legacy layout (recognised by its markers only).
    await put(join(ms, 'old', 'bert', 'pytorch_model.bin'), Buffer.alloc(10));
    await put(join(ms, 'old', 'bert', '.msc'), pickle([{ Path: 'pytorch_model.bin', Revision: 'v1' }]));
    await put(join(ms, 'random', 'thing', 'notes.txt'));
    // Plain directories: a folder of models and a model folder given directly.
    const plain = join(env.dir, 'models');
    await put(join(plain, 'llama-gguf', 'model-q4.gguf'), Buffer.alloc(4096, 3));
    await put(join(plain, 'not-a-model', 'readme.txt'));
    const direct = join(env.dir, 'direct-model');
    await put(join(direct, 'config.json'), '{}');
    await put(join(direct, 'model.safetensors'), Buffer.alloc(100));

    const m = env.manager({ plainDirs: [plain, direct] });
    await m.start();
    const entries = (await listJson(env.store, keys.modelCacheOf('node-1'), ModelCacheEntry)).items.map(
      (t) => t.value,
    );
    const by = (name: string) => entries.find((e) => e.model_name === name);
    expect(entries.map((e) => e.model_name).sort()).toEqual(
      [
        'Qwen/Qwen2.5-0.5B',
        direct,
        join(plain, 'llama-gguf'),
        'old/bert',
        'org/broken',
        'org/complete',
        'org/loading',
        'org/partial',
      ].sort(),
    );
    expect(by('org/complete')).toMatchObject({
      source: 'huggingface',
      layout: 'huggingface',
      revision: 'main',
      complete: true,
      file_count: 2,
      size_bytes: 22 + 1000,
      path: join(hub, 'models--org--complete', 'snapshots', COMMIT),
    });
    expect(by('org/partial')?.complete).toBe(false);
    expect(by('org/broken')?.complete).toBe(false);
    expect(by('Qwen/Qwen2.5-0.5B')).toMatchObject({
      source: 'modelscope',
      layout: 'modelscope',
      revision: 'v1.0.0',
      complete: true,
      file_count: 2,
      size_bytes: 2050,
      path: qwen,
    });
    expect(by('org/loading')?.complete).toBe(false);
    expect(by('old/bert')).toMatchObject({ source: 'modelscope', complete: true });
    expect(by(join(plain, 'llama-gguf'))).toMatchObject({
      source: 'local',
      layout: 'plain',
      complete: true,
      size_bytes: 4096,
    });
    expect(by(direct)).toMatchObject({ source: 'local', layout: 'plain', complete: true, file_count: 2 });
    for (const e of entries) expect(e.node_id).toBe('node-1');

    await rm(join(hub, 'models--org--complete'), { recursive: true });
    await m.rescan();
    const after = (await listJson(env.store, keys.modelCacheOf('node-1'), ModelCacheEntry)).items;
    expect(after.map((t) => t.value.model_name)).not.toContain('org/complete');
    expect(after.map((t) => t.key)).toContain(
      keys.modelCache('node-1', modelNameHash('modelscope', 'Qwen/Qwen2.5-0.5B')),
    );
  });

  it('reports last_used_at from the use marker', async () => {
    await hfRepo(join(env.dir, 'cache', 'huggingface', 'hub'), 'org/used');
    const m = env.manager();
    await m.markUsed('org/used', 'huggingface');
    const [e] = await m.rescan();
    expect(e?.last_used_at).toBeDefined();
    expect(Date.now() - Date.parse(e!.last_used_at!)).toBeLessThan(60_000);
  });
});
