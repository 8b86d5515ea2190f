import type {
  AggregatedState,
  DownloadProgress,
  Endpoint,
  ModelDeployment,
  PlacementPlan,
} from '../../core/domain/index.js';

/** What the aggregated state is computed from: everything the store knows about one model. */
export interface StateInput {
  deployment:
    | (Pick<ModelDeployment, 'desired_state' | 'replicas'> & Partial<Pick<ModelDeployment, 'autoscaling'>>)
    | undefined;
  plan:
    (Pick<PlacementPlan, 'assignments' | 'unplaced'> & Partial<Pick<PlacementPlan, 'rollout'>>) | undefined;
  endpoints: readonly Pick<Endpoint, 'replica_id' | 'status' | 'restarts' | 'last_error'>[];
  downloads: readonly Pick<DownloadProgress, 'phase' | 'bytes_done' | 'bytes_total' | 'error'>[];
}

export interface StateResult {
  state: AggregatedState;
  /** Why the model is in this state, for people (null when there is nothing to say). */
  reason: string | null;
  /** Replicas wanted (0 when stopped). */
  desired: number;
  /** Endpoints reporting ready. */
  ready: number;
  /** Endpoints that exist (any status). */
  total: number;
}

const ACTIVE_DOWNLOAD = new Set(['pending', 'downloading', 'verifying']);

/**
 * True when an endpoint is crashing: failed, or restarted after an error and not ready again. A draining
 * endpoint is leaving on purpose (rollout, scale-down, drain): never a failure.
 */
function isCrashing(e: StateInput['endpoints'][number]): boolean {
  if (e.status === 'draining') return false;
  if (e.status === 'failed') return true;
  return e.status !== 'ready' && e.restarts > 0 && e.last_error !== undefined && e.last_error !== '';
}

function percent(done: number, total: number): string {
  if (total <= 0) return '';
  return ` (${Math.min(100, Math.floor((done / total) * 100))}%)`;
}

/**
 * The seven aggregated states of seed 002 (DESIGN §3), as a pure function:
 * - stopped and no endpoints -> stopped; stopped with endpoints left -> stopping;
 * - running with every replica ready -> running; some ready -> degraded;
 * - none ready and a download under way -> downloading;
 * - none ready and unplaceable (nothing could be placed) or crashing (failed endpoint, restarts with an
 *   error, failed download) -> failed, with the reason;
 * - otherwise starting.
 * Revisions: while a rollout (or the rollback of a failed one) is under way and a replica serves, the state
 * is `updating` ("updating 1/2 on r3"); `draining` endpoints (leaving on purpose) are neither ready nor
 * failures; after an automatic rollback a running model's reason says so, with why.
 * A running deployment scaled to 0 replicas counts as stopped (nothing is meant to serve), unless the
 * autoscaler put it there: then it is `idle` (a request wakes it).
 */
export function aggregateState(input: StateInput): StateResult {
  const { deployment, plan, endpoints, downloads } = input;
  const total = endpoints.length;
  const ready = endpoints.filter((e) => e.status === 'ready').length;
  const running = deployment?.desired_state === 'running' && deployment.replicas > 0;

  if (!running) {
    if (deployment?.desired_state === 'running' && deployment.autoscaling && total === 0)
      return {
        state: 'idle',
        reason: 'autoscaled to zero; the next request wakes it',
        desired: 0,
        ready,
        total,
      };
    const why =
      deployment === undefined
        ? 'no deployment'
        : deployment.desired_state === 'running'
          ? 'scaled to 0 replicas'
          : null;
    if (total === 0) return { state: 'stopped', reason: why, desired: 0, ready, total };
    return { state: 'stopping', reason: `${total} replica(s) still shutting down`, desired: 0, ready, total };
  }

  const desired = deployment.replicas;
  const crashing = endpoints.find(isCrashing);
  const failedDownload = downloads.find((d) => d.phase === 'failed');
  const unplaced = plan?.unplaced ?? null;

  // A rollout under way while replicas serve: planned churn, shown as `updating N/M on rX`.
  const rollout = plan?.rollout;
  const rolling = rollout && (rollout.phase === 'progressing' || rollout.phase === 'paused');
  const rollingBack =
    rollout?.phase === 'rolled_back' &&
    (plan?.assignments ?? []).some((a) => a.revision !== undefined && a.revision !== rollout.to_revision);
  if ((rolling || rollingBack) && ready > 0) {
    const what = rollingBack
      ? `rolling back from r${rollout.from_revision ?? '?'} to r${rollout.to_revision} (${rollout.reason ?? 'automatic'})`
      : `updating ${rollout.updated_ready}/${rollout.wanted} on r${rollout.to_revision}${rollout.phase === 'paused' ? ' (paused)' : ''}`;
    const extra = crashing?.last_error ? `; replica ${crashing.replica_id}: ${crashing.last_error}` : '';
    return {
      state: 'updating',
      reason: `${what}; ${Math.min(ready, desired)}/${desired} serving${extra}`,
      desired,
      ready,
      total,
    };
  }
  if (ready >= desired) {
    const note =
      rollout?.phase === 'rolled_back'
        ? `r${rollout.from_revision ?? '?'} was rolled back automatically to r${rollout.to_revision}: ${rollout.reason ?? 'not ready in time'}`
        : null;
    return { state: 'running', reason: note, desired, ready, total };
  }
  if (ready > 0) {
    const extra = crashing?.last_error
      ? `; replica ${crashing.replica_id}: ${crashing.last_error}`
      : unplaced
        ? `; ${unplaced.replicas} unplaced: ${unplaced.reason}`
        : '';
    return { state: 'degraded', reason: `${ready}/${desired} replicas ready${extra}`, desired, ready, total };
  }

  const active = downloads.filter((d) => ACTIVE_DOWNLOAD.has(d.phase));
  if (active.length > 0 || endpoints.some((e) => e.status === 'downloading')) {
    const done = active.reduce((s, d) => s + d.bytes_done, 0);
    const all = active.reduce((s, d) => s + d.bytes_total, 0);
    return {
      state: 'downloading',
      reason: `downloading model files${percent(done, all)}`,
      desired,
      ready,
      total,
    };
  }

  if (unplaced && (plan?.assignments.length ?? 0) === 0) {
    return { state: 'failed', reason: `unplaceable: ${unplaced.reason}`, desired, ready, total };
  }
  if (crashing) {
    const why = crashing.last_error ?? `endpoint ${crashing.status}`;
    return { state: 'failed', reason: `replica ${crashing.replica_id}: ${why}`, desired, ready, total };
  }
  if (failedDownload) {
    return {
      state: 'failed',
      reason: `download failed: ${failedDownload.error ?? 'unknown error'}`,
      desired,
      ready,
      total,
    };
  }

  let reason: string;
  if (!plan) reason = 'waiting for the scheduler';
  else if (unplaced) reason = `${unplaced.replicas} replica(s) unplaced: ${unplaced.reason}`;
  else
    reason = total === 0 ? 'waiting for nodes to start replicas' : `${total}/${desired} replica(s) starting`;
  return { state: 'starting', reason, desired, ready, total };
}
