import { backoffDelay } from '../../core/backoff.js';
import type { Clock } from '../../core/clock.js';
import { RateLimiter, type RateLimitConfig } from './rate-limit.js';

/** How logins are slowed down. */
export interface LoginThrottleConfig {
  /** Failed logins per source address, any usernames (password spraying): a token bucket. */
  perIp: RateLimitConfig;
  /** Failures of one username from one address before that pair must wait (then the wait doubles). */
  pairFailures: number;
  /** Failures of one username from anywhere before addresses not known for it must wait (doubling). */
  userFailures: number;
  /** First wait, seconds, and the longest. */
  baseDelayS: number;
  maxDelayS: number;
  /** How long an address a user logged in from counts as theirs (exempt from the per-IP and per-user waits). */
  knownForMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: Omit<LoginThrottleConfig, 'perIp'> = {
  pairFailures: 5,
  userFailures: 10,
  baseDelayS: 30,
  maxDelayS: 15 * 60,
  knownForMs: 30 * 86_400_000,
};

interface Strikes {
  failures: number;
  until: number;
}

const MAX_ENTRIES = 10_000;

/**
 * Login throttling by username AND by address, so neither kind of attacker locks out people it does not
 * control:
 * - per (username, address): a strict counter; after `pairFailures` the pair waits (doubling). This is
 *   what stops a guesser at one user, without touching anyone else behind the same address.
 * - per address: a bucket of failures over all usernames (spraying from one address); addresses where
 *   the user logged in before are exempt, so one abusive client behind a NAT does not lock out colleagues.
 * - per username: after `userFailures` from anywhere (a distributed guesser) unknown addresses wait
 *   (doubling); the user's own known addresses are exempt, so the attack cannot lock the user out.
 * Only failures count; a success clears the pair and the user's strikes and marks the address as known.
 * State is in memory and bounded (oldest entries dropped first).
 */
export class LoginThrottle {
  private readonly ipFailures: RateLimiter;
  private readonly pairs = new Map<string, Strikes>();
  private readonly users = new Map<string, Strikes>();
  private readonly known = new Map<string, number>();

  constructor(
    private readonly config: LoginThrottleConfig,
    private readonly clock: Clock,
  ) {
    this.ipFailures = new RateLimiter(config.perIp, clock, MAX_ENTRIES);
  }

  /** Seconds to wait before this attempt may be tried (0: go ahead). Charges nothing. */
  check(username: string, ip: string): number {
    const now = this.clock.now();
    const pair = this.pairs.get(pairKey(username, ip));
    let wait = pair && pair.until > now ? pair.until - now : 0;
    const knownAt = this.known.get(pairKey(username, ip));
    const isKnown = knownAt !== undefined && now - knownAt < this.config.knownForMs;
    if (!isKnown) {
      const user = this.users.get(username);
      if (user && user.until > now) wait = Math.max(wait, user.until - now);
      wait = Math.max(wait, this.ipFailures.peek(ip) * 1000);
    }
    return wait > 0 ? Math.max(1, Math.ceil(wait / 1000)) : 0;
  }

  /** A wrong password (or unknown user) from `ip`. */
  failed(username: string, ip: string): void {
    const now = this.clock.now();
    this.ipFailures.take(ip);
    strike(this.pairs, pairKey(username, ip), this.config.pairFailures, now, this.config);
    strike(this.users, username, this.config.userFailures, now, this.config);
  }

  /** A good login: the pair and the user start clean, and the address becomes one of the user's. */
  succeeded(username: string, ip: string): void {
    this.pairs.delete(pairKey(username, ip));
    this.users.delete(username);
    const k = pairKey(username, ip);
    this.known.delete(k);
    this.known.set(k, this.clock.now());
    bound(this.known);
  }
}

const pairKey = (username: string, ip: string) => `${username}\u0000${ip}`;

function strike(
  map: Map<string, Strikes>,
  key: string,
  threshold: number,
  now: number,
  c: Pick<LoginThrottleConfig, 'baseDelayS' | 'maxDelayS'>,
): void {
  const s = map.get(key) ?? { failures: 0, until: 0 };
  map.delete(key);
  s.failures += 1;
  if (s.failures >= threshold) {
    // baseDelayS doubling to maxDelayS with each failure past the threshold (the core backoff policy).
    const policy = { initialMs: c.baseDelayS * 1000, maxMs: c.maxDelayS * 1000 };
    s.until = now + backoffDelay(policy, s.failures - threshold);
  }
  map.set(key, s);
  bound(map);
}

function bound(map: Map<string, unknown>): void {
  while (map.size > MAX_ENTRIES) {
    const oldest = map.keys().next().value;
    if (oldest === undefined) break;
    map.delete(oldest);
  }
}
