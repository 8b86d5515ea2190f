import type { ZodError } from 'zod';
import { ApiError, zodIssues, type ErrorCode } from '../errors.js';

const PARAM_CODES: Record<string, ErrorCode> = {
  uid: 'INVALID_MODEL_UID',
  model_uid: 'INVALID_MODEL_UID',
  node_id: 'INVALID_NODE_ID',
};

/**
 * The error for input that failed its schema (pure): bad path parameters and queries are 400 (the URL is
 * wrong), bad bodies 422 (well-formed JSON that breaks the rules). An invalid model_uid / node_id keeps
 * its own stable code; the issues list says which field and why.
 */
export function validationError(target: string, err: ZodError): ApiError {
  const issues = zodIssues(err);
  const fields = new Set(err.issues.map((i) => String(i.path[0] ?? '')));
  const only = fields.size === 1 ? [...fields][0] : undefined;
  const code: ErrorCode =
    (only !== undefined ? PARAM_CODES[only] : undefined) ??
    (target === 'param' ? 'INVALID_ID' : 'VALIDATION_FAILED');
  const where = target === 'json' ? 'body' : target === 'param' ? 'path' : target;
  const first = issues[0];
  const message = first
    ? `invalid ${where}: ${first.path ? `${first.path}: ` : ''}${first.message}`
    : `invalid ${where}`;
  return new ApiError(target === 'json' ? 422 : 400, code, message, { details: { issues } });
}
