import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../core/clock.js';
import { DEFAULT_LOGIN_THROTTLE, LoginThrottle } from './login-throttle.js';

const make = () => {
  const clock = new FakeClock();
  const t = new LoginThrottle(
    { ...DEFAULT_LOGIN_THROTTLE, perIp: { ratePerSecond: 10 / 60, burst: 10 } },
    clock,
  );
  return { clock, t };
};
const fail = (t: LoginThrottle, user: string, ip: string, n: number) => {
  for (let i = 0; i < n; i++) t.failed(user, ip);
};

describe('LoginThrottle', () => {
  it('stops a guesser at one user from one address, without touching others behind that address', () => {
    const { t } = make();
    fail(t, 'alice', '10.0.0.1', 4);
    expect(t.check('alice', '10.0.0.1')).toBe(0);
    t.failed('alice', '10.0.0.1');
    expect(t.check('alice', '10.0.0.1')).toBe(30);
    // Colleagues behind the same NAT, and alice from elsewhere, go ahead.
    expect(t.check('bob', '10.0.0.1')).toBe(0);
    expect(t.check('alice', '192.0.2.7')).toBe(0);
  });

  it('doubles the wait of a pair on each further failure, up to the maximum, and a success clears it', async () => {
    const { t, clock } = make();
    fail(t, 'alice', '10.0.0.1', 5);
    await clock.advance(30_000);
    expect(t.check('alice', '10.0.0.1')).toBe(0);
    t.failed('alice', '10.0.0.1');
    expect(t.check('alice', '10.0.0.1')).toBe(60);
    for (let i = 0; i < 10; i++) t.failed('alice', '10.0.0.1');
    expect(t.check('alice', '10.0.0.1')).toBe(15 * 60);
    t.succeeded('alice', '10.0.0.1');
    expect(t.check('alice', '10.0.0.1')).toBe(0);
  });

  it('slows a distributed guesser at one user, but not the user from an address they logged in from', () => {
    const { t } = make();
    t.succeeded('admin', '203.0.113.5');
    for (let i = 0; i < 10; i++) t.failed('admin', `198.51.100.${i}`);
    expect(t.check('admin', '198.51.100.99')).toBe(30);
    expect(t.check('admin', '203.0.113.5')).toBe(0);
    expect(t.check('bob', '198.51.100.99')).toBe(0);
  });

  it('limits spraying from one address; users known at that address still log in', async () => {
    const { t, clock } = make();
    t.succeeded('carol', '10.0.0.9');
    for (let i = 0; i < 10; i++) t.failed(`user${i}`, '10.0.0.9');
    expect(t.check('dave', '10.0.0.9')).toBeGreaterThanOrEqual(1);
    expect(t.check('carol', '10.0.0.9')).toBe(0);
    expect(t.check('dave', '10.0.0.10')).toBe(0);
    await clock.advance(6_000);
    expect(t.check('dave', '10.0.0.9')).toBe(0);
  });

  it('forgets known addresses after a while', async () => {
    const { t, clock } = make();
    t.succeeded('carol', '10.0.0.9');
    await clock.advance(31 * 86_400_000);
    for (let i = 0; i < 10; i++) t.failed(`user${i}`, '10.0.0.9');
    expect(t.check('carol', '10.0.0.9')).toBeGreaterThanOrEqual(1);
  });
});
