/**
 * `POST /api/v2/admin/rotate-secret`: a new session signing secret (admin only, audited like every
 * mutating request). The logic and the no-overlap decision are in src/server/auth/jwt-secret.ts.
 */
import { rotateJwtSecret } from '../auth/jwt-secret.js';
import type { ServerContext } from '../context.js';
import { errors } from '../errors.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';

export const ROTATE_SECRET_PATH = '/api/v2/admin/rotate-secret';

export function secretRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.admin.rotateSecret, async (c) => {
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
    }),
  ];
}
