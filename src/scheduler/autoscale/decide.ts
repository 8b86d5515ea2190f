/**
 * The autoscaler's decision core (pure): a model's policy, its replica count, the routers' load signals
 * and what the cluster can place, in; the replica count it should have and why, out. Time comes in as
 * `now` and the little history it needs (recent recommendations, when the model was last busy) is carried
 * in `memory`, so the whole behaviour is table-testable under a fake clock.
 */
import type {
  AutoscaleDecision,
  AutoscaleReason,
  AutoscalingPolicy,
  LoadSignal,
} from '../../core/domain/index.js';
import { durationMs } from '../../core/duration.js';

/** What one model's autoscaler remembers between passes. */
export interface AutoscaleMemory {
  /** Recommendations (what the load asked for) with their times, oldest first, within the longest window. */
  recommendations: ReadonlyArray<{ at: number; n: number }>;
  /** The last time the model had work (a request in flight or held, or a request arriving). */
  lastBusyAt: number;
  /** When the autoscaler first looked at this model: a scale-down needs a whole window watched. */
  since: number;
}

export interface AutoscaleInput {
  policy: AutoscalingPolicy;
  /** `deployment.replicas` now. */
  current: number;
  /** Replicas ready to serve. */
  ready: number;
  /** Fresh load signals, one per live router. */
  signals: readonly LoadSignal[];
  /** A router holds requests for this model and asked for a replica. */
  wakeRequested: boolean;
  /** The most replicas the cluster can place for this model right now (undefined: not known, no limit). */
  placeable?: number | undefined;
  now: number;
  /** Absent on the first pass for a model. */
  memory?: AutoscaleMemory | undefined;
}

export interface AutoscaleResult {
  desired: number;
  decision: Omit<AutoscaleDecision, 'at'>;
  memory: AutoscaleMemory;
  /** Whether `desired` differs from `current` (and the policy is not a dry run). */
  change: boolean;
}

/** Load within this fraction of the target keeps the count (Kubernetes' HPA uses the same 10 %). */
export const TOLERANCE = 0.1;

interface Load {
  inflight: number;
  held: number;
  queue: number;
  kv?: number | undefined;
  rps: number;
  lastRequestAt?: number | undefined;
}

function sumLoad(signals: readonly LoadSignal[]): Load {
  let inflight = 0;
  let held = 0;
  let queue = 0;
  let rps = 0;
  let kvSum = 0;
  let kvN = 0;
  let lastRequestAt: number | undefined;
  for (const s of signals) {
    inflight += s.inflight;
    held += s.held;
    queue += s.engine_waiting;
    rps += s.rps;
    if (s.kv_cache_usage !== undefined) {
      kvSum += s.kv_cache_usage;
      kvN += 1;
    }
    if (s.last_request_at) {
      const t = Date.parse(s.last_request_at);
      if (Number.isFinite(t)) lastRequestAt = Math.max(lastRequestAt ?? t, t);
    }
  }
  return { inflight, held, queue, rps, kv: kvN > 0 ? kvSum / kvN : undefined, lastRequestAt };
}

/** What the load alone asks for (before windows and limits), and a line saying how. */
function recommend(
  p: AutoscalingPolicy,
  load: Load,
  current: number,
  ready: number,
): { n: number; why: string } {
  const t = p.target.value;
  let demand: number;
  let what: string;
  switch (p.target.metric) {
    case 'inflight':
      demand = load.inflight + load.held;
      what = `${demand} in flight`;
      break;
    case 'queue':
      demand = load.queue + load.held;
      what = `${demand} waiting`;
      break;
    case 'kv_cache':
      if (load.kv === undefined || ready === 0)
        return { n: Math.max(current, load.held > 0 ? 1 : 0), why: 'no KV-cache usage reported yet' };
      demand = load.kv * ready;
      what = `KV cache ${(load.kv * 100).toFixed(0)} % on ${ready}`;
      break;
  }
  const exact = demand / t;
  // Near the target on the replicas that serve, keep the count (noise is not a reason to move).
  if (ready > 0 && current === ready && Math.abs(exact / ready - 1) <= TOLERANCE)
    return { n: current, why: `${what}, within ${TOLERANCE * 100} % of target ${t} per replica` };
  return { n: Math.ceil(exact - 1e-9), why: `${what} / target ${t} per replica` };
}

