import type { Clock } from '../../core/clock.js';
import { User } from '../../core/domain/auth.js';
import { keys, parseKey, prefixes } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import { JwtSecretRecord, verifySessionTokenSync } from '../../core/session-token.js';
import { Informer } from '../../store/informer.js';
import type { Store } from '../../store/types.js';
import type { Principal } from './principal.js';

/**
 * Login sessions (the server's HS256 JWTs) accepted as router credentials, so a console user can chat in the
 * playground with their own identity. The signing secret is the server's: configured (NEBULA_JWT_SECRET) or
 * the one the server keeps at `/meta/jwt-secret` (watched: the server may create it after the router starts).
 * Users are watched too: a session of a deleted or disabled user stops working at once, before it expires.
 */
export class SessionVerifier {
  private secret: Uint8Array | undefined;
  private readonly active = new Map<string, boolean>();
  private readonly secretInformer: Informer<JwtSecretRecord> | undefined;
  private readonly users: Informer<User>;
  private readonly principals = new Map<string, Principal>();

  constructor(store: Store, opts: { configuredSecret?: string | undefined; logger?: Logger; clock?: Clock }) {
    const common = {
      ...(opts.clock ? { clock: opts.clock } : {}),
      ...(opts.logger ? { logger: opts.logger } : {}),
    };
    if (opts.configuredSecret) {
      this.secret = new TextEncoder().encode(opts.configuredSecret);
    } else {
      const secretKey = keys.meta('jwt-secret');
      this.secretInformer = new Informer<JwtSecretRecord>({
        store,
        prefix: prefixes.meta,
        schema: JwtSecretRecord,
        keyFilter: (k) => k === secretKey,
        name: 'router-jwt-secret',
        onChange: () => {
          const rec = this.secretInformer?.get(secretKey)?.value;
          this.secret = rec ? Buffer.from(rec.secret, 'base64url') : undefined;
        },
        ...common,
      });
    }
    this.users = new Informer<User>({
      store,
      prefix: prefixes.users,
      schema: User,
      keyFilter: (k) => parseKey(k)?.kind === 'user',
      name: 'router-users',
      onChange: () => {
        this.active.clear();
        this.principals.clear();
        for (const u of this.users.list()) this.active.set(u.value.username, !u.value.disabled);
      },
      ...common,
    });
  }

  async start(): Promise<void> {
    this.secretInformer?.start();
    this.users.start();
    await Promise.all([this.secretInformer?.ready(), this.users.ready()]);
  }

  async stop(): Promise<void> {
    await Promise.all([this.secretInformer?.stop(), this.users.stop()]);
  }

  /** The principal of a valid session of an active user, else undefined. */
  verify(token: string, now: number): Principal | undefined {
    if (!this.secret) return undefined;
    const s = verifySessionTokenSync(this.secret, token, now);
    if (!s || this.active.get(s.username) !== true) return undefined;
    const id = `user:${s.username}`;
    let p = this.principals.get(id);
    if (!p || p.role !== s.role) {
      p = { id, name: s.username, kind: 'session', role: s.role };
      this.principals.set(id, p);
    }
    return p;
  }
}
