/**
 * The scheduler's node-grace bookkeeping as a pure step: which absent nodes are remembered since when,
 * which of them are held (lease gone for less than the grace period, or most nodes gone at once) or lost
 * (their replicas are re-placed), which lost nodes are news (log and replan once), which can be forgotten
 * (lost and no plan refers to them), and when to look again. The control loop keeps the state between
 * passes and arms the timers; the decisions are made here.
 */
import { nodeAvailability } from './node-health.js';

export interface NodeGraceState {
  /** Absent nodes that plans refer to, with the time they were first seen absent. */
  missingSince: ReadonlyMap<string, number>;
  /** Lost nodes already announced (their replicas were re-placed once). */
  lostSeen: ReadonlySet<string>;
}

export interface NodeGraceInput {
  now: number;
  graceMs: number;
  /** Nodes whose status key is present. */
  live: ReadonlySet<string>;
  /** Nodes any plan's assignment names. */
  referenced: ReadonlySet<string>;
  /** Nodes the operator marked draining. */
  draining: ReadonlySet<string>;
}

export interface NodeGraceStep {
  state: { missingSince: Map<string, number>; lostSeen: Set<string> };
  held: Set<string>;
  lost: Set<string>;
  /** Lost nodes seen lost for the first time: their models are replanned (and it is logged). */
  newlyLost: string[];
  /** Nodes whose absence is new this step (a grace timer is armed for each). */
  newlyMissing: string[];
  massVanish: boolean;
  /** When a held node's grace ends, to look again then. */
  nextExpiryAt: number | undefined;
}

export const emptyNodeGrace = (): NodeGraceState => ({ missingSince: new Map(), lostSeen: new Set() });

/** A node's status vanished (or the pass found a referenced node absent): remember since when. */
export function noteNodeGone(state: NodeGraceState, id: string, now: number): NodeGraceState {
  if (state.missingSince.has(id)) return state;
  return { missingSince: new Map(state.missingSince).set(id, now), lostSeen: state.lostSeen };
}

/** A node's status is back: forget its absence. */
export function noteNodeBack(state: NodeGraceState, id: string): NodeGraceState {
  if (!state.missingSince.has(id) && !state.lostSeen.has(id)) return state;
  const missingSince = new Map(state.missingSince);
  missingSince.delete(id);
  const lostSeen = new Set(state.lostSeen);
  lostSeen.delete(id);
  return { missingSince, lostSeen };
}

/** One pass's node bookkeeping. */
export function nodeGraceStep(state: NodeGraceState, input: NodeGraceInput): NodeGraceStep {
  const missingSince = new Map(state.missingSince);
  const lostSeen = new Set(state.lostSeen);
  const newlyMissing: string[] = [];
  for (const id of input.referenced) {
    if (!input.live.has(id) && !missingSince.has(id)) {
      missingSince.set(id, input.now);
      newlyMissing.push(id);
    }
  }
  const avail = nodeAvailability({
    live: input.live,
    missingSince,
    draining: input.draining,
    now: input.now,
    graceMs: input.graceMs,
  });
  const newlyLost: string[] = [];
  for (const id of avail.lost) {
    if (!input.referenced.has(id)) {
      // Nothing runs there any more: forget it (it counts as new if it vanishes again).
      missingSince.delete(id);
      lostSeen.delete(id);
    } else if (!lostSeen.has(id)) {
      lostSeen.add(id);
      newlyLost.push(id);
    }
  }
  return {
    state: { missingSince, lostSeen },
    held: avail.held,
    lost: avail.lost,
    newlyLost,
    newlyMissing,
    massVanish: avail.massVanish,
    nextExpiryAt: avail.nextExpiryAt,
  };
}
