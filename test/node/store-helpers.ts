import { Endpoint, NodeStatus, PlacementPlan } from '../../src/core/domain/index.js';
import { keys, prefixes } from '../../src/core/keys.js';
import { decode, encode, getJson } from '../../src/store/json.js';
import type { Store, Watcher } from '../../src/store/types.js';

export async function putPlan(store: Store, plan: PlacementPlan): Promise<void> {
  await store.put(keys.placement(plan.model_uid), encode(PlacementPlan, plan));
}

export async function getEndpoint(store: Store, uid: string, rid: number): Promise<Endpoint | undefined> {
  return (await getJson(store, keys.endpoint(uid, rid), Endpoint))?.value;
}

export async function getNodeStatus(store: Store, nodeId: string): Promise<NodeStatus | undefined> {
  return (await getJson(store, keys.nodeStatus(nodeId), NodeStatus))?.value;
}

/** Records every endpoint status written, per `uid/rid`, so short-lived states are not missed. */
export async function recordEndpointHistory(
  store: Store,
): Promise<{ history: Map<string, Endpoint[]>; watcher: Watcher }> {
  const history = new Map<string, Endpoint[]>();
  const watcher = await store.watch(prefixes.endpoints, {
    fromRevision: (await store.revision()) + 1,
    onEvents: (events) => {
      for (const ev of events) {
        if (ev.type !== 'put' || !ev.value) continue;
        const ep = decode(Endpoint, {
          key: ev.key,
          value: ev.value,
          createRevision: 0,
          modRevision: 0,
          version: 0,
        }).value;
        const k = `${ep.model_uid}/${ep.replica_id}`;
        history.set(k, [...(history.get(k) ?? []), ep]);
      }
    },
    onError: () => undefined,
  });
  return { history, watcher };
}
