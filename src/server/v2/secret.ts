/**
 * `POST /api/v2/admin/rotate-secret`: a new session signing secret (admin only, audited like every
 * mutating request). The logic and the no-overlap decision are in src/server/auth/jwt-secret.ts.
 */
import { z } from 'zod';
import { rotateJwtSecret } from '../auth/jwt-secret.js';
import type { ServerContext } from '../context.js';
import { errors } from '../errors.js';
import { defineRoute, type AnyRoute } from '../http/route.js';

export const ROTATE_SECRET_PATH = '/api/v2/admin/rotate-secret';

const RotateSecretResult = z
  .object({
    rotated_at: z.string(),
    /** Sessions signed with the previous secret are refused from now on (no overlap). */
    sessions_invalidated: z.literal(true),
  })
  .meta({ id: 'RotateSecretResult' });

export function secretRoutes(ctx: ServerContext): AnyRoute[] {
  return [
    defineRoute({
      method: 'post',
      path: ROTATE_SECRET_PATH,
      summary: 'Replace the session signing secret: every existing session (JWT) is refused from now on',
      description:
        'For a leaked or suspected secret. No overlap: users log in again; API keys are not affected. Other servers and the routers follow the stored secret within a watch round trip. Refused with 409 JWT_SECRET_CONFIGURED when the secret comes from NEBULA_JWT_SECRET (change it there and restart every server and router).',
      tags: ['admin'],
      response: RotateSecretResult,
      handler: async (c) => {
        if (ctx.options.jwtSecret !== undefined) {
          throw errors.conflict(
            'JWT_SECRET_CONFIGURED',
            'the signing secret is configured (NEBULA_JWT_SECRET): change it there and restart every server and router',
          );
        }
        const { secret, createdAt } = await rotateJwtSecret(ctx.store, ctx.clock.now());
        // This server switches now; the others (and the routers) when their watch delivers the new key.
        ctx.jwtSecret = secret;
        c.set('auditDetails', { rotated_at: createdAt });
        ctx.logger.warn(
          { rotated_at: createdAt },
          'session signing secret rotated: existing sessions are refused',
        );
        return { rotated_at: createdAt, sessions_invalidated: true as const };
      },
    }),
  ];
}
