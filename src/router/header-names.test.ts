import { describe, expect, it } from 'vitest';
import { HeaderNames } from './header-names.js';

describe('HeaderNames', () => {
  const names = new HeaderNames(['content-length', 'x-request-id', 'x-session-id']);

  it('gives each name its 1-based id in any case, and 0 to any other name', () => {
    expect(names.idOf('content-length')).toBe(1);
    expect(names.idOf('Content-Length')).toBe(1);
    expect(names.idOf('X-REQUEST-ID')).toBe(2);
    expect(names.idOf('x-session-id')).toBe(3);
    expect(names.idOf('x-session-ix')).toBe(0);
    expect(names.idOf('host')).toBe(0);
    expect(names.idOf('x'.repeat(100))).toBe(0);
    expect(names.idOf('')).toBe(0);
  });

  it('reads the name from a range of a longer text', () => {
    const head = 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nX-Other: 1';
    const at = head.indexOf('Content');
    expect(names.idOf(head, at, head.indexOf(':', at))).toBe(1);
    const other = head.indexOf('X-Other');
    expect(names.idOf(head, other, head.indexOf(':', other))).toBe(0);
  });
});
