import { systemClock, type Clock } from '../core/clock.js';
import { ModelEvent } from '../core/domain/event.js';
import { timeOrderedId } from '../core/ids.js';
import { keys } from '../core/keys.js';
import { encode } from './json.js';
import { RetentionLeases } from './retention.js';
import type { Store } from './types.js';

export type NewModelEvent = Omit<ModelEvent, 'id' | 'time' | 'level'> & { level?: ModelEvent['level'] };

/** Default retention of model events: 7 days. */
export const EVENT_RETENTION_SECONDS = 7 * 24 * 3600;

/** Writes lifecycle events under `/events/{model_uid}/{time-ordered id}`, expiring after the retention. */
export class EventRecorder {
  private readonly leases: RetentionLeases;
  private readonly clock: Clock;

  constructor(
    private readonly store: Store,
    opts: { retentionSeconds?: number; clock?: Clock } = {},
  ) {
    this.clock = opts.clock ?? systemClock;
    this.leases = new RetentionLeases(store, opts.retentionSeconds ?? EVENT_RETENTION_SECONDS, undefined, this.clock);
  }

  async record(event: NewModelEvent): Promise<ModelEvent> {
    const now = this.clock.now();
    const full: ModelEvent = ModelEvent.parse({
      ...event,
      level: event.level ?? 'info',
      id: timeOrderedId(now),
      time: new Date(now).toISOString(),
    });
    const lease = await this.leases.leaseId();
    await this.store.put(keys.event(full.model_uid, full.id), encode(ModelEvent, full), { lease });
    return full;
  }
}
