/**
 * What a model consists of at one revision (from the hub's file list), and the record of a finished
 * download kept under `<cacheDir>/.nebula/manifests/` so scans can tell complete models from partial ones
 * and restarts can skip the hub.
 */
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import type { ModelSource } from '../../core/domain/index.js';
import { modelNameHash } from '../../core/ids.js';
import { CacheError } from './errors.js';
import { isHexDigest, validateFilePath } from './validate.js';

export interface ManifestFile {
  /** Path inside the repository (validated: relative, no '..'). */
  path: string;
  size: number;
  /** Expected sha256 (LFS files on Hugging Face; every file on ModelScope). */
  sha256?: string;
  /** Expected git blob id (non-LFS files on Hugging Face). */
  gitOid?: string;
  /** Hugging Face blob name (the ETag: sha256 for LFS, git blob id otherwise). */
  blobKey?: string;
  /** Where to fetch it (under the hub base). */
  url: URL;
}

export interface Manifest {
  source: Exclude<ModelSource, 'local'>;
  repoId: string;
  /** The revision asked for (branch, tag or commit). */
  revision: string;
  /** The commit it resolved to. */
  commit: string;
  files: ManifestFile[];
  /**
   * Every file of the revision, when `files` is a subset of it (a GGUF repository of which only the
   * chosen variant is fetched): kept so a later choice can be resolved without the hub.
   */
  listing?: { path: string; size: number }[];
}

/** One file as a hub lists it, before it is checked. */
export interface ListedFile {
  path: string;
  size: number;
  sha256?: string;
  gitOid?: string;
}

/**
 * Turns a hub's file list into manifest files, refusing an unsafe path, a path listed twice or a
 * malformed digest (the list is hostile input). `urlOf` says where each file is fetched; with
 * `blobKeys`, each file's digest also names its blob (the Hugging Face cache layout).
 */
export function manifestFiles(
  repoId: string,
  listed: readonly ListedFile[],
  urlOf: (path: string) => URL,
  opts: { blobKeys?: boolean } = {},
): ManifestFile[] {
  const seen = new Set<string>();
  return listed.map((f) => {
    validateFilePath(f.path, repoId);
    if (seen.has(f.path))
      throw new CacheError(`file list of ${repoId}: duplicate path ${f.path}`, 'DOWNLOAD_FAILED');
    seen.add(f.path);
    const out: ManifestFile = { path: f.path, size: f.size, url: urlOf(f.path) };
    if (f.sha256 !== undefined) {
      if (!isHexDigest(f.sha256, 64))
        throw new CacheError(`file list of ${repoId}: invalid sha256 for ${f.path}`, 'DOWNLOAD_FAILED');
      out.sha256 = f.sha256;
      if (opts.blobKeys) out.blobKey = f.sha256;
    } else if (f.gitOid !== undefined) {
      if (!isHexDigest(f.gitOid, 40))
        throw new CacheError(`file list of ${repoId}: invalid blob id for ${f.path}`, 'DOWNLOAD_FAILED');
      out.gitOid = f.gitOid;
      if (opts.blobKeys) out.blobKey = f.gitOid;
    }
    return out;
  });
}

export const StoredManifest = z.object({
  model_name: z.string(),
  source: z.enum(['huggingface', 'modelscope']),
  revision: z.string(),
  commit: z.string(),
  files: z.array(
    z.object({ path: z.string(), size: z.number().int().min(0), sha256: z.string().optional() }),
  ),
  /** Every file of the revision when `files` holds only part of it (see Manifest.listing). */
  listing: z.array(z.object({ path: z.string(), size: z.number().int().min(0) })).optional(),
  completed_at: z.string(),
});
export type StoredManifest = z.infer<typeof StoredManifest>;

export function nebulaDir(cacheDir: string): string {
  return join(cacheDir, '.nebula');
}

export function manifestPath(cacheDir: string, source: string, modelName: string): string {
  return join(nebulaDir(cacheDir), 'manifests', `${modelNameHash(source, modelName)}.json`);
}

export function lastUsedPath(cacheDir: string, source: string, modelName: string): string {
  return join(nebulaDir(cacheDir), 'last-used', modelNameHash(source, modelName));
}

export async function readStoredManifest(
  cacheDir: string,
  source: string,
  modelName: string,
): Promise<StoredManifest | undefined> {
  try {
    const parsed = StoredManifest.safeParse(
      JSON.parse(await readFile(manifestPath(cacheDir, source, modelName), 'utf8')),
    );
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Written atomically (tmp + rename): a crash leaves the old manifest or the new one. A partial download
 * (one GGUF variant) of the commit already recorded adds its files to the record instead of replacing
 * it, so every variant fetched so far stays known as complete.
 */
export async function writeStoredManifest(cacheDir: string, m: StoredManifest): Promise<void> {
  const prev = m.listing ? await readStoredManifest(cacheDir, m.source, m.model_name) : undefined;
  if (prev && prev.commit === m.commit) {
    const paths = new Set(m.files.map((f) => f.path));
    m = { ...m, files: [...m.files, ...prev.files.filter((f) => !paths.has(f.path))] };
  }
  const p = manifestPath(cacheDir, m.source, m.model_name);
  await mkdir(dirname(p), { recursive: true });
  const tmp = `${p}.${process.pid}.tmp`;
  await writeFile(tmp, JSON.stringify(m));
  await rename(tmp, p);
}

export async function removeStoredManifest(
  cacheDir: string,
  source: string,
  modelName: string,
): Promise<void> {
  await rm(manifestPath(cacheDir, source, modelName), { force: true });
  await rm(lastUsedPath(cacheDir, source, modelName), { force: true });
}

export function toStored(m: Manifest, completedAt: string): StoredManifest {
  const out: StoredManifest = {
    model_name: m.repoId,
    source: m.source,
    revision: m.revision,
    commit: m.commit,
    files: m.files.map((f) =>
      f.sha256 ? { path: f.path, size: f.size, sha256: f.sha256 } : { path: f.path, size: f.size },
    ),
    completed_at: completedAt,
  };
  if (m.listing) out.listing = m.listing.map((f) => ({ path: f.path, size: f.size }));
  return out;
}
