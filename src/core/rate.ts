/**
 * The rate grammar, one home for the API, the CLI and `nebula up`: `60/min`, `10/s`, `1000/h`, with an
 * optional burst (`60/min:burst=20`). A rate is stored as `{ rps, burst? }` (the router's token bucket:
 * refill `rps` per second, at most `burst` banked; burst defaults to one second's worth, at least 1).
 */
import { z } from 'zod';

const UNIT_SECONDS: Record<string, number> = {
  s: 1,
  sec: 1,
  second: 1,
  m: 60,
  min: 60,
  minute: 60,
  h: 3600,
  hour: 3600,
};
const RATE = /^([0-9]+(?:\.[0-9]+)?)\/(s|sec|second|m|min|minute|h|hour)(?::burst=([0-9]+))?$/;

/** Largest rate and burst accepted (the store's ApiKey schema allows the same). */
export const MAX_RPS = 1_000_000;

export interface RateSpec {
  rps: number;
  burst?: number | undefined;
}

/** Parses `N/unit[:burst=B]`; a reason string when it does not parse or is out of range. */
export function parseRate(text: string): RateSpec | string {
  const m = RATE.exec(text.trim().replace(/\s+/g, ''));
  if (!m || m[1] === undefined || m[2] === undefined) {
    return `rate limits look like 60/min, 10/s or 1000/h (optionally :burst=N), got "${text}"`;
  }
  const per = UNIT_SECONDS[m[2]] ?? 1;
  const rps = Number(m[1]) / per;
  if (!(rps > 0) || rps > MAX_RPS) return `the rate must be above 0 and at most ${MAX_RPS}/s, got "${text}"`;
  if (m[3] === undefined) return { rps };
  const burst = Number(m[3]);
  if (!Number.isInteger(burst) || burst < 1 || burst > MAX_RPS)
    return `the burst must be 1 to ${MAX_RPS}, got "${m[3]}"`;
  return { rps, burst };
}

/** `60/min` style text of a stored rate (the unit that gives a whole number when there is one). */
export function formatRate(r: RateSpec): string {
  const per = [
    ['s', 1],
    ['min', 60],
    ['h', 3600],
  ] as const;
  const [unit, secs] = per.find(([, s]) => Number.isInteger(Math.round(r.rps * s * 1e6) / 1e6)) ?? [
    'h',
    3600,
  ];
  const n = Math.round(r.rps * secs * 1e6) / 1e6;
  return `${n}/${unit}${r.burst !== undefined ? `:burst=${r.burst}` : ''}`;
}

/** The stored shape: `{ rps, burst? }`. */
export const RateObject = z.strictObject({
  rps: z.number().positive().max(MAX_RPS),
  burst: z.number().int().positive().max(MAX_RPS).optional(),
});

/** A rate as callers give it: the text grammar or the stored object; validated into `{ rps, burst? }`. */
export const RateInput = z.union([
  z.string().transform((s, ctx) => {
    const r = parseRate(s);
    if (typeof r === 'string') {
      ctx.addIssue({ code: 'custom', message: r });
      return z.NEVER;
    }
    return r;
  }),
  RateObject,
]);
