import { z } from 'zod';
import { Role, Timestamp } from './common.js';

export const AuditResult = z.enum(['success', 'failure']);
export type AuditResult = z.infer<typeof AuditResult>;

export const AuthMethod = z.enum(['jwt', 'api_key', 'static_token', 'anonymous']);
export type AuthMethod = z.infer<typeof AuthMethod>;

/** `/audit/{time-ordered id}` under a retention lease: one per mutating request, failures included. */
export const AuditEvent = z.object({
  id: z.string(),
  time: Timestamp,
  actor: z.string(),
  role: Role.nullable(),
  auth_method: AuthMethod,
  action: z.string(),
  resource: z.string(),
  result: AuditResult,
  status_code: z.number().int(),
  request_id: z.string(),
  source_ip: z.string(),
  details: z.record(z.string(), z.unknown()).optional(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;
