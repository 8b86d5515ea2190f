import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/ports.js';
import { putSpec, servedCount, startCluster, type Cluster } from './harness.js';

describe('router: prefix-aware and session-affinity routing against simulators', () => {
  let c: Cluster;
  beforeAll(async () => {
    c = await startCluster({ replicas: 4, policy: 'prefix-aware' });
  });
  afterAll(async () => {
    await c?.close();
  });

  /** Sends one request and says which simulator served it. */
  async function servedBy(send: () => Promise<unknown>): Promise<number> {
    const before = await Promise.all(c.sims.map(servedCount));
    await send();
    const after = await Promise.all(c.sims.map(servedCount));
    const i = after.findIndex((n, k) => n !== before[k]);
    expect(i).toBeGreaterThanOrEqual(0);
    return i;
  }

  it('keeps each shared system prompt on one replica and spreads different prompts', async () => {
    expect(c.router.table.lookup('demo')?.policy).toBe('prefix-aware');
    const system = (p: number) =>
      `You are assistant number ${p}. ` + `Rule ${p}: answer carefully. `.repeat(30);
    const homes = new Map<number, Set<number>>();
    for (let u = 0; u < 4; u++) {
      for (let p = 0; p < 8; p++) {
        const sim = await servedBy(() =>
          c.client.chat.completions.create({
            model: 'demo',
            max_tokens: 1,
            messages: [
              { role: 'system', content: system(p) },
              { role: 'user', content: `user ${u} asks question ${u * 13 + p}` },
            ],
          }),
        );
        let set = homes.get(p);
        if (!set) homes.set(p, (set = new Set()));
        set.add(sim);
      }
    }
    for (const set of homes.values()) expect(set.size).toBe(1);
    const used = new Set([...homes.values()].flatMap((s) => [...s]));
    expect(used.size).toBeGreaterThanOrEqual(3);
  });

  it('follows a policy change in the spec: session affinity by X-Session-Id or user', async () => {
    await putSpec(c.store, 'demo', { routing_policy: 'session-affinity' });
    await waitFor(() => c.router.table.lookup('demo')?.policy === 'session-affinity');
    const ask = (session: string, header: boolean) =>
      c.client.chat.completions.create(
        {
          model: 'demo',
          max_tokens: 1,
          messages: [{ role: 'user', content: `hello ${Math.random()}` }],
          ...(header ? {} : { user: session }),
        },
        header ? { headers: { 'x-session-id': session } } : {},
      );
    const homes = new Set<number>();
    for (let s = 0; s < 8; s++) {
      const first = await servedBy(() => ask(`session-${s}`, true));
      homes.add(first);
      for (let k = 0; k < 3; k++) expect(await servedBy(() => ask(`session-${s}`, true))).toBe(first);
    }
    expect(homes.size).toBeGreaterThanOrEqual(2);
    const viaUser = await servedBy(() => ask('user-42', false));
    expect(await servedBy(() => ask('user-42', false))).toBe(viaUser);
  });
});
