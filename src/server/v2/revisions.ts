import { PlacementPlan } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import type { ServerContext } from '../context.js';
import { errors } from '../errors.js';
import { actor, author, expected, slicePage } from '../http/helpers.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { diffSpecs } from '../models/revisions.js';

/** Revisions of a model's spec, their diffs, rollback, and pausing a rollout (issue 17). */
export function revisionRoutes(ctx: ServerContext): Implementation[] {
  const pauseRoute = (paused: boolean) =>
    implement(paused ? api.models.pauseRollout : api.models.resumeRollout, async (c, { params }) => {
      await ctx.models.setRolloutPaused(params.uid, paused, expected(c), actor(c));
      const [pair, plan] = await Promise.all([
        ctx.models.require(params.uid),
        ctx.reader.get(keys.placement(params.uid), PlacementPlan),
      ]);
      return {
        model_uid: params.uid,
        paused: pair.deployment?.value.rollout?.paused ?? false,
        revision: pair.deployment?.value.spec_revision ?? null,
        rollout: plan?.value.rollout ?? null,
      };
    });
  return [
    implement(api.models.revisions, async (_c, { params, query }) => {
      const { items, current } = await ctx.models.revisions(params.uid);
      return { ...slicePage(items, query), current };
    }),
    implement(api.models.revision, async (_c, { params }) => ctx.models.revision(params.uid, params.n)),
    implement(api.models.revisionDiff, async (_c, { params, query }) => {
      const rev = await ctx.models.revision(params.uid, params.n);
      const against = query.against ?? (params.n > 1 ? params.n - 1 : undefined);
      if (against === undefined) {
        // The first revision against nothing: every field it sets is new.
        return {
          model_uid: params.uid,
          revision: params.n,
          against: null,
          changes: diffSpecs(undefined, rev.spec),
        };
      }
      if (query.against !== undefined && query.against === params.n) {
        throw errors.invalid('against must name another revision', 'VALIDATION_FAILED', {
          issues: [{ path: 'against', message: 'same revision' }],
        });
      }
      const base = await ctx.models.revision(params.uid, against);
      return {
        model_uid: params.uid,
        revision: params.n,
        against,
        changes: diffSpecs(base.spec, rev.spec),
      };
    }),
    implement(api.models.rollback, async (c, { params, body }) => {
      const r = await ctx.models.rollback(params.uid, body, expected(c), actor(c), author(c));
      c.set('auditDetails', { to: r.rollback_of, revision: r.revision });
      return { model_uid: params.uid, ...r };
    }),
    pauseRoute(true),
    pauseRoute(false),
  ];
}
