import { Endpoint } from '../core/domain/index.js';
import { errorMessage } from '../core/errors.js';
import { keys } from '../core/keys.js';
import type { Logger } from '../core/logger.js';
import { ConflictError } from '../store/errors.js';
import { decode, encode } from '../store/json.js';
import type { Store } from '../store/types.js';

/**
 * Writes this node's endpoints under the node lease. A replica can move between nodes, so two nodes may
 * briefly care about one endpoint key: a node overwrites a key held by another node only while the plan
 * assigns the replica to it (`takeOver`), deletes only keys it holds, and every write is a compare-and-swap
 * on what it read. Writes to one key are serialised; the last value is remembered for re-publishing after
 * a lost lease.
 */
export class EndpointWriter {
  private readonly chains = new Map<string, Promise<unknown>>();
  private readonly published = new Map<string, Endpoint>();

  constructor(
    private readonly store: Store,
    private readonly nodeId: string,
    private readonly leaseId: () => string,
    private readonly logger?: Logger,
  ) {}

  private serial<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.chains.get(key) ?? Promise.resolve();
    const next = prev.then(fn, fn);
    const settled = next.catch(() => undefined);
    this.chains.set(key, settled);
    void settled.then(() => {
      if (this.chains.get(key) === settled) this.chains.delete(key);
    });
    return next;
  }

  /** Publishes an endpoint; false when the key belongs to another node and `takeOver` is false. */
  publish(ep: Endpoint, takeOver: boolean): Promise<boolean> {
    const key = keys.endpoint(ep.model_uid, ep.replica_id);
    return this.serial(key, async () => {
      const value = encode(Endpoint, ep);
      for (let attempt = 0; attempt < 5; attempt++) {
        const cur = await this.store.get(key);
        if (cur && !takeOver && this.ownerOf(cur) !== this.nodeId) return false;
        try {
          await this.store.put(key, value, { lease: this.leaseId(), ifModRevision: cur?.modRevision ?? 0 });
          this.published.set(key, ep);
          return true;
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
        }
      }
      this.logger?.warn({ key }, 'endpoint write kept conflicting; giving up this update');
      return false;
    });
  }

  /** Deletes the endpoint if this node holds it. */
  remove(modelUid: string, replicaId: number): Promise<void> {
    const key = keys.endpoint(modelUid, replicaId);
    return this.serial(key, async () => {
      this.published.delete(key);
      for (let attempt = 0; attempt < 5; attempt++) {
        const cur = await this.store.get(key);
        if (!cur || this.ownerOf(cur) !== this.nodeId) return;
        try {
          await this.store.delete(key, { ifModRevision: cur.modRevision });
          return;
        } catch (err) {
          if (!(err instanceof ConflictError)) throw err;
        }
      }
    });
  }

  /** Writes every published endpoint again (under the new lease after the old one was lost). */
  async republishAll(): Promise<void> {
    for (const ep of [...this.published.values()]) {
      await this.publish({ ...ep, updated_at: new Date().toISOString() }, true).catch((err: unknown) =>
        this.logger?.warn(
          { err: errorMessage(err), model_uid: ep.model_uid },
          'could not re-publish endpoint',
        ),
      );
    }
  }

  private ownerOf(kv: { key: string; value: string }): string | undefined {
    try {
      return decode(Endpoint, { ...kv, createRevision: 0, modRevision: 0, version: 0 }).value.node_id;
    } catch {
      // Garbage under an endpoint key: nobody owns it, so whoever is assigned may fix it.
      return undefined;
    }
  }
}
