import { randomFillSync } from 'node:crypto';

const REQUEST_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;
const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '00000000000000000000000000000000';
const ZERO_SPAN = '0000000000000000';

/** The client's `X-Request-Id` when it is a sane token, else a fresh random (version 4) UUID. */
export function requestIdFrom(header: string | string[] | undefined): string {
  if (typeof header === 'string' && REQUEST_ID.test(header)) return header;
  return randomUuid();
}

// Random bytes are drawn in batches: one syscall per 512 span ids instead of one each.
const pool = Buffer.alloc(4096);
let poolOffset = pool.length;

function randomHex(bytes: number): string {
  if (poolOffset + bytes > pool.length) {
    randomFillSync(pool);
    poolOffset = 0;
  }
  const s = pool.toString('hex', poolOffset, poolOffset + bytes);
  poolOffset += bytes;
  return s;
}

const HEX = '0123456789abcdef';

/** A version 4 UUID from the batched random bytes (crypto.randomUUID costs several times more per call). */
function randomUuid(): string {
  const h = randomHex(16);
  // Version nibble 4; variant bits 10xx.
  const variant = HEX[8 + (parseInt(h[16] as string, 16) & 3)] as string;
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20)}`;
}

export interface TraceContext {
  traceId: string;
  /** The `traceparent` sent upstream: the same trace, with the router's own span as parent. */
  traceparent: string;
}

/**
 * W3C trace context: continue the client's trace when its `traceparent` is valid (version 00 or a future
 * one, non-zero ids), else start a new sampled trace.
 */
export function traceFrom(header: string | string[] | undefined): TraceContext {
  if (typeof header === 'string') {
    const m = TRACEPARENT.exec(header.trim().toLowerCase());
    if (m !== null && m[1] !== 'ff' && m[2] !== ZERO_TRACE && m[3] !== ZERO_SPAN && m[2] !== undefined) {
      return { traceId: m[2], traceparent: `00-${m[2]}-${randomHex(8)}-${m[4] ?? '01'}` };
    }
  }
  const traceId = randomHex(16);
  return { traceId, traceparent: `00-${traceId}-${randomHex(8)}-01` };
}
