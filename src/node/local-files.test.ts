import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { simSpec } from '../../test/node/fixtures.js';
import { LocalModelFiles } from './cache/local-files.js';

describe('LocalModelFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'nebula-local-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const files = new LocalModelFiles(join(dir, 'cache'));
  const req = (spec: ReturnType<typeof simSpec>) => ({
    spec,
    modelUid: spec.model_uid,
    replicaId: 0,
    signal: new AbortController().signal,
  });

  it('needs no weights for the simulator without a path', async () => {
    await expect(files.ensure(req(simSpec('m1')))).resolves.toEqual({
      modelPath: undefined,
      env: {},
      downloaded: false,
    });
  });

  it('checks that a local path exists', async () => {
    const ok = simSpec('m2', { model_source: 'local', engine_type: 'vllm', model_path: dir });
    await expect(files.ensure(req(ok))).resolves.toMatchObject({ modelPath: dir });
    const missing = simSpec('m3', {
      model_source: 'local',
      engine_type: 'vllm',
      model_path: join(dir, 'nope'),
    });
    await expect(files.ensure(req(missing))).rejects.toMatchObject({ code: 'MODEL_PATH_MISSING' });
    const relative = simSpec('m4', { model_source: 'local', engine_type: 'vllm', model_path: 'models/x' });
    await expect(files.ensure(req(relative))).rejects.toMatchObject({ code: 'MODEL_PATH_INVALID' });
    const noPath = simSpec('m5', { model_source: 'local', engine_type: 'vllm' });
    await expect(files.ensure(req(noPath))).rejects.toMatchObject({ code: 'MODEL_PATH_MISSING' });
  });

  it('says that hub downloads are not available', async () => {
    const hub = simSpec('m6', { engine_type: 'vllm', model_name: 'Qwen/Qwen2.5-0.5B' });
    await expect(files.ensure(req(hub))).rejects.toThrow(/downloads not available/);
  });
});
