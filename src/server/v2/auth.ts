import { endSessions } from '../../core/credentials.js';
import { User } from '../../core/domain/index.js';
import { keys } from '../../core/keys.js';
import { encode } from '../../store/json.js';
import { signSession } from '../auth/jwt.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { ServerContext } from '../context.js';
import { ApiError } from '../errors.js';
import { implement, type Implementation } from '../http/route.js';
import { api } from '../../api/index.js';
import { clearSessionCookies, setSessionCookies } from '../http/session-cookie.js';

/** A hash to compare against when the user does not exist, so timing does not reveal which usernames exist. */
let decoy: Promise<string> | undefined;

const badLogin = () => new ApiError(401, 'UNAUTHORIZED', 'invalid username or password');

/**
 * Ends sessions of a user (one by its `jti`, or all by bumping the session epoch), compared on the
 * record's revision and retried on a concurrent change. Server and routers refuse the ended sessions as
 * soon as they see the record (the routers watch it).
 */
export async function endUserSessions(
  ctx: ServerContext,
  username: string,
  end: Parameters<typeof endSessions>[1],
): Promise<void> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const user = await ctx.users.get(username, true);
    if (!user) return;
    const next = User.parse(endSessions(user.value, end, ctx.clock.now()));
    const res = await ctx.store.txn({
      compare: [{ key: keys.user(username), modRevision: user.modRevision }],
      success: [{ op: 'put', key: keys.user(username), value: encode(User, next) }],
    });
    ctx.users.invalidate(username);
    if (res.succeeded) return;
  }
  throw new ApiError(409, 'CONFLICT', 'the account changed concurrently; retry');
}

export function authRoutes(ctx: ServerContext): Implementation[] {
  return [
    implement(api.auth.login, async (c, { body }) => {
      c.set('claimedUser', body.username.slice(0, 64));
      // Throttled per username and per address (see LoginThrottle): only failures count.
      const who = body.username.toLowerCase();
      const ip = c.var.sourceIp;
      const wait = ctx.loginThrottle?.check(who, ip) ?? 0;
      if (wait > 0) {
        ctx.metrics.rateLimited.inc({ kind: 'login' });
        throw new ApiError(429, 'RATE_LIMITED', `too many login attempts; retry in ${wait} s`, {
          headers: { 'Retry-After': String(wait) },
        });
      }
      const user = await ctx.users.get(body.username, true).catch(() => undefined);
      if (!user) {
        decoy ??= hashPassword('decoy-password');
        await verifyPassword(body.password, await decoy);
        ctx.loginThrottle?.failed(who, ip);
        ctx.metrics.authFailures.inc({ reason: 'bad_login' });
        throw badLogin();
      }
      const ok = await verifyPassword(body.password, user.value.password_hash);
      if (!ok || user.value.disabled) {
        ctx.loginThrottle?.failed(who, ip);
        ctx.metrics.authFailures.inc({ reason: 'bad_login' });
        throw badLogin();
      }
      ctx.loginThrottle?.succeeded(who, ip);
      const { token, expiresAt } = await signSession(
        ctx.jwtSecret,
        { username: user.value.username, role: user.value.role, epoch: user.value.session_epoch ?? 0 },
        { nowMs: ctx.clock.now(), ttlSeconds: ctx.options.jwtTtlSeconds },
      );
      c.set('principal', { username: user.value.username, role: user.value.role, method: 'jwt' });
      setSessionCookies(c, {
        token,
        secret: ctx.jwtSecret,
        maxAgeS: (expiresAt - ctx.clock.now()) / 1000,
        trustProxy: ctx.options.trustProxy,
      });
      return {
        token,
        token_type: 'Bearer' as const,
        expires_at: new Date(expiresAt).toISOString(),
        username: user.value.username,
        role: user.value.role,
      };
    }),
    implement(api.auth.whoami, async (c) => {
      const p = c.var.principal;
      if (!p) throw new ApiError(401, 'UNAUTHORIZED', 'authentication required');
      return {
        username: p.username,
        role: p.role,
        auth_method: p.method,
        key_id: p.keyId ?? null,
        expires_at: p.expiresAt ?? null,
      };
    }),
    implement(api.auth.logout, async (c, { body }) => {
      const p = c.var.principal;
      if (!p) throw new ApiError(401, 'UNAUTHORIZED', 'authentication required');
      if (body.all === true) {
        await endUserSessions(ctx, p.username, { all: true });
      } else {
        if (!p.session) {
          throw new ApiError(
            400,
            'NOT_A_SESSION',
            'this is an API key, not a session: revoke the key, or send {"all": true}',
          );
        }
        await endUserSessions(ctx, p.username, { jti: p.session.jti, exp: p.session.expiresAt });
      }
      c.set('auditDetails', { all: body.all === true });
      clearSessionCookies(c);
      return { ok: true as const };
    }),
    implement(api.auth.changePassword, async (c, { body }) => {
      const p = c.var.principal;
      if (!p) throw new ApiError(401, 'UNAUTHORIZED', 'authentication required');
      const user = await ctx.users.get(p.username, true);
      if (!user || !(await verifyPassword(body.current_password, user.value.password_hash))) {
        throw new ApiError(403, 'FORBIDDEN', 'the current password is wrong');
      }
      // A new password ends every session issued under the old one (this one too).
      const next = User.parse({
        ...endSessions(user.value, { all: true }, ctx.clock.now()),
        password_hash: await hashPassword(body.new_password),
        updated_at: new Date(ctx.clock.now()).toISOString(),
      });
      const res = await ctx.store.txn({
        compare: [{ key: keys.user(p.username), modRevision: user.modRevision }],
        success: [{ op: 'put', key: keys.user(p.username), value: encode(User, next) }],
      });
      ctx.users.invalidate(p.username);
      if (!res.succeeded) throw new ApiError(409, 'CONFLICT', 'your account changed concurrently; retry');
      clearSessionCookies(c);
      return { ok: true as const };
    }),
  ];
}
