import { PlacementPlan } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import type { ServerContext } from '../context.js';
import { errors } from '../errors.js';
import { actor, author, expected } from '../http/helpers.js';
import { defineRoute, type AnyRoute } from '../http/route.js';
import { diffSpecs } from '../models/revisions.js';
import { UidParams } from '../schemas/models.js';
import {
  DiffQuery,
  ListRevisionsQuery,
  RevisionDiff,
  RevisionList,
  RevisionParams,
  RevisionView,
  RollbackBody,
  RollbackResponse,
  RolloutPauseResponse,
} from '../schemas/revisions.js';

const tags = ['models'];

/** Revisions of a model's spec, their diffs, rollback, and pausing a rollout (issue 17). */
export function revisionRoutes(ctx: ServerContext): AnyRoute[] {
  const pauseRoute = (paused: boolean) =>
    defineRoute({
      method: 'post',
      path: `/api/v2/models/{uid}/rollout/${paused ? 'pause' : 'resume'}`,
      summary: paused
        ? 'Pause the rollout: replicas stay as they are (old and new revision) until resumed'
        : 'Resume a paused rollout',
      tags,
      params: UidParams,
      response: RolloutPauseResponse,
      handler: async (c, { params }) => {
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
      },
    });
  return [
    defineRoute({
      method: 'get',
      path: '/api/v2/models/{uid}/revisions',
      summary: "A model's spec revisions, newest first",
      description:
        'Every change of the spec made one (who, when, cause, which fields). `current` is the one the deployment wants.',
      tags,
      params: UidParams,
      query: ListRevisionsQuery,
      response: RevisionList,
      handler: async (_c, { params, query }) => {
        const { items, current } = await ctx.models.revisions(params.uid);
        return {
          items: items.slice(query.offset, query.offset + query.limit),
          total: items.length,
          offset: query.offset,
          limit: query.limit,
          current,
        };
      },
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/models/{uid}/revisions/{n}',
      summary: 'One revision of a model (its full spec)',
      tags,
      params: RevisionParams,
      response: RevisionView,
      handler: async (_c, { params }) => ctx.models.revision(params.uid, params.n),
    }),
    defineRoute({
      method: 'get',
      path: '/api/v2/models/{uid}/revisions/{n}/diff',
      summary: 'Field-level diff of revision n against another (default: the one before it)',
      description:
        'Each change has the dotted path of the field and its value before (in `against`) and after (in n); null: absent.',
      tags,
      params: RevisionParams,
      query: DiffQuery,
      response: RevisionDiff,
      handler: async (_c, { params, query }) => {
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
      },
    }),
    defineRoute({
      method: 'post',
      path: '/api/v2/models/{uid}/rollback',
      summary: 'Roll back to an earlier revision (default: the one before the current); makes a new revision',
      description:
        '404 REVISION_NOT_FOUND for an unknown revision; 409 NOTHING_TO_ROLL_BACK when it would change nothing. The rollout then moves the replicas like any other change.',
      tags,
      params: UidParams,
      body: RollbackBody,
      bodyOptional: true,
      response: RollbackResponse,
      handler: async (c, { params, body }) => {
        const r = await ctx.models.rollback(params.uid, body, expected(c), actor(c), author(c));
        c.set('auditDetails', { to: r.rollback_of, revision: r.revision });
        return { model_uid: params.uid, ...r };
      },
    }),
    pauseRoute(true),
    pauseRoute(false),
  ];
}
