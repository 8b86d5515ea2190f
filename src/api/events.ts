import { endpoint } from './endpoint.js';
import { AuditList, AuditQuery, EventList, EventsQuery } from './schemas/index.js';

/** Model lifecycle events. */
export const events = {
  list: endpoint({
    method: 'get',
    path: '/api/v2/events',
    minRole: 'viewer',
    action: 'event.list',
    resource: 'events',
    summary: 'Lifecycle events (scheduled, unplaceable, downloading, started, crashed...), newest first',
    tags: ['events'],
    query: EventsQuery,
    response: EventList,
  }),
};

/** The audit trail (admin). */
export const audit = {
  list: endpoint({
    method: 'get',
    path: '/api/v2/audit',
    minRole: 'admin',
    action: 'audit.list',
    resource: 'audit',
    summary:
      'Audit trail of mutating requests, newest first (filters: actor, action or action prefix like "model.", since)',
    tags: ['audit'],
    query: AuditQuery,
    response: AuditList,
  }),
};
