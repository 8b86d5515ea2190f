import { endSessions } from '../../core/credentials.js';
import { ApiKey, User, roleAtLeast, type Role } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { encode, type Typed } from '../../store/json.js';
import type { TxnOp } from '../../store/types.js';
import { hashPassword } from '../auth/passwords.js';
import type { ServerContext } from '../context.js';
import { ApiError, errors } from '../errors.js';
import { actor, expected, withEtag } from '../http/helpers.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { checkExpected } from '../models/service.js';
import { UserView } from '../../api/schemas/auth.js';

export const userView = (u: Typed<User>): UserView => ({
  username: u.value.username,
  role: u.value.role,
  disabled: u.value.disabled,
  created_at: u.value.created_at,
  updated_at: u.value.updated_at,
  created_by: u.value.created_by ?? null,
  resource_version: u.modRevision,
});

/** Nobody grants a role above their own. */
function checkGrant(granter: Role | undefined, role: Role): void {
  if (!granter || !roleAtLeast(granter, role)) {
    throw new ApiError(
      403,
      'ROLE_ESCALATION',
      `you cannot grant the ${role} role (yours is ${granter ?? 'none'})`,
    );
  }
}

export function userRoutes(ctx: ServerContext): Implementation[] {
  const requireUser = async (username: string) => {
    const u = await ctx.users.get(username, true);
    if (!u) throw errors.notFound('USER_NOT_FOUND', `user "${username}" not found`, { username });
    return u;
  };
  /** Enabled admins other than `username`: the last one may not be removed, demoted or disabled. */
  const otherAdmins = async (username: string) =>
    (await ctx.users.list()).filter(
      (u) => u.value.role === 'admin' && !u.value.disabled && u.value.username !== username,
    ).length;

  return [
    implement(api.users.list, async () => ({ items: (await ctx.users.list()).map(userView) })),
    implement(api.users.create, async (c, { body }) => {
      c.set('auditResource', `user/${body.username}`);
      checkGrant(c.var.principal?.role, body.role);
      const now = new Date(ctx.clock.now()).toISOString();
      const user = User.parse({
        username: body.username,
        password_hash: await hashPassword(body.password),
        role: body.role,
        disabled: false,
        created_at: now,
        updated_at: now,
        created_by: actor(c),
      });
      const res = await ctx.store.txn({
        compare: [{ key: keys.user(body.username), modRevision: 0 }],
        success: [{ op: 'put', key: keys.user(body.username), value: encode(User, user) }],
      });
      if (!res.succeeded)
        throw errors.conflict('USER_ALREADY_EXISTS', `user "${body.username}" already exists`);
      ctx.users.invalidate(body.username);
      c.set('auditDetails', { role: body.role });
      return withEtag(c, userView(await requireUser(body.username)));
    }),
    implement(api.users.get, async (c, { params }) =>
      withEtag(c, userView(await requireUser(params.username))),
    ),
    implement(api.users.update, async (c, { params, body }) => {
      const cur = await requireUser(params.username);
      checkExpected(expected(c, body.resource_version), cur.modRevision);
      if (body.role) checkGrant(c.var.principal?.role, body.role);
      const losesAdmin =
        cur.value.role === 'admin' &&
        ((body.role !== undefined && body.role !== 'admin') || body.disabled === true);
      if (losesAdmin && (await otherAdmins(params.username)) === 0) {
        throw errors.conflict('LAST_ADMIN', 'this is the last enabled admin; create another admin first');
      }
      // A new password, a disable or a promotion ends the user's sessions (server and routers): a
      // session opened before does not silently gain the new role. A demotion needs no ending: every
      // check reads the user's current role, so it applies to live sessions at once.
      const endsSessions =
        body.password !== undefined ||
        (body.disabled === true && !cur.value.disabled) ||
        (body.role !== undefined && roleAtLeast(body.role, cur.value.role) && body.role !== cur.value.role);
      const base = endsSessions ? endSessions(cur.value, { all: true }, ctx.clock.now()) : cur.value;
      const next = User.parse({
        ...base,
        ...(body.role !== undefined ? { role: body.role } : {}),
        ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
        ...(body.password !== undefined ? { password_hash: await hashPassword(body.password) } : {}),
        updated_at: new Date(ctx.clock.now()).toISOString(),
      });
      const res = await ctx.store.txn({
        compare: [{ key: keys.user(params.username), modRevision: cur.modRevision }],
        success: [{ op: 'put', key: keys.user(params.username), value: encode(User, next) }],
      });
      ctx.users.invalidate(params.username);
      if (!res.succeeded)
        throw new ApiError(409, 'CONFLICT', 'the user changed concurrently; read it again and retry');
      c.set('auditDetails', {
        ...(body.role ? { role: body.role } : {}),
        ...(body.disabled !== undefined ? { disabled: body.disabled } : {}),
        ...(body.password ? { password_changed: true } : {}),
      });
      return withEtag(c, userView(await requireUser(params.username)));
    }),
    implement(api.users.delete, async (c, { params }) => {
      const cur = await requireUser(params.username);
      checkExpected(expected(c), cur.modRevision);
      if (cur.value.role === 'admin' && (await otherAdmins(params.username)) === 0) {
        throw errors.conflict('LAST_ADMIN', 'this is the last enabled admin; create another admin first');
      }
      const now = new Date(ctx.clock.now()).toISOString();
      const revoke: TxnOp[] = (await ctx.apiKeys.list())
        .filter((k) => k.value.owner === params.username && !k.value.revoked_at)
        .map((k) => ({
          op: 'put',
          key: keys.apiKey(k.value.id),
          value: encode(ApiKey, { ...k.value, revoked_at: now }),
        }));
      const res = await ctx.store.txn({
        compare: [{ key: keys.user(params.username), modRevision: cur.modRevision }],
        success: [{ op: 'delete', key: keys.user(params.username) }, ...revoke],
      });
      ctx.users.invalidate(params.username);
      ctx.apiKeys.invalidate();
      if (!res.succeeded)
        throw new ApiError(409, 'CONFLICT', 'the user changed concurrently; read it again and retry');
      c.set('auditDetails', { revoked_keys: revoke.length });
      return { ok: true as const };
    }),
  ];
}
