import { describe, expect, it } from 'vitest';
import { deploymentFor, specFor } from '../../scheduler/fixtures.js';
import { modelRef, referencedModels, selectEvictions } from './lru.js';
import type { ScannedModel } from './scan.js';

const MiB = 1024 * 1024;
function model(name: string, size: number, daysAgo?: number): ScannedModel {
  const m: ScannedModel = {
    model_name: name,
    source: 'huggingface',
    layout: 'huggingface',
    revision: 'main',
    path: `/c/${name}`,
    root: `/c/${name}`,
    size_bytes: size * MiB,
    file_count: 1,
    complete: true,
  };
  if (daysAgo !== undefined)
    m.last_used_at = new Date(Date.UTC(2026, 0, 31) - daysAgo * 86_400_000).toISOString();
  return m;
}
const disk = (usedMiB: number, availMiB: number) => ({
  used_bytes: usedMiB * MiB,
  available_bytes: availMiB * MiB,
});

describe('selectEvictions', () => {
  const models = [model('new', 10, 1), model('old', 10, 30), model('never', 5), model('mid', 10, 10)];
  const all = () => true;

  it('evicts nothing below the target', () => {
    expect(selectEvictions(models, disk(84, 16), all)).toEqual([]);
    expect(selectEvictions(models, disk(85, 15), all)).toEqual([]);
  });
  it('evicts never-used first, then oldest, until usage is below the target', () => {
    expect(selectEvictions(models, disk(96, 4), all).map((m) => m.model_name)).toEqual(['never', 'old']);
    expect(selectEvictions(models, disk(89, 11), all).map((m) => m.model_name)).toEqual(['never']);
    expect(selectEvictions(models, disk(90, 10), all).map((m) => m.model_name)).toEqual(['never', 'old']);
  });
  it('skips what may not go, and evicts everything allowed when even that is not enough', () => {
    expect(
      selectEvictions(models, disk(99, 1), (m) => m.model_name !== 'old').map((m) => m.model_name),
    ).toEqual(['never', 'mid']);
    expect(
      selectEvictions(models, disk(199, 1), (m) => m.model_name !== 'old').map((m) => m.model_name),
    ).toEqual(['never', 'mid', 'new']);
    expect(selectEvictions(models, disk(99, 1), () => false)).toEqual([]);
  });
  it('honours another target and an empty volume', () => {
    expect(selectEvictions(models, disk(80, 20), all, 70).map((m) => m.model_name)).toEqual(['never', 'old']);
    expect(selectEvictions(models, disk(0, 0), all)).toEqual([]);
  });
});

describe('referencedModels', () => {
  const spec = (uid: string, name: string, source: 'huggingface' | 'modelscope' | 'local', path?: string) =>
    specFor(uid, {
      model_name: name,
      model_source: source,
      engine_type: 'vllm',
      ...(path ? { model_path: path } : {}),
    });
  const dep = (uid: string, state: 'running' | 'stopped') => deploymentFor(uid, { desired_state: state });

  it('counts specs that have a deployment, running or stopped', () => {
    const refs = referencedModels(
      [
        spec('a', 'org/a', 'huggingface'),
        spec('b', 'org/b', 'modelscope'),
        spec('c', 'org/c', 'huggingface'),
        spec('d', 'mine', 'local', '/data/mine'),
      ],
      [dep('a', 'running'), dep('b', 'stopped'), dep('d', 'running')],
    );
    expect(refs.has(modelRef('huggingface', 'org/a'))).toBe(true);
    expect(refs.has(modelRef('modelscope', 'org/b'))).toBe(true);
    expect(refs.has(modelRef('huggingface', 'org/c'))).toBe(false);
    expect(refs.has(modelRef('modelscope', 'org/a'))).toBe(false);
    expect(refs.has(modelRef('local', '/data/mine'))).toBe(true);
  });
});
