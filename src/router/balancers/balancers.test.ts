import { describe, expect, it } from 'vitest';
import {
  createBalancer,
  HashRing,
  LeastOutstandingBalancer,
  LruMap,
  PrefixAwareBalancer,
  prefixHashes,
  promptPrefixText,
  RoundRobinBalancer,
  SessionAffinityBalancer,
} from './index.js';
import type { Candidate } from './types.js';

interface TestCandidate extends Candidate {
  id: string;
  outstanding: number;
  waiting: number;
  kvUsage: number;
}

/** `n` idle candidates `r0`..; `loads[i]` sets candidate i's load. */
function candidates(n: number, loads: Partial<Omit<TestCandidate, 'id'>>[] = []): TestCandidate[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `r${i}`,
    outstanding: 0,
    waiting: 0,
    kvUsage: 0,
    ...loads[i],
  }));
}

describe('RoundRobinBalancer', () => {
  it('cycles through every candidate in order', () => {
    const b = new RoundRobinBalancer();
    const cs = candidates(3);
    expect(Array.from({ length: 7 }, () => b.pick(cs, {})?.id)).toEqual([
      'r0',
      'r1',
      'r2',
      'r0',
      'r1',
      'r2',
      'r0',
    ]);
  });

  it('skips excluded candidates and returns undefined when none is eligible', () => {
    const b = new RoundRobinBalancer();
    const cs = candidates(3);
    expect(b.pick(cs, { exclude: new Set(['r0']) })?.id).toBe('r1');
    expect(b.pick(cs, { exclude: new Set(['r2']) })?.id).toBe('r0');
    expect(b.pick(cs, { exclude: new Set(['r0', 'r1', 'r2']) })).toBeUndefined();
    expect(b.pick([], {})).toBeUndefined();
  });

  it('keeps working when the candidate list shrinks', () => {
    const b = new RoundRobinBalancer();
    const cs = candidates(4);
    b.pick(cs, {});
    b.pick(cs, {});
    b.pick(cs, {});
    const fewer = cs.slice(0, 2);
    const seen = new Set([b.pick(fewer, {})?.id, b.pick(fewer, {})?.id]);
    expect(seen).toEqual(new Set(['r0', 'r1']));
  });
});

