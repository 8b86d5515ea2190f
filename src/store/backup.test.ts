import { describe, expect, it } from 'vitest';
import { ALL_PREFIXES } from '../core/keys.js';
import { batchOps, InvalidBackupError, parseBackup } from './backup.js';
import type { TxnOp } from './types.js';

const put = (key: string, size = 1): TxnOp => ({ op: 'put', key, value: 'x'.repeat(size) });

describe('batchOps', () => {
  it('splits by op count', () => {
    const ops = Array.from({ length: 7 }, (_, i) => put(`/models/m${i}/spec`));
    expect(batchOps(ops, 3, 1 << 20).map((b) => b.length)).toEqual([3, 3, 1]);
  });

  it('splits by bytes, and an op larger than the budget travels alone', () => {
    const ops = [put('/a/1', 400), put('/a/2', 400), put('/a/3', 2000), put('/a/4', 10)];
    expect(batchOps(ops, 100, 1000).map((b) => b.length)).toEqual([2, 1, 1]);
  });

  it('returns nothing for nothing', () => {
    expect(batchOps([], 10, 10)).toEqual([]);
  });
});

describe('parseBackup', () => {
  const ok = {
    format: 'nebula-backup',
    version: 1,
    revision: 3,
    created_at: '2026-01-01T00:00:00Z',
    keys: [],
  };

  it('accepts a backup with a key under every Nebula prefix', () => {
    const keys = ALL_PREFIXES.map((p) => ({ key: `${p}x`, value: '{}', lease: false }));
    expect(parseBackup({ ...ok, keys }).keys).toHaveLength(ALL_PREFIXES.length);
  });

  it.each([
    ['not an object', 'hello', /malformed|expected/],
    ['another format', { ...ok, format: 'etcd-snapshot' }, /format/],
    ['a newer version', { ...ok, version: 2 }, /version 2 is not supported/],
    [
      'a key outside the prefixes',
      { ...ok, keys: [{ key: '/registry/x', value: '', lease: false }] },
      /outside/,
    ],
    [
      'a duplicate key',
      {
        ...ok,
        keys: [put('/meta/a'), put('/meta/a')].map((o) => ({
          key: (o as { key: string }).key,
          value: '',
          lease: false,
        })),
      },
      /twice/,
    ],
    ['an unknown field', { ...ok, extra: 1 }, /extra|unrecognized/i],
    ['a missing lease flag', { ...ok, keys: [{ key: '/meta/a', value: '' }] }, /lease/],
  ])('rejects %s', (_what, input, message) => {
    expect(() => parseBackup(input)).toThrow(InvalidBackupError);
    expect(() => parseBackup(input)).toThrow(message);
  });
});
