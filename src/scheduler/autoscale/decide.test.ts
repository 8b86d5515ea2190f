import { describe, expect, it } from 'vitest';
import { AutoscalingPolicy, type LoadSignal } from '../../core/domain/index.js';
import { decideReplicas, type AutoscaleMemory, type AutoscaleResult } from './decide.js';

type DecideInput = Parameters<typeof decideReplicas>[0];

const T0 = Date.parse('2026-12-06T00:00:00Z');
const policy = (p: Partial<AutoscalingPolicy> = {}) =>
  AutoscalingPolicy.parse({ min_replicas: 1, max_replicas: 4, scale_down_window: '30s', ...p });
const sig = (inflight: number, o: Partial<LoadSignal> = {}, at = T0): LoadSignal => ({
  model_uid: 'm',
  router: 'r1',
  inflight,
  held: 0,
  engine_waiting: 0,
  rps: inflight,
  ...(inflight > 0 ? { last_request_at: new Date(at).toISOString() } : {}),
  updated_at: new Date(at).toISOString(),
  ...o,
});

/** One decision: the default policy, as many ready as current, no signals, no wake, at T0, unless `o` says. */
const decide = (o: Partial<DecideInput> & { current: number }): AutoscaleResult =>
  decideReplicas({ policy: policy(), ready: o.current, signals: [], wakeRequested: false, now: T0, ...o });

/** Runs passes every `stepMs` with the loads given, feeding `current` back as the autoscaler would. */
function run(p: AutoscalingPolicy, loads: number[], start = 1, stepMs = 5_000) {
  let current = start;
  let memory: AutoscaleMemory | undefined;
  const out: AutoscaleResult[] = [];
  loads.forEach((inflight, i) => {
    const now = T0 + i * stepMs;
    const r = decide({ policy: p, current, signals: [sig(inflight, {}, now)], now, memory });
    out.push(r);
    memory = r.memory;
    if (r.change) current = r.desired;
  });
  return out;
}

