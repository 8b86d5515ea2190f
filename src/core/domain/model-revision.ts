import { z } from 'zod';
import { ModelUid } from '../ids.js';
import { Timestamp } from './common.js';
import { ModelSpec } from './model.js';
import { RevisionNumber } from './revision.js';

// Apart from revision.ts: model.ts imports that file (RolloutPolicy), and this one needs ModelSpec, so the
// two in one module would be an import cycle (a schema read before it is initialised).

/** Why a revision was made. */
export const RevisionCause = z.enum(['create', 'update', 'rollback', 'auto-rollback', 'migrate']);
export type RevisionCause = z.infer<typeof RevisionCause>;

/**
 * `/model_revisions/{model_uid}/{n}`: an immutable snapshot of a model's spec, written by the server on
 * every change of the spec (never updated; deleted with the model). Kept under a prefix of its own rather
 * than below `/models/` so that the informers watching specs do not carry every model's history.
 */
export const ModelRevision = z.object({
  model_uid: ModelUid,
  revision: RevisionNumber,
  spec: ModelSpec,
  /** Who made it (`user:alice`, `key:ab12cd`, `system`). */
  created_by: z.string().min(1).max(200),
  created_at: Timestamp,
  cause: RevisionCause,
  /** For a rollback: the revision whose spec was restored. */
  rollback_of: RevisionNumber.optional(),
  /** Spec fields (top-level names, as in SPEC_FIELD_ROLES) that differ from the previous revision. */
  changed: z.array(z.string()).default([]),
  /** Free text (an operator's message, or why an automatic rollback happened). */
  message: z.string().max(500).optional(),
});
export type ModelRevision = z.infer<typeof ModelRevision>;

