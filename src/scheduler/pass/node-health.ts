/**
 * Which absent nodes lose their replicas (pure). A node whose status key (leased) vanished is held for a
 * grace period: a restarting agent or a short network blip must not cause a wave of re-placements. Past
 * the grace period its replicas are re-placed, unless more than half of the known nodes are absent at
 * once: that smells of a store or network problem on our side, so everything is held (and logged)
 * until they come back. Draining an absent node is the operator's way to move its replicas anyway.
 */
export interface NodeAvailabilityInput {
  /** Nodes whose status key is present. */
  live: ReadonlySet<string>;
  /** Absent nodes that hold (or held) replicas, with the time they were first seen absent. */
  missingSince: ReadonlyMap<string, number>;
  /** Nodes the operator marked draining (settings). */
  draining?: ReadonlySet<string>;
  now: number;
  graceMs: number;
}

export interface NodeAvailability {
  /** Absent nodes whose replicas stay put. */
  held: Set<string>;
  /** Absent nodes whose replicas are re-placed. */
  lost: Set<string>;
  /** More than half of the known nodes are absent: every absent node is held. */
  massVanish: boolean;
  /** When the next held node's grace period ends (to wake up then), if any. */
  nextExpiryAt: number | undefined;
}

export function nodeAvailability(input: NodeAvailabilityInput): NodeAvailability {
  const held = new Set<string>();
  const lost = new Set<string>();
  let nextExpiryAt: number | undefined;
  const missing = [...input.missingSince.entries()].filter(([id]) => !input.live.has(id));
  const known = input.live.size + missing.length;
  const massVanish = missing.length > 0 && missing.length * 2 > known;
  for (const [id, since] of missing) {
    if (input.draining?.has(id)) {
      lost.add(id);
      continue;
    }
    const expiresAt = since + input.graceMs;
    if (!massVanish && input.now >= expiresAt) {
      lost.add(id);
      continue;
    }
    held.add(id);
    if (input.now < expiresAt) nextExpiryAt = Math.min(nextExpiryAt ?? Infinity, expiresAt);
  }
  return { held, lost, massVanish, nextExpiryAt };
}
