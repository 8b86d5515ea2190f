/**
 * Calls the CLI needs that the typed client does not have (yet), built on its raw `request` so they share
 * its auth, timeouts and ApiError handling. Written by the CLI helper; fold into client.ts when convenient.
 */
import type { NebulaClient } from './client.js';
import type * as T from './types.js';

/** `GET /api/v2/auth/api-keys?all=true`: every user's keys (admin), or only the caller's. */
export function listApiKeys(
  client: NebulaClient,
  opts: { all?: boolean } = {},
): Promise<T.ListOf<T.ApiKeyView>> {
  return client.request<T.ListOf<T.ApiKeyView>>('GET', '/api/v2/auth/api-keys', {
    query: { all: opts.all ? 'true' : undefined },
  });
}

/**
 * Force-stop of one replica: `POST /api/nodes/{node}/models/{uid}/stop?replica_id=N`. The node admin API
 * takes `replica_id`; a server that does not pass it on stops every replica of the model on that node.
 */
export function forceStopReplica(
  client: NebulaClient,
  nodeId: string,
  uid: string,
  replicaId?: number,
): Promise<T.ForceStopResponse> {
  return client.request<T.ForceStopResponse>(
    'POST',
    `/api/nodes/${encodeURIComponent(nodeId)}/models/${encodeURIComponent(uid)}/stop`,
    {
      query: { replica_id: replicaId },
    },
  );
}
