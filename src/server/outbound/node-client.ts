import { NodeStatus } from '../../core/domain/index.js';
import { errorMessage } from '../../core/errors.js';
import { isValidModelUid } from '../../core/ids.js';
import { keys } from '../../core/keys.js';
import { getJson } from '../../store/json.js';
import type { Store } from '../../store/types.js';
import { ApiError, errors } from '../errors.js';
import { fetchWithTimeout, hostForUrl } from './http.js';

/** Ids go into the node URL's path: re-check them here, whatever the caller validated. */
function checkUid(uid: string): void {
  if (!isValidModelUid(uid)) throw errors.badRequest(`invalid model_uid "${uid}"`, 'INVALID_MODEL_UID');
}

/**
 * Calls a node's admin API (force-stop, logs). The ONLY target is the address + admin_port a registered
 * node published in its status; the path is built from validated ids. Requests carry the node admin
 * token and the caller's traceparent.
 */
export class NodeClient {
  constructor(
    private readonly store: Store,
    private readonly fetchImpl: typeof fetch,
    private readonly token: string | undefined,
    private readonly timeoutMs: number,
  ) {}

  async baseUrl(nodeId: string): Promise<string> {
    const status = await getJson(this.store, keys.nodeStatus(nodeId), NodeStatus);
    if (!status)
      throw errors.notFound('NODE_NOT_FOUND', `node "${nodeId}" is not registered (offline or unknown)`, {
        node_id: nodeId,
      });
    return `http://${hostForUrl(status.value.address)}:${status.value.admin_port}`;
  }

  private headers(traceparent: string, extra: Record<string, string> = {}): Record<string, string> {
    const h: Record<string, string> = { traceparent, ...extra };
    if (this.token) h['authorization'] = `Bearer ${this.token}`;
    return h;
  }

  /** `POST /admin/models/{uid}/stop[?replica_id=N]` on the node (one replica, or all of the model's). */
  async stopModel(
    nodeId: string,
    uid: string,
    traceparent: string,
    replicaId?: number,
  ): Promise<{ status: number; body: unknown }> {
    checkUid(uid);
    if (replicaId !== undefined && (!Number.isInteger(replicaId) || replicaId < 0 || replicaId > 9999)) {
      throw new ApiError(422, 'VALIDATION_FAILED', `replica_id must be an integer 0-9999`);
    }
    const query = replicaId === undefined ? '' : `?replica_id=${replicaId}`;
    const url = `${await this.baseUrl(nodeId)}/admin/models/${uid}/stop${query}`;
    let res: Response;
    try {
      res = await fetchWithTimeout(this.fetchImpl, url, {
        method: 'POST',
        timeoutMs: this.timeoutMs,
        headers: this.headers(traceparent),
      });
    } catch (err) {
      throw new ApiError(502, 'NODE_UNREACHABLE', `node "${nodeId}" did not answer: ${errorMessage(err)}`, {
        details: { node_id: nodeId },
      });
    }
    const text = await res.text();
    let body: unknown = text;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      // keep the text
    }
    return { status: res.status, body };
  }

  /**
   * `GET /admin/models/{uid}/replicas/{rid}/logs?tail=N[&follow=1]`: returns the node's response as is
   * (a text body, or an SSE stream when following). Aborting `signal` ends the upstream request.
   */
  async logs(
    nodeId: string,
    uid: string,
    replicaId: number,
    opts: { tail: number; follow: boolean; traceparent: string; signal?: AbortSignal },
  ): Promise<Response> {
    checkUid(uid);
    if (!Number.isInteger(replicaId) || replicaId < 0) throw errors.badRequest('invalid replica id');
    const q = new URLSearchParams({ tail: String(opts.tail) });
    if (opts.follow) q.set('follow', '1');
    const url = `${await this.baseUrl(nodeId)}/admin/models/${uid}/replicas/${replicaId}/logs?${q.toString()}`;
    try {
      const init: RequestInit & { timeoutMs: number } = {
        timeoutMs: opts.follow ? 24 * 3600 * 1000 : this.timeoutMs,
        headers: this.headers(opts.traceparent, opts.follow ? { accept: 'text/event-stream' } : {}),
      };
      if (opts.signal) init.signal = opts.signal;
      return await fetchWithTimeout(this.fetchImpl, url, init);
    } catch (err) {
      throw new ApiError(502, 'NODE_UNREACHABLE', `node "${nodeId}" did not answer: ${errorMessage(err)}`, {
        details: { node_id: nodeId },
      });
    }
  }
}