describe('LeastOutstandingBalancer', () => {
  it('picks the candidate with the fewest in-flight plus queued requests', () => {
    const b = new LeastOutstandingBalancer();
    const cs = candidates(3, [{ outstanding: 5 }, { outstanding: 1, waiting: 3 }, { outstanding: 2 }]);
    expect(b.pick(cs, {})?.id).toBe('r2');
    expect(b.pick(cs, { exclude: new Set(['r2']) })?.id).toBe('r1');
  });

  it('spreads ties over all idle candidates', () => {
    const b = new LeastOutstandingBalancer();
    const cs = candidates(4);
    const counts = new Map<string, number>();
    for (let i = 0; i < 400; i++) {
      const id = b.pick(cs, {})!.id;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    expect([...counts.values()]).toEqual([100, 100, 100, 100]);
  });

  it('balances a stream of long requests evenly', () => {
    const b = new LeastOutstandingBalancer();
    const cs = candidates(3);
    for (let i = 0; i < 30; i++) b.pick(cs, {})!.outstanding++;
    expect(cs.map((c) => c.outstanding)).toEqual([10, 10, 10]);
  });

  it('returns undefined without eligible candidates', () => {
    const b = new LeastOutstandingBalancer();
    expect(b.pick([], {})).toBeUndefined();
    expect(b.pick(candidates(1), { exclude: new Set(['r0']) })).toBeUndefined();
  });
});

describe('HashRing', () => {
  const keys = Array.from({ length: 2000 }, (_, i) => `session-${i}`);

  it('maps keys deterministically and independently of member order', () => {
    const a = new HashRing(['a', 'b', 'c']);
    const b = new HashRing(['c', 'a', 'b']);
    for (const k of keys) expect(a.lookup(k)).toBe(b.lookup(k));
  });

  it('spreads keys over members roughly evenly', () => {
    const ring = new HashRing(['a', 'b', 'c', 'd']);
    const counts = new Map<string, number>();
    for (const k of keys) counts.set(ring.lookup(k)!, (counts.get(ring.lookup(k)!) ?? 0) + 1);
    for (const v of counts.values()) expect(v).toBeGreaterThan(300);
  });

  it('moves only the keys of a member that leaves', () => {
    const before = new HashRing(['a', 'b', 'c', 'd']);
    const after = new HashRing(['a', 'b', 'd']);
    let moved = 0;
    for (const k of keys) {
      const was = before.lookup(k);
      const now = after.lookup(k);
      if (was !== 'c') expect(now).toBe(was);
      else moved++;
    }
    expect(moved).toBeGreaterThan(0);
  });

  it('walks past refused members and is empty-safe', () => {
    const ring = new HashRing(['a', 'b']);
    for (const k of keys.slice(0, 50)) expect(ring.lookup(k, (id) => id !== 'a')).toBe('b');
    expect(ring.lookup('x', () => false)).toBeUndefined();
    expect(new HashRing([]).lookup('x')).toBeUndefined();
  });
});

describe('SessionAffinityBalancer', () => {
  it('sends one session to one replica and many sessions to all replicas', () => {
    const b = new SessionAffinityBalancer();
    const cs = candidates(3);
    const first = b.pick(cs, { sessionKey: 'alice' })!.id;
    for (let i = 0; i < 10; i++) expect(b.pick(cs, { sessionKey: 'alice' })!.id).toBe(first);
    const used = new Set(Array.from({ length: 100 }, (_, i) => b.pick(cs, { sessionKey: `u${i}` })!.id));
    expect(used.size).toBe(3);
  });

  it('keeps other sessions in place when a replica leaves', () => {
    const b = new SessionAffinityBalancer();
    const cs = candidates(4);
    const before = new Map<string, string>();
    for (let i = 0; i < 200; i++) before.set(`u${i}`, b.pick(cs, { sessionKey: `u${i}` })!.id);
    const without = cs.filter((c) => c.id !== 'r2');
    for (const [k, was] of before) {
      const now = b.pick(without, { sessionKey: k })!.id;
      if (was !== 'r2') expect(now).toBe(was);
      else expect(now).not.toBe('r2');
    }
  });

  it('moves a session off an excluded replica and falls back to least load without a key', () => {
    const b = new SessionAffinityBalancer();
    const cs = candidates(3);
    const home = b.pick(cs, { sessionKey: 'bob' })!.id;
    const other = b.pick(cs, { sessionKey: 'bob', exclude: new Set([home]) })!.id;
    expect(other).not.toBe(home);
    expect(b.pick(cs, { sessionKey: 'bob', exclude: new Set(['r0', 'r1', 'r2']) })).toBeUndefined();
    cs[0]!.outstanding = 3;
    cs[1]!.outstanding = 3;
    expect(b.pick(cs, {})!.id).toBe('r2');
  });
});

describe('prefixHashes', () => {
  it('hashes whole blocks only, chained', () => {
    const opts = { blockChars: 4, maxBlocks: 10 };
    expect(prefixHashes('abc', opts)).toEqual([]);
    const a = prefixHashes('aaaabbbbcc', opts);
    const b = prefixHashes('aaaabbbbdddd', opts);
    const c = prefixHashes('aaaaxbbbdddd', opts);
    expect(a).toHaveLength(2);
    expect(b).toHaveLength(3);
    expect(b.slice(0, 2)).toEqual(a);
    expect(c[0]).toBe(a[0]);
    expect(c[1]).not.toBe(a[1]);
    // Once a block differs, every later hash differs too.
    expect(c[2]).not.toBe(b[2]);
  });

  it('stops at maxBlocks and distinguishes repeated blocks by position', () => {
    const h = prefixHashes('x'.repeat(100), { blockChars: 4, maxBlocks: 5 });
    expect(h).toHaveLength(5);
    expect(new Set(h).size).toBe(5);
  });
});

describe('promptPrefixText', () => {
  it('renders chat messages, including text parts', () => {
    const body = {
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [{ type: 'text', text: 'hi' }, { type: 'image_url' }, { type: 'text', text: '!' }],
        },
      ],
    };
    expect(promptPrefixText(body, 1000)).toBe('system\nbe brief\nuser\nhi!\n');
    expect(promptPrefixText(body, 6)).toBe('system');
  });

  it('renders completion prompts, token arrays and ignores anything else', () => {
    expect(promptPrefixText({ prompt: 'hello' }, 100)).toBe('hello');
    expect(promptPrefixText({ prompt: ['first', 'second'] }, 100)).toBe('first');
    expect(promptPrefixText({ prompt: [1, 2, 3] }, 100)).toBe('1 2 3');
    expect(promptPrefixText({ prompt: [[4, 5]] }, 100)).toBe('4 5');
    expect(promptPrefixText({ input: 'x' }, 100)).toBe('');
    expect(promptPrefixText(null, 100)).toBe('');
    expect(promptPrefixText({ messages: [null, 3, { role: 'user' }] }, 100)).toBe('user\n\n');
  });
});

