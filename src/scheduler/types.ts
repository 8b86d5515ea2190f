/** Inputs and outputs of the planner (pure: state in, placements out). */
import type { Labels } from '../core/domain/common.js';
import type { ModelCacheEntry } from '../core/domain/cache.js';
import type { ModelSpec, PlacementStrategy } from '../core/domain/model.js';
import type { NodeSettings, NodeStatus } from '../core/domain/node.js';
import type { Assignment, PlacementPlan, PlanSource } from '../core/domain/placement.js';

/** A node as the planner sees it: its heartbeat status and the operator's settings (cordon, drain, labels). */
export interface ClusterNode {
  status: NodeStatus;
  settings?: NodeSettings | undefined;
}

/** Everything the planner reads. */
export interface ClusterState {
  /** Nodes whose status key is present (alive). */
  nodes: readonly ClusterNode[];
  /**
   * Nodes that are absent but whose replicas stay where they are (lease gone for less than the grace
   * period, or held because most nodes vanished together). Replicas on other absent nodes are re-placed.
   */
  heldNodeIds?: ReadonlySet<string>;
  /** Current plans, by model_uid. Plans of models not being planned keep their reservations as they are. */
  plans: ReadonlyMap<string, PlacementPlan>;
  /** Model files on nodes: placement prefers nodes with a complete copy. */
  cache?: readonly ModelCacheEntry[];
}

/** One model that should run: a running deployment with its spec, or an active v1 request. */
export interface Workload {
  model_uid: string;
  spec: ModelSpec;
  replicas: number;
  node_selector: Labels;
  strategy: PlacementStrategy;
  source: PlanSource;
  /** Deployment generation (0 for requests). */
  generation: number;
  request_id?: string | undefined;
}

export interface Unplaced {
  replicas: number;
  reason: string;
}

/** A move of one replica: where it was and where it goes. */
export interface Move {
  replica_id: number;
  from: Assignment;
  to: Assignment;
  /** Why it moved: "node n2 is draining", "node n2 is gone", "needs 2 GPUs now", "port 40001 in use". */
  why: string;
}

/** The planner's answer for one model. */
export interface PlanDecision {
  model_uid: string;
  /** Exactly the placed replicas, sorted by replica_id. */
  assignments: Assignment[];
  unplaced: Unplaced | null;
  /** Replica ids whose assignment is unchanged. */
  kept: number[];
  /** New replicas (scale up, or placed for the first time). */
  added: Assignment[];
  /** Replicas dropped by a scale down, and replicas that had to move but found no room. */
  removed: Assignment[];
  moved: Move[];
  /** Human-readable estimate the decision used. */
  estimate: string;
}
