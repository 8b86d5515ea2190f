import { describe, expect, it } from 'vitest';
import { waitFor } from './wait-for.js';

describe('waitFor', () => {
  it('resolves with the first truthy value, polling at the interval', async () => {
    let calls = 0;
    const v = await waitFor(() => (++calls >= 3 ? { calls } : undefined), { intervalMs: 1 });
    expect(v).toEqual({ calls: 3 });
  });

  it('names what it awaited when it times out, asking a function at that moment', async () => {
    await expect(waitFor(() => false, { timeoutMs: 20, intervalMs: 5, what: 'the plan' })).rejects.toThrow(
      'timed out waiting for the plan',
    );
    let seen = 'nothing';
    const pending = waitFor(() => false, { timeoutMs: 20, intervalMs: 5, what: () => `output: ${seen}` });
    seen = 'late text';
    await expect(pending).rejects.toThrow('timed out waiting for output: late text');
  });

  it('treats a throwing check as not yet and quotes its last error', async () => {
    await expect(
      waitFor(
        () => {
          throw new Error('connection refused');
        },
        { timeoutMs: 20, intervalMs: 5 },
      ),
    ).rejects.toThrow('timed out waiting for condition (last error: connection refused)');
  });
});