describe('LruMap', () => {
  it('evicts the least recently written entry', () => {
    const m = new LruMap<string, number>(2);
    m.set('a', 1);
    m.set('b', 2);
    m.set('a', 3);
    m.set('c', 4);
    expect(m.get('b')).toBeUndefined();
    expect(m.get('a')).toBe(3);
    expect(m.get('c')).toBe(4);
    expect(m.size).toBe(2);
    expect(() => new LruMap(0)).toThrow(RangeError);
  });
});

describe('PrefixAwareBalancer', () => {
  const opts = { blockChars: 8, maxBlocks: 16 };
  const sys = (n: number) => `${n} is the number of this system prompt. `.repeat(4);
  const hashesFor = (s: string) => prefixHashes(s, opts);

  it('sends requests that share a prefix to the replica that served it', () => {
    const b = new PrefixAwareBalancer();
    const cs = candidates(4);
    const home = new Map<number, string>();
    for (let p = 0; p < 8; p++) home.set(p, b.pick(cs, { prefixHashes: hashesFor(sys(p) + 'user 0') })!.id);
    for (let u = 1; u < 20; u++) {
      for (let p = 0; p < 8; p++) {
        expect(b.pick(cs, { prefixHashes: hashesFor(`${sys(p)}user ${u} asks something`) })!.id).toBe(
          home.get(p),
        );
      }
    }
    // New prefixes went to the least loaded (all idle: rotating), so all replicas got some.
    expect(new Set(home.values()).size).toBe(4);
  });

  it('prefers the longest remembered prefix', () => {
    const b = new PrefixAwareBalancer();
    const cs = candidates(2);
    const shared = 'A'.repeat(16);
    const first = b.pick(cs, { prefixHashes: hashesFor(shared + 'B'.repeat(16)) })!.id;
    // Force a different replica for a longer branch by excluding the first.
    const second = b.pick(cs, {
      prefixHashes: hashesFor(shared + 'C'.repeat(32)),
      exclude: new Set([first]),
    })!.id;
    expect(second).not.toBe(first);
    expect(b.pick(cs, { prefixHashes: hashesFor(shared + 'C'.repeat(32) + 'D'.repeat(8)) })!.id).toBe(second);
    expect(b.pick(cs, { prefixHashes: hashesFor(shared + 'B'.repeat(16) + 'E'.repeat(8)) })!.id).toBe(first);
  });

  it('moves away from an overloaded replica and remembers the new one', () => {
    const b = new PrefixAwareBalancer({ slackRequests: 4, slackRatio: 0.5 });
    const cs = candidates(2);
    const h = hashesFor(sys(1));
    const home = b.pick(cs, { prefixHashes: h })!;
    const other = cs.find((c) => c.id !== home.id)!;
    home.outstanding = 4; // within slack: stays
    expect(b.pick(cs, { prefixHashes: h })!.id).toBe(home.id);
    home.outstanding = 5; // beyond slack: goes to the idle one
    expect(b.pick(cs, { prefixHashes: h })!.id).toBe(other.id);
    home.outstanding = 0;
    expect(b.pick(cs, { prefixHashes: h })!.id).toBe(other.id);
  });

  it('scales the slack with load and counts queued requests and KV pressure', () => {
    const b = new PrefixAwareBalancer({ slackRequests: 4, slackRatio: 0.5, kvHigh: 0.9 });
    const cs = candidates(2);
    const h = hashesFor(sys(2));
    const home = b.pick(cs, { prefixHashes: h })!;
    const other = cs.find((c) => c.id !== home.id)!;
    other.outstanding = 20;
    home.outstanding = 29; // limit = 20 + 10
    expect(b.pick(cs, { prefixHashes: h })!.id).toBe(home.id);
    home.waiting = 2; // 31 > 30
    expect(b.pick(cs, { prefixHashes: h })!.id).toBe(other.id);
    const b2 = new PrefixAwareBalancer({ kvHigh: 0.9 });
    const home2 = b2.pick(cs, { prefixHashes: hashesFor(sys(3)) })!;
    const cs2 = candidates(2);
    const h2 = cs2.find((c) => c.id === home2.id)!;
    h2.kvUsage = 0.95;
    expect(b2.pick(cs2, { prefixHashes: hashesFor(sys(3)) })!.id).not.toBe(home2.id);
  });

  it('falls back to least load without a prefix, skips excluded and departed replicas', () => {
    const b = new PrefixAwareBalancer();
    const cs = candidates(3, [{ outstanding: 2 }, { outstanding: 1 }, { outstanding: 3 }]);
    expect(b.pick(cs, {})!.id).toBe('r1');
    expect(b.pick(cs, { prefixHashes: [] })!.id).toBe('r1');
    const h = hashesFor(sys(4));
    const home = b.pick(cs, { prefixHashes: h })!.id;
    expect(b.pick(cs, { prefixHashes: h, exclude: new Set([home]) })!.id).not.toBe(home);
    b.forgetReplica('r1');
    const rest = cs.filter((c) => c.id !== 'r1');
    expect(b.pick(rest, { prefixHashes: hashesFor(sys(5)) })!.id).toBe('r0');
    expect(b.pick([], { prefixHashes: h })).toBeUndefined();
    expect(b.pick(cs, { prefixHashes: h, exclude: new Set(['r0', 'r1', 'r2']) })).toBeUndefined();
  });

  it('copies a hot prefix to a second replica instead of moving it, then uses the least loaded holder', () => {
    const b = new PrefixAwareBalancer({ slackRequests: 2, slackRatio: 0 });
    const cs = candidates(3);
    const h = hashesFor(sys(6));
    const first = b.pick(cs, { prefixHashes: h })!;
    first.outstanding = 3;
    const second = b.pick(cs, { prefixHashes: h })!; // beyond the slack: a new holder
    expect(second.id).not.toBe(first.id);
    const third = cs.find((c) => c.id !== first.id && c.id !== second.id)!;
    // Both holders stay in use: whichever is less loaded gets the next request, never the non-holder.
    second.outstanding = 2;
    third.outstanding = 0;
    expect(b.pick(cs, { prefixHashes: h })!.id).toBe(second.id);
    first.outstanding = 1;
    expect(b.pick(cs, { prefixHashes: h })!.id).toBe(first.id);
  });

  it('forgets holders that have not served a prefix for a while', () => {
    let now = 0;
    const b = new PrefixAwareBalancer({ holderTtlMs: 1000, now: () => now });
    const cs = candidates(2);
    const h = hashesFor(sys(7));
    const home = b.pick(cs, { prefixHashes: h })!;
    home.outstanding = 1; // the other replica is now less loaded, but home holds the prefix
    now = 900;
    expect(b.pick(cs, { prefixHashes: h })!.id).toBe(home.id);
    now = 2000; // home's entry is stale: back to least load
    expect(b.pick(cs, { prefixHashes: h })!.id).not.toBe(home.id);
  });

  it('keeps its table bounded', () => {
    const b = new PrefixAwareBalancer({ tableSize: 10 });
    const cs = candidates(2);
    for (let i = 0; i < 50; i++) b.pick(cs, { prefixHashes: [i, i + 1000] });
    expect(b.tableEntries).toBe(10);
  });
});

describe('createBalancer', () => {
  it('builds each policy', () => {
    for (const p of ['round-robin', 'least-outstanding', 'session-affinity', 'prefix-aware'] as const) {
      expect(createBalancer(p).policy).toBe(p);
    }
  });
});