describe('decideReplicas', () => {
  it.each([
    // [inflight, current, expected desired, reason]
    [24, 1, 3, 'load'],
    [8, 1, 1, 'steady'],
    [100, 1, 4, 'max'],
    [0, 1, 1, 'steady'],
  ])('load %i on %i replica(s) -> %i (%s)', (inflight, current, want, reason) => {
    const r = decide({ current, signals: [sig(inflight)] });
    expect(r.desired).toBe(want);
    expect(r.decision.reason).toBe(reason);
    expect(r.change).toBe(want !== current);
  });

  it('sums the signals of every router and counts held requests as load', () => {
    const r = decide({ current: 1, signals: [sig(10), sig(6, { router: 'r2', held: 2 })] });
    expect(r.decision.inputs).toMatchObject({ inflight: 16, held: 2 });
    expect(r.desired).toBe(3);
  });

  it('keeps the count within 10 % of the target (no move on noise)', () => {
    const r = decide({ current: 2, signals: [sig(17)] });
    expect(r.desired).toBe(2);
    expect(r.decision.recommended).toBe(2);
  });

  it('scales up at once and down only after a whole window of lower recommendations', () => {
    // 5 s steps, 30 s down-window: up at t=5, down no earlier than 30 s after the load fell.
    const loads = [8, 32, 32, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    const r = run(policy(), loads);
    expect(r[1]?.desired).toBe(4);
    const firstDown = r.findIndex((x, i) => i > 1 && x.desired < 4);
    // The load fell at step 3 (t=15 s); the window still holds the 4 of t=10 s until t=40 s+.
    expect(firstDown).toBeGreaterThanOrEqual(9);
    expect(r[firstDown]?.desired).toBe(1);
    expect(r.slice(2, firstDown).every((x) => x.desired === 4 && !x.change)).toBe(true);
  });

  it('does not flap under noisy load: at most one change per window while the mean is flat', () => {
    // Noise around 16 in flight (2 replicas at target 8), one sample every 5 s for 5 minutes.
    let seed = 7;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 12;
    const loads = Array.from({ length: 60 }, () => Math.max(0, Math.round(16 + noise())));
    const r = run(policy({ scale_up_window: '15s' }), loads, 2);
    const changes = r.filter((x) => x.change).map((_, i) => i);
    // 300 s of flat load, windows of 15 s (up) and 30 s (down): bounded, and never outside min..max.
    expect(changes.length).toBeLessThanOrEqual(300 / 30);
    expect(r.every((x) => x.desired >= 1 && x.desired <= 4)).toBe(true);
  });

  it('waits for the up-window when one is set', () => {
    const r = run(policy({ scale_up_window: '10s' }), [8, 24, 24, 24]);
    expect(r[1]?.desired).toBe(1);
    expect(r[1]?.decision.reason).toBe('stabilising');
    expect(r[3]?.desired).toBe(3);
  });

  it('never goes below min or above max, and says so', () => {
    const up = decide({ policy: policy({ min_replicas: 2 }), current: 1, signals: [sig(0)] });
    expect(up).toMatchObject({ desired: 2, change: true });
    expect(up.decision.reason).toBe('min');
    const cap = decide({ current: 3, signals: [sig(200)] });
    expect(cap.desired).toBe(4);
    expect(cap.decision.reason).toBe('max');
  });

  it('never asks for more than the cluster can place, and says why', () => {
    const r = decide({ current: 1, signals: [sig(32)], placeable: 2 });
    expect(r.desired).toBe(2);
    expect(r.decision.reason).toBe('capacity');
    expect(r.decision.message).toMatch(/room for 2/);
  });

  it('keeps the count when no router reports load', () => {
    const r = decide({ current: 3, signals: [] });
    expect(r).toMatchObject({ desired: 3, change: false });
    expect(r.decision.reason).toBe('no-signal');
  });

  it('goes idle after scale_to_zero_after without requests, not before', () => {
    const p = policy({ min_replicas: 0, scale_to_zero_after: '60s' });
    const lastReq = new Date(T0).toISOString();
    let memory: AutoscaleMemory | undefined;
    const at = (s: number) => {
      const r = decide({
        policy: p,
        current: 1,
        signals: [sig(0, { last_request_at: lastReq }, T0 + s * 1000)],
        now: T0 + s * 1000,
        memory,
      });
      memory = r.memory;
      return r;
    };
    expect(at(0).desired).toBe(1);
    expect(at(59).desired).toBe(1);
    const idle = at(60);
    expect(idle).toMatchObject({ desired: 0, change: true });
    expect(idle.decision.reason).toBe('scale-to-zero');
  });

  it('an in-flight request keeps a model with min 0 awake', () => {
    const p = policy({ min_replicas: 0, scale_to_zero_after: '60s' });
    const r = decide({
      policy: p,
      current: 1,
      signals: [sig(1, { last_request_at: new Date(T0 - 3_600_000).toISOString() })],
      memory: { recommendations: [], lastBusyAt: T0 - 3_600_000, since: T0 - 3_600_000 },
    });
    expect(r.desired).toBe(1);
  });

  it('wakes an idle model at once when requests are held or a wake is asked', () => {
    const p = policy({ min_replicas: 0, scale_to_zero_after: '60s' });
    const held = decide({ policy: p, current: 0, signals: [sig(0, { held: 3 })] });
    expect(held).toMatchObject({ desired: 1, change: true });
    expect(held.decision.reason).toBe('wake');
    const asked = decide({ policy: p, current: 0, signals: [], wakeRequested: true });
    expect(asked.desired).toBe(1);
    const burst = decide({ policy: p, current: 0, signals: [sig(0, { held: 30 })], wakeRequested: true });
    expect(burst.desired).toBe(4);
  });

  it('stays idle with nothing held', () => {
    const p = policy({ min_replicas: 0, scale_to_zero_after: '60s' });
    const r = decide({
      policy: p,
      current: 0,
      signals: [sig(0)],
      memory: { recommendations: [], lastBusyAt: T0 - 120_000, since: T0 - 600_000 },
    });
    expect(r).toMatchObject({ desired: 0, change: false });
  });

  it('a dry run decides but changes nothing', () => {
    const r = decide({ policy: policy({ dry_run: true }), current: 1, signals: [sig(32)] });
    expect(r.desired).toBe(4);
    expect(r.change).toBe(false);
    expect(r.decision.dry_run).toBe(true);
  });

  it('scales on queue waiting and on KV-cache usage', () => {
    const q = decide({
      policy: policy({ target: { metric: 'queue', value: 4 } }),
      current: 1,
      signals: [sig(2, { engine_waiting: 12 })],
    });
    expect(q.desired).toBe(3);
    const kv = decide({
      policy: policy({ target: { metric: 'kv_cache', value: 0.5 } }),
      current: 2,
      signals: [sig(4, { kv_cache_usage: 0.9 })],
    });
    expect(kv.desired).toBe(4);
  });

  it('rejects policies that cannot hold', () => {
    expect(AutoscalingPolicy.safeParse({ min_replicas: 3, max_replicas: 2 }).success).toBe(false);
    expect(
      AutoscalingPolicy.safeParse({ min_replicas: 1, max_replicas: 2, scale_to_zero_after: '5m' }).success,
    ).toBe(false);
    expect(
      AutoscalingPolicy.safeParse({ min_replicas: 0, max_replicas: 2, scale_down_window: '0s' }).success,
    ).toBe(false);
    expect(
      AutoscalingPolicy.safeParse({
        min_replicas: 0,
        max_replicas: 2,
        target: { metric: 'kv_cache', value: 3 },
      }).success,
    ).toBe(false);
  });
});
