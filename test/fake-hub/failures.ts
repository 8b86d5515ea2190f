/**
 * Failure injection for the fake hubs. Each rule matches requests (by a substring of the decoded path and
 * query, a RegExp, or a predicate) and misbehaves a given number of times:
 * - `status`: answer `status` (default 500) instead of the real response;
 * - `drop`: send the headers and `afterBytes` bytes of a file, then destroy the connection;
 * - `corrupt`: flip one byte of a file body (the checksum no longer matches);
 * - `throttle`: serve file bodies at `bytesPerSec`;
 * - `unreachable`: destroy the connection without answering.
 */
export interface RequestInfo {
  method: string;
  /** Decoded path plus query string. */
  path: string;
}

export type Matcher = string | RegExp | ((req: RequestInfo) => boolean);

interface Base {
  /** Default: every request. */
  match?: Matcher;
  /** How many matching requests misbehave (default: unlimited). */
  times?: number;
}

export type FailureSpec =
  | (Base & { kind: 'status'; status?: number })
  | (Base & { kind: 'drop'; afterBytes: number })
  | (Base & {
      kind: 'corrupt';
      /** Offset in the file of the flipped byte (default: the middle). */ at?: number;
    })
  | (Base & { kind: 'throttle'; bytesPerSec: number })
  | (Base & { kind: 'unreachable' });

interface Rule {
  spec: FailureSpec;
  left: number;
}

export function matches(m: Matcher | undefined, req: RequestInfo): boolean {
  if (m === undefined) return true;
  if (typeof m === 'string') return req.path.includes(m);
  if (m instanceof RegExp) return m.test(req.path);
  return m(req);
}

/** The active rules; `take` consumes one use of the first rule of a kind that matches. */
export class FailureRules {
  private rules: Rule[] = [];

  set(specs: FailureSpec | FailureSpec[] | null | undefined): void {
    this.rules = [];
    if (specs) this.add(specs);
  }

  add(specs: FailureSpec | FailureSpec[]): void {
    for (const spec of Array.isArray(specs) ? specs : [specs]) {
      this.rules.push({ spec, left: spec.times ?? Number.POSITIVE_INFINITY });
    }
  }

  take<K extends FailureSpec['kind']>(
    kind: K,
    req: RequestInfo,
  ): Extract<FailureSpec, { kind: K }> | undefined {
    for (const r of this.rules) {
      if (r.spec.kind !== kind || r.left <= 0 || !matches(r.spec.match, req)) continue;
      r.left -= 1;
      return r.spec as Extract<FailureSpec, { kind: K }>;
    }
    return undefined;
  }

  /** Throttling is not consumed: it applies to every matching body. */
  throttle(req: RequestInfo): number | undefined {
    for (const r of this.rules) {
      if (r.spec.kind === 'throttle' && r.left > 0 && matches(r.spec.match, req)) return r.spec.bytesPerSec;
    }
    return undefined;
  }
}