/** One decision for one model. */
export function decideReplicas(input: AutoscaleInput): AutoscaleResult {
  const { policy: p, current, ready, now } = input;
  const load = sumLoad(input.signals);
  const busyNow = load.inflight + load.held > 0;
  const prevBusy = input.memory?.lastBusyAt ?? now;
  const since = input.memory?.since ?? now;
  const lastBusyAt = Math.max(prevBusy, busyNow ? now : 0, load.lastRequestAt ?? 0);
  const idleForMs = Math.max(0, now - lastBusyAt);
  const upMs = durationMs(p.scale_up_window) ?? 0;
  const downMs = durationMs(p.scale_down_window) ?? 300_000;
  const zeroAfterMs = p.scale_to_zero_after === undefined ? undefined : durationMs(p.scale_to_zero_after);
  const inputs: AutoscaleDecision['inputs'] = {
    inflight: load.inflight,
    held: load.held,
    queue: load.queue,
    ...(load.kv === undefined ? {} : { kv_cache_usage: load.kv }),
    rps: load.rps,
    ready,
    idle_for_ms: idleForMs,
  };
  const floor = Math.max(p.min_replicas, 1);

  const finish = (
    desired: number,
    recommended: number,
    reason: AutoscaleReason,
    message: string,
    recs: ReadonlyArray<{ at: number; n: number }>,
  ): AutoscaleResult => ({
    desired,
    change: desired !== current && !p.dry_run,
    memory: { recommendations: recs, lastBusyAt, since },
    decision: { current, desired, recommended, reason, message, dry_run: p.dry_run, inputs },
  });

  // Keep only what the longest window can still look at.
  const keepMs = Math.max(upMs, downMs);
  const past = (input.memory?.recommendations ?? []).filter((r) => now - r.at <= keepMs);

  // Wake: an idle model with requests held gets a replica at once (no window: someone is waiting).
  if (current === 0 && (input.wakeRequested || load.held > 0)) {
    const rec = Math.min(Math.max(recommend(p, load, 0, 0).n, 1), p.max_replicas);
    return finish(rec, rec, 'wake', `${load.held} request(s) held while idle: waking ${rec} replica(s)`, [
      ...past,
      { at: now, n: rec },
    ]);
  }

  // Scale to zero: nothing in flight or held for scale_to_zero_after. The idle time is its own window.
  if (zeroAfterMs !== undefined && p.min_replicas === 0 && !busyNow && idleForMs >= zeroAfterMs) {
    const msg =
      current === 0
        ? `idle for ${Math.round(idleForMs / 1000)} s`
        : `no request for ${Math.round(idleForMs / 1000)} s (scale_to_zero_after ${p.scale_to_zero_after}): going idle`;
    return finish(0, 0, current === 0 ? 'steady' : 'scale-to-zero', msg, [...past, { at: now, n: 0 }]);
  }

  if (input.signals.length === 0 && current > 0) {
    return finish(
      current,
      current,
      'no-signal',
      'no router has reported load for this model: keeping the count',
      past,
    );
  }

  const { n: raw, why } = recommend(p, load, current, ready);
  // The recommendation within min..max first, so the windows compare what could really happen.
  const bounded = Math.min(Math.max(raw, floor), p.max_replicas);
  const limit =
    bounded > raw
      ? `, at least ${floor} (min_replicas ${p.min_replicas})`
      : bounded < raw
        ? `, capped at max_replicas ${p.max_replicas}`
        : '';
  const recs = [...past, { at: now, n: bounded }];
  let desired: number;
  let reason: AutoscaleReason = bounded > raw ? 'min' : bounded < raw ? 'max' : 'load';
  let message = `${why} -> ${raw}${limit}`;
  if (bounded > current) {
    // Up fast, but only as far as the whole up-window agrees (0 s: at once).
    desired = Math.min(...recs.filter((r) => now - r.at <= upMs).map((r) => r.n));
    if (desired <= current) {
      desired = current;
      reason = 'stabilising';
      message = `${why} -> ${raw}${limit}, waiting for the scale-up window (${p.scale_up_window})`;
    }
  } else if (bounded < current) {
    // Down only when the whole down-window agrees, and the window was watched that long.
    const inWindow = recs.filter((r) => now - r.at <= downMs);
    desired = now - since >= downMs ? Math.max(...inWindow.map((r) => r.n)) : current;
    if (desired >= current) {
      desired = current;
      reason = 'stabilising';
      message = `${why} -> ${raw}${limit}, holding ${current} for the scale-down window (${p.scale_down_window})`;
    }
  } else {
    desired = current;
  }
  if (input.placeable !== undefined && desired > current && desired > input.placeable) {
    message = `${why} -> ${raw}, but the cluster has room for ${input.placeable} replica(s)`;
    reason = 'capacity';
    desired = Math.max(current, input.placeable);
  }
  if (desired === current && reason !== 'stabilising' && reason !== 'capacity') reason = 'steady';
  return finish(desired, raw, reason, message, recs);
}
