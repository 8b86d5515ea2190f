import { createHash, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createHasher } from './hasher.js';

function chunksOf(data: Buffer, size: number): Buffer[] {
  const out: Buffer[] = [];
  // Each chunk owns its memory, as socket reads do, so the worker path transfers it.
  for (let i = 0; i < data.length; i += size) out.push(Buffer.from(data.subarray(i, i + size)));
  return out;
}

describe('createHasher', () => {
  const data = randomBytes(3 * 1024 * 1024 + 17);
  const want = createHash('sha256').update(data).digest('hex');

  it('hashes inline below the threshold', async () => {
    const h = createHasher('sha256', data.length, { workerMinBytes: data.length + 1 });
    await h.update(chunksOf(data, 65536));
    expect(await h.digest()).toBe(want);
  });

  it('hashes in a worker with backpressure, transferring owned chunks and copying shared ones', async () => {
    const h = createHasher('sha256', data.length, { workerMinBytes: 1, maxPendingBytes: 256 * 1024 });
    const chunks = chunksOf(data, 100_000);
    const shared = chunks.slice(0, 5).map((c) => {
      // A view into a larger allocation: must be copied, not transferred (that would detach its neighbours).
      const big = Buffer.alloc(c.length + 10);
      c.copy(big, 5);
      return big.subarray(5, 5 + c.length);
    });
    await h.update(shared);
    for (let i = 5; i < chunks.length; i += 3) await h.update(chunks.slice(i, i + 3));
    expect(await h.digest()).toBe(want);
    // Owned chunks were moved to the worker (their memory is detached here).
    expect(chunks[10]?.byteLength).toBe(0);
  });

  it('computes git blob ids with the header prefix in the worker', async () => {
    const prefix = `blob ${data.length}\0`;
    const gitWant = createHash('sha1').update(prefix).update(data).digest('hex');
    const h = createHasher('sha1', data.length, { prefix, workerMinBytes: 1 });
    await h.update(chunksOf(data, 1 << 20));
    expect(await h.digest()).toBe(gitWant);
  });

  it('refuses updates after close', async () => {
    const h = createHasher('sha256', 10, { workerMinBytes: 1 });
    h.close();
    await expect(h.update([Buffer.from('x')])).rejects.toThrow(/closed/);
  });
});
