import { describe, expect, it } from 'vitest';
import { groupBy, indexBy, pushTo } from './group.js';

describe('group helpers', () => {
  const rows = [
    { id: 'a', n: 1 },
    { id: 'b', n: 2 },
    { id: 'a', n: 3 },
  ];
  it('indexes by key, the last item of a key winning', () => {
    expect([...indexBy(rows, (r) => r.id)]).toEqual([
      ['a', { id: 'a', n: 3 }],
      ['b', { id: 'b', n: 2 }],
    ]);
  });
  it('groups values by key in input order', () => {
    expect([
      ...groupBy(
        rows,
        (r) => r.id,
        (r) => r.n,
      ),
    ]).toEqual([
      ['a', [1, 3]],
      ['b', [2]],
    ]);
    const m = new Map<string, number[]>();
    pushTo(m, 'x', 1);
    pushTo(m, 'x', 2);
    expect(m.get('x')).toEqual([1, 2]);
  });
});
