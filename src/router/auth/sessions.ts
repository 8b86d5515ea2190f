import type { Clock } from '../../core/clock.js';
import { sessionRefusal } from '../../core/credentials.js';
import { keys, prefixes } from '../../core/keys.js';
import type { Logger } from '../../core/logger.js';
import {
  DEFAULT_MAX_SESSION_TTL_S,
  JwtSecretRecord,
  verifySessionTokenSync,
} from '../../core/session-token.js';
import { Informer } from '../../store/informer.js';
import type { Store } from '../../store/types.js';
import type { Principal } from './principal.js';
import type { UserLookup } from './store-users.js';

/**
 * Login sessions (the server's HS256 JWTs) accepted as router credentials, so a console user can chat in the
 * playground with their own identity. The signing secret is the server's: configured (NEBULA_JWT_SECRET) or
 * the one the server keeps at `/meta/jwt-secret` (watched: the server may create it after the router starts).
 * Users are watched too (StoreUsers, shared with the API-key checks): a session of a deleted or disabled
 * user, or one ended by a logout or a password change, stops working at once (`sessionRefusal`, the same
 * rule the server applies), and no session lives longer than the configured maximum whatever it says.
 */
export class SessionVerifier {
  private secret: Uint8Array | undefined;
  private readonly secretInformer: Informer<JwtSecretRecord> | undefined;
  private readonly users: UserLookup;
  private readonly maxTtlS: number;
  private readonly principals = new Map<string, Principal>();

  constructor(
    store: Store,
    opts: {
      users: UserLookup;
      configuredSecret?: string | undefined;
      maxSessionTtlS?: number | undefined;
      logger?: Logger;
      clock?: Clock;
    },
  ) {
    this.users = opts.users;
    this.maxTtlS = opts.maxSessionTtlS ?? DEFAULT_MAX_SESSION_TTL_S;
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
  }

  async start(): Promise<void> {
    this.secretInformer?.start();
    await this.secretInformer?.ready();
  }

  async stop(): Promise<void> {
    await this.secretInformer?.stop();
  }

  /** The principal of a valid session of an active user, else undefined. */
  verify(token: string, now: number): Principal | undefined {
    if (!this.secret) return undefined;
    const s = verifySessionTokenSync(this.secret, token, now, this.maxTtlS);
    if (!s) return undefined;
    const user = this.users.user(s.username);
    if (!user || sessionRefusal(s, user) !== undefined) return undefined;
    const id = `user:${s.username}`;
    let p = this.principals.get(id);
    // The user's current role, as on the server (a demotion applies at once).
    if (!p || p.role !== user.role) {
      if (this.principals.size > 10_000) this.principals.clear();
      p = { id, name: s.username, kind: 'session', role: user.role };
      this.principals.set(id, p);
    }
    return p;
  }
}
