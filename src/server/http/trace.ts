import { randomBytes } from 'node:crypto';

/** A parsed W3C `traceparent` (version 00). */
export interface TraceContext {
  traceId: string;
  parentId: string;
  flags: string;
}

const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;

/** Parses a traceparent header; undefined when absent or malformed (all-zero ids are invalid). */
export function parseTraceparent(header: string | undefined): TraceContext | undefined {
  if (!header) return undefined;
  const m = TRACEPARENT.exec(header.trim().toLowerCase());
  if (!m?.[1] || !m[2] || !m[3]) return undefined;
  if (/^0+$/.test(m[1]) || /^0+$/.test(m[2])) return undefined;
  return { traceId: m[1], parentId: m[2], flags: m[3] };
}

/** The trace this request belongs to (continued from the caller's traceparent or new) and our span id. */
export function continueTrace(header: string | undefined): {
  traceId: string;
  spanId: string;
  flags: string;
} {
  const parent = parseTraceparent(header);
  return {
    traceId: parent?.traceId ?? randomBytes(16).toString('hex'),
    spanId: randomBytes(8).toString('hex'),
    flags: parent?.flags ?? '01',
  };
}

export function formatTraceparent(traceId: string, spanId: string, flags = '01'): string {
  return `00-${traceId}-${spanId}-${flags}`;
}

/** Request ids from clients are echoed only when they are short and plain (they end up in logs). */
export function sanitizeRequestId(raw: string | undefined): string | undefined {
  if (!raw) return undefined;
  return /^[A-Za-z0-9._:-]{1,128}$/.test(raw) ? raw : undefined;
}
