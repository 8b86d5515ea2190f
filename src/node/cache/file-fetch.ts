/**
 * Downloads one file into `<dest>.incomplete`, resuming from the partial file's size with a Range request,
 * hashing while it writes, and renames it to `dest` only when size and digest match. Failures that may pass
 * (connection reset, 5xx) are retried with exponential backoff; an attempt that received bytes resets the
 * count, so a connection that keeps breaking still finishes, while three failures in a row end it.
 */
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, truncate, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Clock } from '../../core/clock.js';
import { errorMessage } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { cancelled, CacheError, TransientHubError } from './errors.js';
import { createHasher, type Hasher } from './hasher.js';
import { headerValue, type HubClient } from '../../hub/index.js';
import type { ManifestFile } from './manifest.js';
import { retryDelay, type RetryPolicy } from './retry.js';

export const INCOMPLETE_SUFFIX = '.incomplete';

export interface FetchFileOptions {
  http: HubClient;
  file: ManifestFile;
  /** Final path; the partial file is `dest + '.incomplete'` unless `partial` says otherwise. */
  dest: string;
  partial?: string;
  signal: AbortSignal;
  retry: RetryPolicy;
  clock: Clock;
  logger?: Logger;
  /** Bytes received (negative when a partial file had to be discarded). */
  onBytes: (delta: number) => void;
  /** Called before each attempt after the first (1-based attempt number). */
  onRetry?: (attempt: number, err: Error) => void;
}

async function sizeOf(p: string): Promise<number | undefined> {
  try {
    return (await stat(p)).size;
  } catch {
    return undefined;
  }
}

interface Digest {
  hasher: Hasher;
  kind: 'sha256' | 'git';
  expected: string;
}

function newDigest(file: ManifestFile): Digest | undefined {
  if (file.sha256)
    return { hasher: createHasher('sha256', file.size), kind: 'sha256', expected: file.sha256 };
  if (file.gitOid) {
    const hasher = createHasher('sha1', file.size, { prefix: `blob ${file.size}\0` });
    return { hasher, kind: 'git', expected: file.gitOid };
  }
  return undefined;
}

async function hashPrefix(d: Digest, path: string, bytes: number, signal: AbortSignal): Promise<void> {
  if (bytes === 0) return;
  const rs = createReadStream(path, { start: 0, end: bytes - 1, highWaterMark: 4 * 1024 * 1024, signal });
  for await (const c of rs as AsyncIterable<Buffer>) await d.hasher.update([c]);
}

async function checkDigest(d: Digest | undefined, label: string): Promise<void> {
  if (!d) return;
  const got = await d.hasher.digest();
  if (got !== d.expected) {
    const what = d.kind === 'sha256' ? 'sha256' : 'git blob id';
    throw new CacheError(
      `${what} mismatch for ${label}: expected ${d.expected}, got ${got}`,
      'CHECKSUM_MISMATCH',
    );
  }
}

/** Most bytes held while a write is in flight; the receive loop waits for the write beyond this. */
const MAX_BATCH_BYTES = 8 * 1024 * 1024;
/** Written chunks are handed to the hasher in groups of about this size (one message per group). */
const HASH_BATCH_BYTES = 1024 * 1024;

/**
 * Appends the body to the partial file. Chunks are counted as they arrive and written with positional
 * writev (no copies), one write in flight: whatever arrived while a write ran is the next write, so writes
 * stay small (the bytes are still in the CPU cache) while the disk keeps up and grow up to MAX_BATCH_BYTES
 * when it does not. Written chunks go to the hasher in order (hasher.ts: large files are hashed on another
 * thread). When the body breaks, what arrived is still written before the error is raised, so the next
 * attempt resumes from every byte received.
 */
async function appendBody(
  o: FetchFileOptions,
  body: AsyncIterable<Buffer>,
  partial: string,
  have: number,
  digest: Digest | undefined,
  progress: { received: number },
): Promise<number> {
  const { file } = o;
  const fh = await open(partial, have > 0 ? 'r+' : 'w');
  let written = have;
  let position = have;
  let batch: Buffer[] = [];
  let batchBytes = 0;
  let toHash: Buffer[] = [];
  let toHashBytes = 0;
  let writing: Promise<unknown> | undefined;
  const hashWritten = async (b: Buffer[], n: number, last: boolean) => {
    if (!digest) return;
    toHash.push(...b);
    toHashBytes += n;
    if (toHashBytes < HASH_BATCH_BYTES && !last) return;
    const h = toHash;
    toHash = [];
    toHashBytes = 0;
    await digest.hasher.update(h);
  };
  const startWrite = (last: boolean) => {
    const b = batch;
    const n = batchBytes;
    const at = position;
    position += n;
    batch = [];
    batchBytes = 0;
    const w = fh.writev(b, at).then(() => hashWritten(b, n, last));
    writing = w;
    // A finished write frees the slot; a failed one stays in it, so the next flush raises its error.
    w.then(
      () => {
        if (writing === w) writing = undefined;
      },
      () => undefined,
    );
  };
  const flush = async (last = false) => {
    if (writing) await writing;
    writing = undefined;
    if (batchBytes > 0) startWrite(last);
    else if (last) await hashWritten([], 0, true);
  };
  let failure: unknown;
  try {
    for await (const chunk of body) {
      if (written + chunk.length > file.size) {
        throw new CacheError(
          `size mismatch for ${file.path}: the hub sent more than ${file.size} bytes`,
          'SIZE_MISMATCH',
        );
      }
      written += chunk.length;
      batch.push(chunk);
      batchBytes += chunk.length;
      progress.received += chunk.length;
      o.onBytes(chunk.length);
      if (!writing) startWrite(false);
      else if (batchBytes >= MAX_BATCH_BYTES) await flush();
    }
  } catch (err) {
    failure = err;
  }
  const oversized = failure instanceof CacheError && failure.code === 'SIZE_MISMATCH';
  try {
    if (!oversized) {
      await flush(true);
      await writing;
    }
  } finally {
    await writing?.catch(() => undefined);
    await fh.close();
  }
  if (failure !== undefined) {
    if (oversized) await rm(partial, { force: true });
    if (o.signal.aborted || failure instanceof CacheError) throw failure;
    throw new TransientHubError(
      `download of ${file.path} interrupted after ${written} of ${file.size} bytes: ${errorMessage(failure)}`,
      failure,
    );
  }
  return written;
}

