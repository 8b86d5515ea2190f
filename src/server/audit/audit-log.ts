import type { Clock } from '../../core/clock.js';
import { AuditEvent } from '../../core/domain/audit.js';
import { errorMessage } from '../../core/errors.js';
import { timeOrderedId } from '../../core/ids.js';
import { keys, prefixes } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { decode, encode } from '../../store/json.js';
import { RetentionLeases } from '../../store/retention.js';
import type { Store } from '../../store/types.js';
import type { ServerMetrics } from '../metrics.js';

/** Default audit retention: 30 days. */
export const AUDIT_RETENTION_SECONDS = 30 * 24 * 3600;

export type NewAuditEvent = Omit<AuditEvent, 'id' | 'time'>;

export interface AuditQuery {
  limit: number;
  actor?: string | undefined;
  action?: string | undefined;
  since?: string | undefined;
}

/**
 * The audit trail: `/audit/{time-ordered id}` under retention leases (expired by the store itself), and
 * the same event as a JSON log line. A failed store write is logged and counted, never thrown: the
 * request already happened and its answer must not change because the audit store hiccuped.
 */
export class AuditLog {
  private readonly leases: RetentionLeases;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: ServerMetrics,
    retentionSeconds = AUDIT_RETENTION_SECONDS,
  ) {
    this.leases = new RetentionLeases(store, retentionSeconds, undefined, clock);
  }

  async write(event: NewAuditEvent, opts: { store?: boolean } = {}): Promise<AuditEvent> {
    const now = this.clock.now();
    const full = AuditEvent.parse({ ...event, id: timeOrderedId(now), time: new Date(now).toISOString() });
    this.logger.info({ audit: full }, 'audit');
    if (opts.store === false) {
      this.metrics.auditWrites.inc({ result: 'log_only' });
      return full;
    }
    try {
      const lease = await this.leases.leaseId();
      await this.store.put(keys.audit(full.id), encode(AuditEvent, full), { lease });
      this.metrics.auditWrites.inc({ result: 'ok' });
    } catch (err) {
      this.metrics.auditWrites.inc({ result: 'error' });
      this.logger.error({ err: errorMessage(err), audit_id: full.id }, 'could not store audit event');
    }
    return full;
  }

  /** Newest first, filtered by actor / action (prefix match: `model.` matches `model.create`) / since. */
  async query(q: AuditQuery): Promise<AuditEvent[]> {
    const since = q.since ? Date.parse(q.since) : undefined;
    // Ids start with the zero-padded millisecond time, so `since` is a key range: read only that part.
    const res = await this.store.list(
      prefixes.audit,
      since === undefined ? {} : { startAfter: `${prefixes.audit}${String(since).padStart(15, '0')}` },
    );
    const out: AuditEvent[] = [];
    for (let i = res.items.length - 1; i >= 0 && out.length < q.limit; i--) {
      const kv = res.items[i];
      if (!kv) continue;
      let e: AuditEvent;
      try {
        e = decode(AuditEvent, kv).value;
      } catch {
        continue;
      }
      if (since !== undefined && Date.parse(e.time) < since) break;
      if (q.actor && e.actor !== q.actor) continue;
      if (q.action && e.action !== q.action && !(q.action.endsWith('.') && e.action.startsWith(q.action)))
        continue;
      out.push(e);
    }
    return out;
  }
}
