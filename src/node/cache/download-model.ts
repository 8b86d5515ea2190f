/**
 * Downloads one model revision into the standard cache layout of its hub:
 * - Hugging Face: blobs/<etag> (via blobs/<etag>.incomplete), snapshots/<commit>/<path> relative symlinks,
 *   refs/<revision>;
 * - ModelScope: models/<org>/<name>/<path> (via models/._____temp/<org>/<name>/<path>.incomplete) plus the
 *   library's .mdl / .msc / .mv markers.
 * Files already present are kept (and counted as done); partial files are resumed.
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { lstat, mkdir, readlink, rename, rm, stat, symlink, unlink, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import type { Clock } from '../../core/clock.js';
import type { Logger } from '../../core/logger.js';
import { runPool } from '../../core/pool.js';
import { CacheError, cancelled } from './errors.js';
import { fetchFile, INCOMPLETE_SUFFIX } from './file-fetch.js';
import { hfBlobPath, hfRefPath, hfRepoDir, hfSnapshotDir, hfSymlinkTarget } from './hf-layout.js';
import type { HubClient } from '../../hub/index.js';
import { toStored, writeStoredManifest, type Manifest, type ManifestFile } from './manifest.js';
import { msModelDir, msTempDir, pickle } from './ms-layout.js';
import type { ProgressTracker } from './progress.js';
import type { RetryPolicy } from './retry.js';

export interface DownloadEnv {
  cacheDir: string;
  http: HubClient;
  retry: RetryPolicy;
  clock: Clock;
  logger?: Logger;
  /** Files fetched in parallel (default 4). */
  concurrency: number;
  signal: AbortSignal;
  tracker: ProgressTracker;
  /** Free bytes on the cache volume, for the up-front space check (undefined: skip the check). */
  freeBytes?: () => Promise<number | undefined>;
  /** Bytes just received from the hub (the node's download counter). */
  onFetched?: (bytes: number) => void;
}

export interface DownloadOutcome {
  manifest: Manifest;
  /** Directory the engine loads. */
  modelPath: string;
  /** Bytes actually fetched from the hub. */
  fetchedBytes: number;
}

async function sizeOf(p: string): Promise<number | undefined> {
  try {
    return (await stat(p)).size;
  } catch {
    return undefined;
  }
}

/** Joins a validated relative path under `root`, refusing anything that would leave it. */
export function inside(root: string, rel: string): string {
  const p = join(root, ...rel.split('/'));
  if (relative(root, p).startsWith('..') || !p.startsWith(root + sep)) {
    throw new CacheError(`path ${rel} escapes ${root}`, 'INVALID_MODEL_REFERENCE');
  }
  return p;
}

async function sha256File(p: string, signal: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  for await (const c of createReadStream(p, { highWaterMark: 1024 * 1024, signal }) as AsyncIterable<Buffer>)
    h.update(c);
  return h.digest('hex');
}

async function writeAtomic(p: string, data: string | Buffer): Promise<void> {
  await mkdir(dirname(p), { recursive: true });
  const tmp = `${p}.${process.pid}.tmp`;
  await writeFile(tmp, data);
  await rename(tmp, p);
}

interface Job {
  /** Files sharing this content (Hugging Face dedupes identical blobs). */
  files: ManifestFile[];
  dest: string;
  partial: string;
  size: number;
  present: boolean;
}

async function checkSpace(env: DownloadEnv, needed: number, what: string): Promise<void> {
  const free = await env.freeBytes?.();
  if (free !== undefined && needed > free) {
    throw new CacheError(
      `not enough disk space for ${what}: needs ${needed} more bytes, ${free} available`,
      'DOWNLOAD_FAILED',
    );
  }
}

