import { z } from 'zod';
import { AuditEvent, ModelEvent } from '../../core/domain/index.js';
import { ModelUid } from '../../core/ids.js';
import { listOf, queryInt } from './common.js';

export const EventsQuery = z.object({ model_uid: ModelUid.optional(), limit: queryInt(1, 1000, 100) });
export const ModelEventsQuery = z.object({ limit: queryInt(1, 1000, 50) });
export const EventList = listOf(ModelEvent).meta({ id: 'EventList' });

export const AuditQuery = z.object({
  limit: queryInt(1, 1000, 100),
  actor: z.string().max(100).optional(),
  action: z.string().max(100).optional(),
  since: z.iso.datetime({ offset: true }).optional(),
});
export const AuditList = listOf(AuditEvent).meta({ id: 'AuditList' });
