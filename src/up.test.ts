import { describe, expect, it } from 'vitest';
import { resolveUpRateLimit } from './up.js';

describe('nebula up: default router rate limit', () => {
  it('limits keys without their own by default, takes the flag over the environment, and can be switched off', () => {
    expect(resolveUpRateLimit(undefined, {})).toEqual({ rateLimitRps: 10, rateLimitBurst: 20 });
    expect(resolveUpRateLimit(undefined, { NEBULA_RATE_LIMIT: '600/min' })).toEqual({ rateLimitRps: 10 });
    expect(resolveUpRateLimit('5/s:burst=7', { NEBULA_RATE_LIMIT: '600/min' })).toEqual({
      rateLimitRps: 5,
      rateLimitBurst: 7,
    });
    expect(resolveUpRateLimit('off', {})).toBeUndefined();
    expect(resolveUpRateLimit(undefined, { NEBULA_RATE_LIMIT: 'off' })).toBeUndefined();
    expect(() => resolveUpRateLimit('lots', {})).toThrow(/--rate-limit: rate limits look like/);
  });
});