/** Accounts for what is on disk, then fetches the missing jobs with progress. */
async function runJobs(
  env: DownloadEnv,
  jobs: Job[],
  manifest: Manifest,
  place: (job: Job) => Promise<void>,
): Promise<number> {
  let done = 0;
  let partialBytes = 0;
  for (const j of jobs) {
    if (j.present) done += j.size;
    else partialBytes += Math.min(j.size, (await sizeOf(j.partial)) ?? 0);
  }
  const total = manifest.files.reduce((n, f) => n + f.size, 0);
  const jobTotal = jobs.reduce((n, j) => n + j.size, 0);
  await checkSpace(env, jobTotal - done - partialBytes, manifest.repoId);
  let filesDone = 0;
  const finished = (j: Job) => {
    filesDone += j.files.length;
    env.tracker.update({ files_done: filesDone });
  };
  // Files sharing a blob count once in bytes_done but fully in bytes_total: count their duplicates as done.
  env.tracker.update({
    phase: 'downloading',
    bytes_total: total,
    files_total: manifest.files.length,
    files_done: 0,
    bytes_done: 0,
  });
  env.tracker.addBytes(done + partialBytes + (total - jobTotal));
  let fetched = 0;
  for (const j of jobs.filter((x) => x.present)) {
    await place(j);
    finished(j);
  }
  const missing = jobs.filter((j) => !j.present).sort((a, b) => b.size - a.size);
  await runPool(missing, env.concurrency, async (j) => {
    if (env.signal.aborted) throw cancelled(manifest.repoId);
    const file = j.files[0] as ManifestFile;
    const o: Parameters<typeof fetchFile>[0] = {
      http: env.http,
      file,
      dest: j.dest,
      partial: j.partial,
      signal: env.signal,
      retry: env.retry,
      clock: env.clock,
      onBytes: (d) => {
        if (d > 0) {
          fetched += d;
          env.onFetched?.(d);
        }
        env.tracker.addBytes(d, file.path);
      },
      onRetry: (attempt) => env.tracker.update({ attempt }),
    };
    if (env.logger) o.logger = env.logger;
    await fetchFile(o);
    await place(j);
    finished(j);
  });
  return fetched;
}

export async function downloadHf(env: DownloadEnv, manifest: Manifest): Promise<DownloadOutcome> {
  const repoDir = hfRepoDir(env.cacheDir, manifest.repoId);
  const snap = hfSnapshotDir(repoDir, manifest.commit);
  await mkdir(join(repoDir, 'blobs'), { recursive: true });
  await mkdir(snap, { recursive: true });
  const byBlob = new Map<string, Job>();
  for (const f of manifest.files) {
    if (!f.blobKey) throw new CacheError(`no blob id for ${f.path} in ${manifest.repoId}`, 'DOWNLOAD_FAILED');
    const job = byBlob.get(f.blobKey);
    if (job) {
      job.files.push(f);
      continue;
    }
    const dest = hfBlobPath(repoDir, f.blobKey);
    byBlob.set(f.blobKey, {
      files: [f],
      dest,
      partial: `${dest}${INCOMPLETE_SUFFIX}`,
      size: f.size,
      present: (await sizeOf(dest)) === f.size,
    });
  }
  const link = async (j: Job) => {
    for (const f of j.files) {
      const at = inside(snap, f.path);
      const target = hfSymlinkTarget(f.path, f.blobKey ?? '');
      await mkdir(dirname(at), { recursive: true });
      const existing = await readlink(at).catch(() => undefined);
      if (existing === target) continue;
      if (existing !== undefined || (await lstat(at).catch(() => undefined))) await unlink(at);
      await symlink(target, at);
    }
  };
  const fetched = await runJobs(env, [...byBlob.values()], manifest, link);
  if (manifest.revision !== manifest.commit)
    await writeAtomic(hfRefPath(repoDir, manifest.revision), manifest.commit);
  await writeStoredManifest(env.cacheDir, toStored(manifest, new Date(env.clock.now()).toISOString()));
  return { manifest, modelPath: snap, fetchedBytes: fetched };
}

export async function downloadMs(env: DownloadEnv, manifest: Manifest): Promise<DownloadOutcome> {
  const [org = '', name = ''] = manifest.repoId.split('/');
  const dir = msModelDir(env.cacheDir, org, name);
  const temp = msTempDir(env.cacheDir, org, name);
  await mkdir(dir, { recursive: true });
  const jobs: Job[] = [];
  for (const f of manifest.files) {
    const dest = inside(dir, f.path);
    let present = (await sizeOf(dest)) === f.size;
    // A file of the right size from an earlier run is kept only when its digest checks out.
    if (present && f.sha256 && (await sha256File(dest, env.signal)) !== f.sha256) present = false;
    jobs.push({
      files: [f],
      dest,
      partial: `${inside(temp, f.path)}${INCOMPLETE_SUFFIX}`,
      size: f.size,
      present,
    });
  }
  const fetched = await runJobs(env, jobs, manifest, async () => undefined);
  await writeFile(join(dir, '.mdl'), pickle({ id: manifest.repoId }));
  await writeFile(
    join(dir, '.msc'),
    pickle(manifest.files.map((f) => ({ Path: f.path, Revision: manifest.commit }))),
  );
  await writeFile(
    join(dir, '.mv'),
    `Revision:${manifest.revision},CreatedAt:${Math.floor(env.clock.now() / 1000)}`,
  );
  await rm(temp, { recursive: true, force: true });
  await writeStoredManifest(env.cacheDir, toStored(manifest, new Date(env.clock.now()).toISOString()));
  return { manifest, modelPath: dir, fetchedBytes: fetched };
}
