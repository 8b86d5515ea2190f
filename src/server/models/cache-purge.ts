import type { Clock } from '../../core/clock.js';
import { CachePurgeRequest, ModelCacheEntry, type ModelSource } from '../../core/domain/index.js';
import { modelNameHash } from '../../core/ids.js';
import { keys, parseKey, prefixes } from '../../core/keys.js';
import { listJson, encode, getJson } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import type { PurgeHook } from './service.js';

/**
 * Asks one node's cache manager to delete one model's files: writes a pending `/cache_purge/{node}/{hash}`
 * request. The node deletes the files unless a running replica uses them and writes the outcome into the
 * same key (done / refused with the reason / not_found / failed).
 */
export async function requestCachePurge(
  store: Store,
  clock: Clock,
  req: { nodeId: string; nameHash: string; modelName?: string; source?: ModelSource; requestedBy?: string },
): Promise<void> {
  const value = CachePurgeRequest.parse({
    node_id: req.nodeId,
    name_hash: req.nameHash,
    ...(req.modelName ? { model_name: req.modelName } : {}),
    ...(req.source ? { source: req.source } : {}),
    ...(req.requestedBy ? { requested_by: req.requestedBy } : {}),
    requested_at: new Date(clock.now()).toISOString(),
    status: 'pending',
  });
  await store.put(keys.cachePurge(req.nodeId, req.nameHash), encode(CachePurgeRequest, value));
}

/** Polls a purge request until its node answered (or the time is up: then it is still pending). */
export async function awaitCachePurge(
  store: Store,
  clock: Clock,
  nodeId: string,
  nameHash: string,
  timeoutMs: number,
): Promise<CachePurgeRequest | undefined> {
  const deadline = clock.now() + timeoutMs;
  for (;;) {
    const cur = await getJson(store, keys.cachePurge(nodeId, nameHash), CachePurgeRequest);
    if (!cur || cur.value.status !== 'pending' || clock.now() >= deadline) return cur?.value;
    await clock.sleep(200);
  }
}

/**
 * The default purge hook of model delete with purge: one request per node that holds the model, so every
 * node removes its copy (each one refusing while its own replica still uses it).
 */
export function storePurgeHook(store: Store, clock: Clock): PurgeHook {
  return async (modelName, source) => {
    const hash = modelNameHash(source, modelName);
    const entries = await listJson(store, prefixes.modelCache, ModelCacheEntry, (k) => {
      const parsed = parseKey(k);
      return parsed?.kind === 'modelCache' && parsed.nameHash === hash;
    });
    await Promise.all(
      entries.items.map((e) =>
        requestCachePurge(store, clock, { nodeId: e.value.node_id, nameHash: hash, modelName, source }),
      ),
    );
  };
}
