import { describe, expect, it } from 'vitest';
import { readCookie } from './cookie.ts';

describe('cookie sessions', () => {
  it('reads a cookie by name', () => {
    expect(readCookie('nebula_csrf', 'a=1; nebula_csrf=x%2Dy; b=2')).toBe('x-y');
    expect(readCookie('nebula_csrf', 'nebula_csrfx=1')).toBeNull();
    expect(readCookie('nebula_csrf', '')).toBeNull();
  });
});
