/**
 * One fenced write per model (or per request): the plan and the request status that goes with it change
 * in one txn, which holds only while we are still the leader and nobody else touched those keys since
 * we read them. Two schedulers can therefore never both place a model.
 */
import { PlacementPlan } from '../../core/domain/placement.js';
import { ModelRequest } from '../../core/domain/request.js';
import { keys } from '../../core/keys.js';
import type { NewModelEvent } from '../../store/events.js';
import { encode, type Typed } from '../../store/json.js';
import type { Store, TxnCompare, TxnOp } from '../../store/types.js';

export interface WriteOp {
  /** Model uid (plan-related) or `req:{request_id}` (request-only). */
  id: string;
  uid: string;
  prevPlan?: Typed<PlacementPlan> | undefined;
  planPut?: PlacementPlan | undefined;
  planDelete?: boolean;
  prevRequest?: Typed<ModelRequest> | undefined;
  requestPut?: ModelRequest | undefined;
  requestDelete?: boolean;
  /** Drain requests (`/drains/...` keys) that are done or moot, deleted in the same txn. */
  drainDeletes: string[];
  events: NewModelEvent[];
  counts: { scheduled: number; rescheduled: number; removed: number };
}

export function emptyOp(id: string, uid: string, prevPlan: Typed<PlacementPlan> | undefined): WriteOp {
  return {
    id,
    uid,
    prevPlan,
    drainDeletes: [],
    events: [],
    counts: { scheduled: 0, rescheduled: 0, removed: 0 },
  };
}

export function touchesPlan(op: WriteOp): boolean {
  return op.planPut !== undefined || op.planDelete === true;
}

export function touchesRequest(op: WriteOp): boolean {
  return op.requestPut !== undefined || op.requestDelete === true;
}

/** Runs the op's txn; resolves to the store revision after it, or undefined when a compare failed. */
export async function executeOp(store: Store, fence: TxnCompare, op: WriteOp): Promise<number | undefined> {
  const compare: TxnCompare[] = [fence];
  const success: TxnOp[] = [];
  if (touchesPlan(op)) {
    const key = keys.placement(op.uid);
    compare.push({ key, modRevision: op.prevPlan?.modRevision ?? 0 });
    if (op.planPut) success.push({ op: 'put', key, value: encode(PlacementPlan, op.planPut) });
    else success.push({ op: 'delete', key });
  }
  if (touchesRequest(op) && op.prevRequest) {
    const key = op.prevRequest.key;
    compare.push({ key, modRevision: op.prevRequest.modRevision });
    if (op.requestPut) success.push({ op: 'put', key, value: encode(ModelRequest, op.requestPut) });
    else success.push({ op: 'delete', key });
  }
  // Deleted without a compare: a drain request is done once its replica left the plan written here.
  for (const key of op.drainDeletes) success.push({ op: 'delete', key });
  if (success.length === 0) return undefined;
  const res = await store.txn({ compare, success });
  return res.succeeded ? res.revision : undefined;
}
