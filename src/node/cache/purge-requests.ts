/**
 * Answers one `/cache_purge/{node}/{hash}` request: finds the model (from the request, or by its hash in the
 * node's scan), purges it unless it is in use, and writes the outcome into the same key under a short lease
 * (compare-and-swap on the request's revision, so a newer request is never overwritten). The key then
 * disappears by itself once the requester had time to read it.
 */
import type { Clock } from '../../core/clock.js';
import { CachePurgeRequest, type ModelSource } from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import { modelNameHash } from '../../core/ids.js';
import type { Logger } from '../../core/logger.js';
import { encode, type Typed } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import type { PurgeOutcome } from './types.js';

export interface PurgeRequestDeps {
  store: Store;
  nodeId: string;
  clock: Clock;
  logger?: Logger;
  resultTtlSeconds: number;
  /** The model cached under a name hash, if any. */
  lookup(hash: string): Promise<{ name: string; source: ModelSource } | undefined>;
  purge(name: string, source: ModelSource): Promise<PurgeOutcome>;
}

export async function answerPurgeRequest(
  deps: PurgeRequestDeps,
  item: Typed<CachePurgeRequest>,
): Promise<void> {
  const req = item.value;
  let name = req.model_name;
  let source = req.source;
  if (!name || !source) {
    const found = await deps.lookup(req.name_hash);
    name = found?.name;
    source = found?.source;
  }
  let result: PurgeOutcome;
  if (!name || !source) {
    result = {
      status: 'not_found',
      reason: `nothing cached under ${req.name_hash} on ${deps.nodeId}`,
      freed_bytes: 0,
    };
  } else if (modelNameHash(source, name) !== req.name_hash) {
    result = { status: 'failed', reason: 'name_hash does not match model_name and source', freed_bytes: 0 };
  } else {
    result = await deps.purge(name, source);
  }
  const done: CachePurgeRequest = {
    ...req,
    status: result.status,
    freed_bytes: result.freed_bytes,
    completed_at: new Date(deps.clock.now()).toISOString(),
  };
  if (name) done.model_name = name;
  if (source) done.source = source;
  if (result.reason) done.reason = result.reason;
  const lease = await deps.store.grantLease(deps.resultTtlSeconds);
  const written = await deps.store
    .put(item.key, encode(CachePurgeRequest, done), { lease, ifModRevision: item.modRevision })
    .catch((err: unknown) => {
      deps.logger?.warn({ err: errorMessage(err) }, 'could not record purge result');
      return undefined;
    });
  if (!written) await deps.store.revokeLease(lease).catch(() => undefined);
}
