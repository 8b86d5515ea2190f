/**
 * Autoscaling in the all-in-one, with real simulator engines and the real router: a load ramp moves the
 * replica count up and back down within the windows with no failed request; after scale_to_zero_after the
 * model goes idle (no engine left); the next requests (plain and streamed, a burst) are held by the router
 * until the wake and all succeed; a flood beyond the hold queue gets 503 + Retry-After at once.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NebulaClient } from '../../src/client/index.js';
import type { UpHandle } from '../../src/up.js';
import { waitFor } from '../helpers/ports.js';
import { tempDir } from '../helpers/tmp.js';
import { startTestUp } from '../helpers/up.js';

const HOLD_MAX = 6;

describe('all-in-one: autoscaling on load, scale to zero, wake on request', () => {
  const dir = tempDir('nebula-autoscale-');
  let up: UpHandle;
  let client: NebulaClient;
  let openai: OpenAI;
  let token: string;

  beforeAll(async () => {
    ({ up, token, client, openai } = await startTestUp(
      dir.path,
      {
        gpus: 'sim:4x24GiB',
        portRange: '42100-42199',
        rateLimit: 'off',
        holdMax: String(HOLD_MAX),
        holdTimeout: '60s',
        hfEndpoint: 'http://127.0.0.1:9',
        modelscopeEndpoint: 'http://127.0.0.1:9',
      },
      { openaiTimeoutMs: 120_000 },
    ));
    await client.models.create({
      model_name: 'demo/auto',
      model_uid: 'auto',
      model_source: 'local',
      engine_type: 'sim',
      replicas: 1,
      auto_start: true,
      resources: { gpu_count: 1 },
      // Slow tokens: a request stays in flight ~2 s, so a few clients make real load.
      engine_config: { extra_args: ['--itl-ms=40', '--ttft-ms=50'] },
    });
    await waitFor(async () => ((await client.models.get('auto')).state === 'running' ? true : undefined), {
      what: 'auto running',
      timeoutMs: 60_000,
    });
  }, 120_000);
  afterAll(async () => {
    await up?.stop();
    dir.cleanup();
  });

  const chat = (stream: boolean, maxTokens = 50) =>
    stream
      ? (async () => {
          const s = await openai.chat.completions.create({
            model: 'auto',
            messages: [{ role: 'user', content: 'count' }],
            max_tokens: maxTokens,
            stream: true,
          });
          let text = '';
          for await (const ch of s) text += ch.choices[0]?.delta.content ?? '';
          return text;
        })()
      : openai.chat.completions
          .create({ model: 'auto', messages: [{ role: 'user', content: 'count' }], max_tokens: maxTokens })
          .then((r) => r.choices[0]?.message.content ?? '');

  it('follows a load ramp up, holds on a plateau, comes back down, with no failed request', async () => {
    await client.models.setAutoscaling('auto', {
      min_replicas: 1,
      max_replicas: 4,
      target: { metric: 'inflight', value: 3 },
      scale_up_window: '0s',
      scale_down_window: '4s',
    });
    let failures = 0;
    let served = 0;
    let clients = 1;
    let stop = false;
    // Workers past `clients` wait for a change of it (no polling): `setClients` wakes them.
    let changed!: () => void;
    let change = new Promise<void>((r) => (changed = r));
    const setClients = (n: number) => {
      clients = n;
      const wake = changed;
      change = new Promise<void>((r) => (changed = r));
      wake();
    };
    const worker = async (i: number) => {
      while (!stop) {
        if (i >= clients) {
          await change;
          continue;
        }
        try {
          await chat(i % 2 === 0);
          served++;
        } catch {
          failures++;
        }
      }
    };
    const workers = Array.from({ length: 8 }, (_, i) => worker(i));
    try {
      // Up: 8 clients, about 8 in flight, target 3 per replica -> 3 (below the max of 4).
      setClients(8);
      await waitFor(async () => ((await client.models.get('auto')).ready_replicas >= 3 ? true : undefined), {
        what: '3 ready replicas under load',
        timeoutMs: 60_000,
      });
      // Plateau: the same load for at least two scale-down windows (measured by what the 8 clients serve:
      // about 4 requests/s), then the autoscaler's own record of changes in that span: noise in the in-flight
      // count must not flap the count, at most one change per window.
      const plateauFrom = Date.now();
      const servedBefore = served;
      await waitFor(
        () => (served - servedBefore >= 40 && Date.now() - plateauFrom >= 8_000 ? true : undefined),
        {
          what: 'a plateau of 40 requests over two windows',
          timeoutMs: 60_000,
        },
      );
      const windows = Math.ceil((Date.now() - plateauFrom) / 4_000);
      const changes = (await client.models.get('auto')).events.filter(
        (e) => e.type === 'autoscaled' && Date.parse(e.time) >= plateauFrom,
      );
      expect(changes.length).toBeLessThanOrEqual(windows);
      expect((await client.models.get('auto')).deployment?.replicas).toBeGreaterThanOrEqual(3);
      // Down: one client; after the 4 s window the count comes back to 1.
      setClients(1);
      await waitFor(
        async () => {
          const m = await client.models.get('auto');
          return m.deployment?.replicas === 1 && m.ready_replicas === 1 ? true : undefined;
        },
        { what: 'back to 1 replica', timeoutMs: 60_000 },
      );
    } finally {
      stop = true;
      setClients(0);
      await Promise.all(workers);
    }
    expect(failures).toBe(0);
    expect(served).toBeGreaterThan(10);
    const v = await client.models.autoscaling('auto');
    expect(v.status?.last_change?.reason).toBeDefined();
    const events = (await client.models.get('auto')).events.filter((e) => e.type === 'autoscaled');
    expect(events.some((e) => /1 -> [234]/.test(e.message))).toBe(true);
    expect(events.some((e) => /[234] -> 1/.test(e.message))).toBe(true);
  }, 180_000);

  it('goes idle, then holds requests until the wake and serves them all; a flood gets 503', async () => {
    await client.models.setAutoscaling('auto', {
      min_replicas: 0,
      max_replicas: 2,
      target: { metric: 'inflight', value: 4 },
      scale_up_window: '0s',
      scale_down_window: '2s',
      scale_to_zero_after: '3s',
    });
    await waitFor(
      async () => {
        const m = await client.models.get('auto');
        return m.state === 'idle' && m.endpoints.length === 0 ? true : undefined;
      },
      { what: 'auto idle with no engine left', timeoutMs: 60_000 },
    );

    // A burst while idle: plain and streamed, all held, then all served once a replica is ready.
    const burst = Array.from({ length: HOLD_MAX }, (_, i) => chat(i % 2 === 1, 5));
    // Once the router holds all of them (its gauge says so), the queue is full: the next one is refused at
    // once with 503 and Retry-After.
    await waitFor(
      async () => {
        const text = await (await fetch(`${up.routerUrl}/metrics`)).text();
        const line = text
          .split('\n')
          .find((l) => l.startsWith('nebula_router_held_requests{') && l.includes('model="auto"'));
        return line !== undefined && Number(line.split(' ').pop()) === HOLD_MAX ? true : undefined;
      },
      { what: `${HOLD_MAX} requests held`, timeoutMs: 10_000, intervalMs: 20 },
    );
    const full = await fetch(`${up.routerUrl}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'auto', messages: [{ role: 'user', content: 'x' }], max_tokens: 1 }),
    });
    expect(full.status).toBe(503);
    expect(full.headers.get('retry-after')).toMatch(/^[0-9]+$/);
    const texts = await Promise.all(burst);
    expect(texts.every((t) => t.length > 0)).toBe(true);

    expect((await client.models.get('auto')).state).not.toBe('idle');
    // The autoscaler notes the wake on its next pass after the replica is ready.
    const wake = await waitFor(
      async () => (await client.models.autoscaling('auto')).status?.last_wake?.latency_ms,
      {
        what: 'the wake recorded',
        timeoutMs: 15_000,
      },
    );
    expect(wake).toBeGreaterThan(0);
    expect((await client.models.get('auto')).events.some((e) => e.type === 'woken')).toBe(true);
  }, 180_000);
});
