import { z } from 'zod';
import { ModelRevision, RevisionNumber, RolloutPolicy, RolloutStatus } from '../../core/domain/index.js';
import { ModelUid } from '../../core/ids.js';
import { pageOf, queryInt } from './common.js';

const R = RolloutPolicy.shape;

/**
 * Rollout policy fields on a model's create / update body (issue 17): given in part, merged into the
 * deployment's `rollout`. `null` on `max_surge` / `max_unavailable` goes back to "choose" (surge when the
 * cluster has room, else one at a time). Pausing has routes of its own.
 */
export const RolloutInput = z
  .strictObject({
    strategy: R.strategy.unwrap().optional(),
    max_surge: R.max_surge.unwrap().nullable().optional(),
    max_unavailable: R.max_unavailable.unwrap().nullable().optional(),
    progress_deadline_seconds: R.progress_deadline_seconds.unwrap().optional(),
    drain_grace_seconds: R.drain_grace_seconds.unwrap().optional(),
  })
  .meta({ id: 'RolloutInput' });
export type RolloutInput = z.infer<typeof RolloutInput>;

export const RevisionView = ModelRevision.meta({ id: 'ModelRevision' });

export const RevisionList = pageOf(RevisionView)
  .extend({
    /** The revision the deployment wants (the newest one). */
    current: RevisionNumber.nullable(),
  })
  .meta({ id: 'ModelRevisionList' });
export type RevisionList = z.infer<typeof RevisionList>;

export const ListRevisionsQuery = z.object({
  limit: queryInt(1, 1000, 50),
  offset: queryInt(0, 100_000_000, 0),
});

/** A revision number in a path or query: a string to HTTP, a number to the handler. */
const RevisionParam = z
  .string()
  .regex(/^[1-9][0-9]{0,7}$/, 'a revision is a whole number 1-99999999')
  .transform(Number);

export const RevisionParams = z.object({ uid: ModelUid, n: RevisionParam });

export const DiffQuery = z.object({
  /** The revision to compare with (default: the one before `n`). */
  against: RevisionParam.optional(),
});

export const SpecDiffEntry = z
  .object({
    /** Dotted path of the field (`engine_config.env.HF_HOME`). */
    path: z.string(),
    /** The value in `against` (null: absent). */
    before: z.unknown(),
    /** The value in `n` (null: absent). */
    after: z.unknown(),
  })
  .meta({ id: 'SpecDiffEntry' });

export const RevisionDiff = z
  .object({
    model_uid: ModelUid,
    revision: RevisionNumber,
    against: RevisionNumber.nullable(),
    changes: z.array(SpecDiffEntry),
  })
  .meta({ id: 'ModelRevisionDiff' });
export type RevisionDiff = z.infer<typeof RevisionDiff>;

export const RollbackBody = z
  .strictObject({
    /** The revision whose spec to restore (default: the one before the current one). */
    to: RevisionNumber.optional(),
    message: z.string().max(500).optional(),
  })
  .meta({ id: 'RollbackBody' });
export type RollbackBody = z.infer<typeof RollbackBody>;

export const RollbackResponse = z
  .object({
    model_uid: ModelUid,
    /** The new revision (cause `rollback`). */
    revision: RevisionNumber,
    rollback_of: RevisionNumber,
    changed: z.array(z.string()),
  })
  .meta({ id: 'RollbackResponse' });

export const RolloutPauseResponse = z
  .object({
    model_uid: ModelUid,
    paused: z.boolean(),
    revision: RevisionNumber.nullable(),
    rollout: RolloutStatus.nullable(),
  })
  .meta({ id: 'RolloutPauseResponse' });
