import { describe, expect, it } from 'vitest';
import { checkTxn, checkTxnOps } from './arg-check.js';

describe('txn checks', () => {
  it('accepts distinct puts and overlapping deletes', () => {
    expect(() =>
      checkTxnOps([
        { op: 'put', key: '/a', value: '1' },
        { op: 'put', key: '/b', value: '2' },
        { op: 'delete', key: '/c' },
        { op: 'delete', key: '/c' },
        { op: 'deletePrefix', prefix: '/c' },
      ]),
    ).not.toThrow();
  });
  it('rejects a key put twice, or put and deleted in one branch', () => {
    const bad = [
      [
        { op: 'put', key: '/a', value: '1' },
        { op: 'put', key: '/a', value: '2' },
      ],
      [
        { op: 'put', key: '/a', value: '1' },
        { op: 'delete', key: '/a' },
      ],
      [
        { op: 'deletePrefix', prefix: '/x/' },
        { op: 'put', key: '/x/1', value: '1' },
      ],
      [{ op: 'put', key: '', value: '1' }],
      [{ op: 'put', key: '/a', value: 1 }],
      [{ op: 'rename', key: '/a' }],
    ];
    for (const ops of bad) expect(() => checkTxnOps(ops as never)).toThrow(/txn|key|value|op/);
  });
  it('validates compares', () => {
    expect(() => checkTxn({ compare: [{ key: '/a', modRevision: -1 }], success: [] })).toThrow(/modRevision/);
    expect(() => checkTxn({ compare: [{ key: '/a' } as never], success: [] })).toThrow(
      /modRevision or value/,
    );
    expect(() => checkTxn({ compare: [{ key: '/a', value: 'x' }], success: [] })).not.toThrow();
    expect(() => checkTxn({} as never)).toThrow(/compare and success/);
  });
});
