/**
 * Digests of downloaded files. Large files are hashed in a worker thread, so the event loop that receives
 * the body never stops for sha256 (about 0.6 s of CPU per GiB): the receiving thread, the hashing thread and
 * libuv's write thread run side by side. Chunks are handed over after they were written, by transferring
 * their memory (no copy); a chunk whose memory is shared with other buffers is copied instead. The worker
 * acknowledges what it hashed and `update` waits when more than `maxPendingBytes` are queued, so a slow
 * hasher slows the download instead of piling memory up. Small files are hashed inline (a thread costs
 * more than their hash).
 */
import { createHash, type Hash } from 'node:crypto';
import { Worker } from 'node:worker_threads';

export type DigestAlgorithm = 'sha256' | 'sha1';

export interface Hasher {
  /** Adds chunks in order. The chunks must not be used afterwards (their memory may move to the worker). */
  update(chunks: Buffer[]): Promise<void>;
  /** Hex digest of everything added. The hasher is closed afterwards. */
  digest(): Promise<string>;
  /** Releases the worker without a digest (idempotent). */
  close(): void;
}

/** Files at least this large are hashed in a worker thread. */
export const WORKER_HASH_MIN_BYTES = 32 * 1024 * 1024;

class InlineHasher implements Hasher {
  private readonly hash: Hash;
  constructor(algorithm: DigestAlgorithm, prefix: string | undefined) {
    this.hash = createHash(algorithm);
    if (prefix !== undefined) this.hash.update(prefix);
  }
  update(chunks: Buffer[]): Promise<void> {
    for (const c of chunks) this.hash.update(c);
    return Promise.resolve();
  }
  digest(): Promise<string> {
    return Promise.resolve(this.hash.digest('hex'));
  }
  close(): void {}
}

// CommonJS source evaluated in the worker: it must run the same from the sources and from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { createHash } = require('node:crypto');
const h = createHash(workerData.algorithm);
if (workerData.prefix !== undefined) h.update(workerData.prefix);
parentPort.on('message', (m) => {
  if (m === null) { parentPort.postMessage({ digest: h.digest('hex') }); return; }
  let n = 0;
  for (const c of m) { h.update(c); n += c.byteLength; }
  parentPort.postMessage({ hashed: n });
});
`;

type Reply = { hashed: number } | { digest: string };

class WorkerHasher implements Hasher {
  private readonly worker: Worker;
  private pending = 0;
  private waiters: (() => void)[] = [];
  private result: ((digest: string) => void) | undefined;
  private failure: Error | undefined;
  private closed = false;

  constructor(
    algorithm: DigestAlgorithm,
    prefix: string | undefined,
    private readonly maxPendingBytes: number,
  ) {
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { algorithm, prefix } });
    this.worker.unref();
    this.worker.on('message', (m: Reply) => {
      if ('digest' in m) {
        this.result?.(m.digest);
        return;
      }
      this.pending -= m.hashed;
      this.wake();
    });
    this.worker.on('error', (err) => this.fail(err));
    this.worker.on('exit', () => this.fail(new Error('the hashing thread exited')));
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.wake();
    this.result?.('');
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  async update(chunks: Buffer[]): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('hasher is closed');
    const send: Uint8Array[] = [];
    const transfer: ArrayBuffer[] = [];
    let n = 0;
    for (const c of chunks) {
      n += c.byteLength;
      const ab = c.buffer;
      if (ab instanceof ArrayBuffer && c.byteOffset === 0 && c.byteLength === ab.byteLength) {
        send.push(c);
        transfer.push(ab);
      } else {
        send.push(new Uint8Array(c));
      }
    }
    this.pending += n;
    this.worker.postMessage(send, transfer);
    while (this.pending > this.maxPendingBytes && !this.failure) {
      await new Promise<void>((r) => this.waiters.push(r));
    }
    if (this.failure) throw this.failure;
  }

  async digest(): Promise<string> {
    if (this.failure) throw this.failure;
    const d = await new Promise<string>((resolve) => {
      this.result = resolve;
      this.worker.postMessage(null);
    });
    this.close();
    if (this.failure && !d) throw this.failure;
    return d;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.failure ??= new Error('hasher is closed');
    void this.worker.terminate();
  }
}

/** A hasher for a file of `size` bytes: a worker thread when the file is large, inline otherwise. */
export function createHasher(
  algorithm: DigestAlgorithm,
  size: number,
  opts: { prefix?: string; maxPendingBytes?: number; workerMinBytes?: number } = {},
): Hasher {
  if (size >= (opts.workerMinBytes ?? WORKER_HASH_MIN_BYTES)) {
    return new WorkerHasher(algorithm, opts.prefix, opts.maxPendingBytes ?? 64 * 1024 * 1024);
  }
  return new InlineHasher(algorithm, opts.prefix);
}