/** One attempt: request from `have`, append, verify and rename. Returns the bytes this attempt received. */
async function attempt(o: FetchFileOptions, partial: string, progress: { received: number }): Promise<void> {
  const { file } = o;
  let have = (await sizeOf(partial)) ?? 0;
  if (have > file.size) {
    await rm(partial, { force: true });
    o.onBytes(-have);
    have = 0;
  }
  const digest = newDigest(file);
  try {
    if (have === file.size && file.size > 0) {
      // Everything arrived before an interruption: only the check and the rename are left.
      if (digest) await hashPrefix(digest, partial, have, o.signal);
      await verifyAndPlace(o, partial, digest);
      return;
    }
    await download(o, partial, progress, have, digest);
  } finally {
    digest?.hasher.close();
  }
}

async function download(
  o: FetchFileOptions,
  partial: string,
  progress: { received: number },
  resumeAt: number,
  digest: Digest | undefined,
): Promise<void> {
  const { file } = o;
  let have = resumeAt;
  const res = await o.http.open(file.url, {
    signal: o.signal,
    range: have,
    what: `download of ${file.path}`,
  });
  if (res.status === 416) {
    res.body.resume();
    await rm(partial, { force: true });
    o.onBytes(-have);
    throw new TransientHubError(`download of ${file.path}: the hub refused to resume at byte ${have}`);
  }
  if (res.status === 206) {
    const cr = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(headerValue(res.headers, 'content-range') ?? '');
    if (!cr || Number(cr[1]) !== have) {
      res.body.destroy();
      throw new CacheError(
        `download of ${file.path}: the hub answered an unexpected range`,
        'DOWNLOAD_FAILED',
      );
    }
  } else if (have > 0) {
    // The hub ignored the Range header: start over.
    await truncate(partial, 0);
    o.onBytes(-have);
    have = 0;
  }
  if (digest) await hashPrefix(digest, partial, have, o.signal);
  await mkdir(dirname(partial), { recursive: true });
  const written = await appendBody(o, res.body, partial, have, digest, progress);
  if (written !== file.size)
    throw new TransientHubError(`download of ${file.path} ended after ${written} of ${file.size} bytes`);
  await verifyAndPlace(o, partial, digest);
}

async function verifyAndPlace(
  o: FetchFileOptions,
  partial: string,
  digest: Digest | undefined,
): Promise<void> {
  try {
    await checkDigest(digest, o.file.path);
  } catch (err) {
    await rm(partial, { force: true });
    o.onBytes(-o.file.size);
    throw err;
  }
  await mkdir(dirname(o.dest), { recursive: true });
  await rename(partial, o.dest);
}

/** Downloads `file` to `dest` (see the module comment). Resolves when `dest` holds the verified bytes. */
export async function fetchFile(o: FetchFileOptions): Promise<void> {
  const partial = o.partial ?? `${o.dest}${INCOMPLETE_SUFFIX}`;
  if (o.file.size === 0) {
    await mkdir(dirname(o.dest), { recursive: true });
    const d = newDigest(o.file);
    await writeFile(partial, '');
    await verifyAndPlace(o, partial, d);
    return;
  }
  let failures = 0;
  let total = 0;
  for (;;) {
    if (o.signal.aborted) throw cancelled(o.file.path);
    const progress = { received: 0 };
    try {
      await attempt(o, partial, progress);
      return;
    } catch (err) {
      if (o.signal.aborted) throw cancelled(o.file.path);
      const e = err instanceof Error ? err : new Error(String(err));
      if (!(err instanceof CacheError) || !err.retryable) throw e;
      failures = progress.received > 0 ? 1 : failures + 1;
      total += 1;
      if (failures >= o.retry.maxAttempts || total >= o.retry.maxAttempts * 20) {
        throw new CacheError(
          `download of ${o.file.path} failed after ${failures} attempt(s) in a row: ${e.message}`,
          'DOWNLOAD_FAILED',
          { cause: e },
        );
      }
      const delay = retryDelay(o.retry, failures);
      o.logger?.warn(
        { file: o.file.path, err: e.message, delay_ms: delay },
        'download attempt failed; retrying',
      );
      o.onRetry?.(total + 1, e);
      try {
        await o.clock.sleep(delay, o.signal);
      } catch {
        throw cancelled(o.file.path);
      }
    }
  }
}
