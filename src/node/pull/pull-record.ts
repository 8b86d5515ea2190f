/**
 * How a pull's record changes (pure): the node's progress and outcome written into
 * `/pulls/{uid}/{node}`, bounded to what the schema allows.
 */
import type { ModelPull } from '../../core/domain/index.js';
import type { PrefetchResult, ProgressSnapshot } from '../cache/index.js';

/** The record while downloading: the request's fields with the latest progress. */
export function pullProgress(req: ModelPull, s: ProgressSnapshot | undefined, nowIso: string): ModelPull {
  const out: ModelPull = {
    ...req,
    status: 'downloading',
    started_at: req.started_at ?? nowIso,
    updated_at: nowIso,
  };
  delete out.error;
  delete out.completed_at;
  if (s) {
    out.bytes_done = Math.min(s.bytes_done, s.bytes_total);
    out.bytes_total = s.bytes_total;
    out.files_done = Math.min(s.files_done, s.files_total);
    out.files_total = s.files_total;
    out.speed_bps = Math.max(0, s.speed_bps);
  }
  return out;
}

/** The record of a finished pull: every byte there, or the error. */
export function pullOutcome(
  req: ModelPull,
  outcome: { ok: true; result: PrefetchResult } | { ok: false; error: string; last?: ProgressSnapshot },
  nowIso: string,
): ModelPull {
  const base = pullProgress(req, undefined, nowIso);
  delete base.speed_bps;
  if (outcome.ok) {
    const r = outcome.result;
    return {
      ...base,
      status: 'done',
      bytes_done: r.bytesTotal,
      bytes_total: r.bytesTotal,
      files_done: r.filesTotal,
      files_total: r.filesTotal,
      cached: r.cached,
      fetched_bytes: r.fetchedBytes,
      completed_at: nowIso,
    };
  }
  const failed: ModelPull = {
    ...base,
    status: 'failed',
    error: outcome.error.slice(0, 2000),
    completed_at: nowIso,
  };
  if (outcome.last) {
    failed.bytes_done = Math.min(outcome.last.bytes_done, outcome.last.bytes_total);
    failed.bytes_total = outcome.last.bytes_total;
    failed.files_done = Math.min(outcome.last.files_done, outcome.last.files_total);
    failed.files_total = outcome.last.files_total;
  }
  return failed;
}
