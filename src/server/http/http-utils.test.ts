import { describe, expect, it } from 'vitest';
import { expectedRevision, parseIfMatch } from './conditional.js';
import { continueTrace, formatTraceparent, parseTraceparent, sanitizeRequestId } from './trace.js';

describe('If-Match / resource_version', () => {
  it('parses strong, weak, bare and wildcard forms', () => {
    expect(parseIfMatch('"42"')).toBe(42);
    expect(parseIfMatch('W/"42"')).toBe(42);
    expect(parseIfMatch('42')).toBe(42);
    expect(parseIfMatch('*')).toBeUndefined();
    expect(parseIfMatch(undefined)).toBeUndefined();
    expect(() => parseIfMatch('"abc"')).toThrow(/If-Match/);
  });
  it('takes the header or the body, and refuses disagreement', () => {
    expect(expectedRevision('"5"', undefined)).toBe(5);
    expect(expectedRevision(undefined, 6)).toBe(6);
    expect(expectedRevision('"7"', 7)).toBe(7);
    expect(() => expectedRevision('"7"', 8)).toThrow(/disagree/);
  });
});

describe('W3C trace context', () => {
  const tp = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
  it('parses valid traceparents and refuses invalid ones', () => {
    expect(parseTraceparent(tp)).toEqual({
      traceId: '0af7651916cd43dd8448eb211c80319c',
      parentId: 'b7ad6b7169203331',
      flags: '01',
    });
    for (const bad of [
      '',
      'garbage',
      '01-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
      `00-${'0'.repeat(32)}-b7ad6b7169203331-01`,
      `00-0af7651916cd43dd8448eb211c80319c-${'0'.repeat(16)}-01`,
    ]) {
      expect(parseTraceparent(bad), bad).toBeUndefined();
    }
  });
  it('continues the caller’s trace with a new span, or starts one', () => {
    const c = continueTrace(tp);
    expect(c.traceId).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(c.spanId).not.toBe('b7ad6b7169203331');
    expect(formatTraceparent(c.traceId, c.spanId, c.flags)).toMatch(
      /^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/,
    );
    expect(continueTrace(undefined).traceId).toMatch(/^[0-9a-f]{32}$/);
  });
  it('echoes only plain request ids', () => {
    expect(sanitizeRequestId('abc-123')).toBe('abc-123');
    expect(sanitizeRequestId('a b')).toBeUndefined();
    expect(sanitizeRequestId('x'.repeat(200))).toBeUndefined();
    expect(sanitizeRequestId('line\nbreak')).toBeUndefined();
  });
});
