import { describe, expect, it } from 'vitest';
import { MASKED_ENV_VALUE } from '../../engines/contract.js';
import { diffFields, formatChanges, formatValue, jsonEqual, topLevelFields } from './diff.js';

describe('jsonEqual', () => {
  it('compares JSON values deeply, ignoring key order and undefined members', () => {
    expect(jsonEqual({ a: 1, b: [1, { c: 2 }] }, { b: [1, { c: 2 }], a: 1 })).toBe(true);
    expect(jsonEqual({ a: 1, x: undefined }, { a: 1 })).toBe(true);
    expect(jsonEqual([1, 2], [2, 1])).toBe(false);
    expect(jsonEqual({ a: 1 }, { a: '1' })).toBe(false);
    expect(jsonEqual(null, undefined)).toBe(false);
    expect(jsonEqual({}, [])).toBe(false);
  });
});

describe('diffFields', () => {
  const current = {
    model_name: 'Qwen/Qwen2.5-0.5B',
    revision: 'main',
    replicas: 1,
    engine_config: { extra_args: ['--a'], env: { X: '1' } },
    labels: { team: 'ml' },
  };

  it('compares only what the desired side sets', () => {
    expect(diffFields({ model_name: 'Qwen/Qwen2.5-0.5B' }, current)).toEqual([]);
    expect(diffFields({ replicas: 3, revision: 'v2' }, current)).toEqual([
      { path: 'replicas', from: 1, to: 3 },
      { path: 'revision', from: 'main', to: 'v2' },
    ]);
  });

  it('descends into objects and compares arrays whole', () => {
    expect(
      diffFields({ engine_config: { env: { X: '1', Y: '2' }, extra_args: ['--a', '--b'] } }, current),
    ).toEqual([
      { path: 'engine_config.env.Y', from: undefined, to: '2' },
      { path: 'engine_config.extra_args', from: ['--a'], to: ['--a', '--b'] },
    ]);
    expect(diffFields({ resources: { gpu_count: 2 } }, current)).toEqual([
      { path: 'resources.gpu_count', from: undefined, to: 2 },
    ]);
  });

  it('does not compare write-only env values the server shows masked', () => {
    const masked = { engine_config: { env: { HF_TOKEN: MASKED_ENV_VALUE, MODE: 'fast' } } };
    expect(diffFields({ engine_config: { env: { HF_TOKEN: 'hf_x', MODE: 'slow' } } }, masked)).toEqual([
      { path: 'engine_config.env.MODE', from: 'fast', to: 'slow' },
    ]);
  });

  it('treats an empty object as "none" only when something is there', () => {
    expect(diffFields({ labels: {} }, current)).toEqual([{ path: 'labels', from: { team: 'ml' }, to: {} }]);
    expect(diffFields({ node_selector: {} }, current)).toEqual([]);
    expect(diffFields({ node_selector: {} }, { node_selector: {} })).toEqual([]);
  });

  it('diffs everything against a missing object and replaces scalars by objects', () => {
    expect(diffFields({ a: 1, b: { c: 2 } }, undefined)).toEqual([
      { path: 'a', from: undefined, to: 1 },
      { path: 'b.c', from: undefined, to: 2 },
    ]);
    expect(diffFields({ a: { b: 1 } }, { a: 'scalar' })).toEqual([
      { path: 'a', from: 'scalar', to: { b: 1 } },
    ]);
  });

  it('formats changes and lists top-level fields', () => {
    const changes = diffFields({ replicas: 2, engine_config: { env: { X: '2' } } }, current);
    expect(formatChanges(changes)).toBe('  replicas: 1 -> 2\n  engine_config.env.X: "1" -> "2"\n');
    expect(topLevelFields(changes)).toEqual(['replicas', 'engine_config']);
    expect(formatValue(undefined)).toBe('(none)');
    expect(formatValue(['a'])).toBe('["a"]');
  });
});
