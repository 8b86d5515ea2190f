import { describe, expect, it } from 'vitest';
import { resolveSimOptions } from './options.js';

describe('engine-sim options', () => {
  it('reads the -ms times as milliseconds or as durations', () => {
    const o = resolveSimOptions({
      model: 'm',
      ttftMs: '20',
      itlMs: 5,
      startupMs: '1m30s',
      shutdownGraceMs: '2s',
    });
    expect([o.ttftMs, o.itlMs, o.startupMs, o.shutdownGraceMs]).toEqual([20, 5, 90_000, 2_000]);
    expect(resolveSimOptions({ model: 'm' }).shutdownGraceMs).toBe(5000);
    expect(() => resolveSimOptions({ model: 'm', ttftMs: '11m' })).toThrow(/ttftMs/);
    expect(() => resolveSimOptions({ model: 'm', startupMs: 'soon' })).toThrow(/startupMs/);
  });
});
