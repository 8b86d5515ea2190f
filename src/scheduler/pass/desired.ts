/**
 * What should run (pure): running deployments with their specs (v2), and active v1 model requests.
 * A deployment owns its model_uid; a request for a uid already owned is refused.
 */
import type { ModelDeployment, ModelSpec } from '../../core/domain/model.js';
import type { ModelRequest } from '../../core/domain/request.js';
import type { Workload } from '../types.js';

export interface DesiredInput {
  deployments: ReadonlyMap<string, ModelDeployment>;
  specs: ReadonlyMap<string, ModelSpec>;
  requests: ReadonlyMap<string, ModelRequest>;
}

export interface Desired {
  /** By model_uid. */
  workloads: Map<string, Workload>;
  /** Requests that cannot be served (request_id -> reason): they become Failed. */
  refused: Map<string, string>;
  /** Running deployments whose spec is missing (not planned, their plan is left alone). */
  missingSpecs: string[];
}

const ACTIVE: ReadonlySet<string> = new Set(['Pending', 'Scheduled', 'Running']);

/**
 * Merges the deployment with its spec (seed 002's merge_config): the spec says what to run, the
 * deployment how many, where (node_selector) and how to spread them.
 */
export function workloadOfDeployment(d: ModelDeployment, spec: ModelSpec): Workload {
  return {
    model_uid: d.model_uid,
    spec,
    replicas: d.replicas,
    node_selector: d.node_selector,
    strategy: d.placement_strategy,
    source: 'deployment',
    generation: d.generation,
  };
}

export function workloadOfRequest(r: ModelRequest): Workload {
  return {
    model_uid: r.spec.model_uid,
    spec: r.spec,
    replicas: r.replicas,
    node_selector: {},
    strategy: 'binpack',
    source: 'request',
    generation: 0,
    request_id: r.request_id,
  };
}

export function desiredWorkloads(input: DesiredInput): Desired {
  const workloads = new Map<string, Workload>();
  const refused = new Map<string, string>();
  const missingSpecs: string[] = [];

  for (const d of input.deployments.values()) {
    if (d.desired_state !== 'running') continue;
    const spec = input.specs.get(d.model_uid);
    // A spec stored under another uid's key is as good as missing (never plan one model as another).
    if (!spec || spec.model_uid !== d.model_uid) {
      missingSpecs.push(d.model_uid);
      continue;
    }
    workloads.set(d.model_uid, workloadOfDeployment(d, spec));
  }

  // Requests already scheduled keep their uid; among the rest the oldest wins.
  const active = [...input.requests.values()].filter((r) => ACTIVE.has(r.status)).sort(requestOrder);
  for (const r of active) {
    const uid = r.spec.model_uid;
    if (input.deployments.has(uid)) {
      refused.set(r.request_id, `model_uid ${uid} is managed by a deployment`);
      continue;
    }
    const owner = workloads.get(uid);
    if (owner) {
      refused.set(r.request_id, `model_uid ${uid} is already loaded by request ${owner.request_id ?? '?'}`);
      continue;
    }
    workloads.set(uid, workloadOfRequest(r));
  }
  return { workloads, refused, missingSpecs };
}

function requestOrder(a: ModelRequest, b: ModelRequest): number {
  const rank = (r: ModelRequest) => (r.status === 'Pending' ? 1 : 0);
  if (rank(a) !== rank(b)) return rank(a) - rank(b);
  if (a.created_at !== b.created_at) return a.created_at < b.created_at ? -1 : 1;
  return a.request_id < b.request_id ? -1 : a.request_id > b.request_id ? 1 : 0;
}
