/**
 * Scans the node's cache for models: the Hugging Face hub cache, the ModelScope cache (current
 * `models/<org>/<name>` and legacy `<org>/<name>` layouts) and plain directories (configured extra dirs:
 * a model directory itself, or a directory of model directories). File-system reads only; the publisher
 * turns the result into `/model_cache` entries.
 */
import { readdir, readFile, lstat, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { CacheLayout, ModelSource } from '../../core/domain/index.js';
import { INCOMPLETE_SUFFIX } from './file-fetch.js';
import { hfHubDir, parseHfRepoFolderName } from './hf-layout.js';
import { lastUsedPath, readStoredManifest, type StoredManifest } from './manifest.js';
import { MS_TEMP_FOLDER, msCacheRoot, msModelsRoot, msUnfolderName, readMdlId } from './ms-layout.js';
import { isCommitId } from './validate.js';

export interface ScannedModel {
  model_name: string;
  source: ModelSource;
  layout: CacheLayout;
  revision: string;
  /** Directory an engine would load (HF: the snapshot). */
  path: string;
  /** Root of everything the model occupies (HF: the repo folder), what a purge removes. */
  root: string;
  size_bytes: number;
  file_count: number;
  complete: boolean;
  last_used_at?: string;
  /** The `.gguf` files present (relative paths, sorted), when there are any: which variants are cached. */
  gguf_files?: string[];
}

function ggufFiles(names: readonly string[]): string[] | undefined {
  const g = names.filter((n) => /\.gguf$/i.test(n)).sort();
  return g.length > 0 ? g : undefined;
}

async function entries(dir: string): Promise<import('node:fs').Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

interface Walk {
  files: number;
  bytes: number;
  incomplete: number;
  dangling: number;
  names: string[];
}

/** Walks a tree without following directory symlinks; counts files (symlinks to files count, sizes via lstat unless `follow`). */
async function walk(
  dir: string,
  opts: { follow: boolean; skipDot: boolean },
  acc: Walk = { files: 0, bytes: 0, incomplete: 0, dangling: 0, names: [] },
  rel = '',
): Promise<Walk> {
  for (const e of await entries(dir)) {
    if (opts.skipDot && e.name.startsWith('.')) continue;
    const p = join(dir, e.name);
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) {
      await walk(p, opts, acc, r);
      continue;
    }
    if (e.name.endsWith(INCOMPLETE_SUFFIX)) acc.incomplete += 1;
    if (e.isSymbolicLink()) {
      const s = await stat(p).catch(() => undefined);
      if (!s) {
        acc.dangling += 1;
        continue;
      }
      acc.files += 1;
      acc.names.push(r);
      if (opts.follow) acc.bytes += s.size;
      continue;
    }
    if (!e.isFile()) continue;
    acc.files += 1;
    acc.names.push(r);
    acc.bytes += (await lstat(p).catch(() => undefined))?.size ?? 0;
  }
  return acc;
}

const WEIGHTS = /\.(safetensors|bin|gguf|pt|pth)$/i;

function looksLikeModel(names: readonly string[]): boolean {
  return names.some((n) => n === 'config.json' || WEIGHTS.test(n));
}

async function manifestComplete(dir: string, m: StoredManifest | undefined): Promise<boolean> {
  if (!m) return true;
  for (const f of m.files) {
    const s = await stat(join(dir, ...f.path.split('/'))).catch(() => undefined);
    if (!s || s.size !== f.size) return false;
  }
  return true;
}

async function lastUsed(cacheDir: string, source: string, name: string): Promise<string | undefined> {
  const s = await stat(lastUsedPath(cacheDir, source, name)).catch(() => undefined);
  return s ? s.mtime.toISOString() : undefined;
}

/** A scanned model, whatever its layout, with when it was last used and its GGUF files (`names`). */
async function scanned(
  cacheDir: string,
  model: Omit<ScannedModel, 'last_used_at' | 'gguf_files'>,
  names: readonly string[],
): Promise<ScannedModel> {
  const out: ScannedModel = { ...model };
  const used = await lastUsed(cacheDir, model.source, model.model_name);
  if (used) out.last_used_at = used;
  const gguf = ggufFiles(names);
  if (gguf) out.gguf_files = gguf;
  return out;
}

async function readRefs(refsDir: string, prefix = ''): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const e of await entries(refsDir)) {
    const p = join(refsDir, e.name);
    if (e.isDirectory()) {
      for (const [k, v] of await readRefs(p, `${prefix}${e.name}/`)) out.set(k, v);
    } else if (e.isFile()) {
      const commit = (await readFile(p, 'utf8').catch(() => '')).trim();
      if (isCommitId(commit)) out.set(`${prefix}${e.name}`, commit);
    }
  }
  return out;
}

async function scanHfRepo(
  cacheDir: string,
  repoDir: string,
  repoId: string,
): Promise<ScannedModel | undefined> {
  const manifest = await readStoredManifest(cacheDir, 'huggingface', repoId);
  const refs = await readRefs(join(repoDir, 'refs'));
  const snaps = (await entries(join(repoDir, 'snapshots'))).filter((e) => e.isDirectory()).map((e) => e.name);
  let revision: string | undefined;
  let commit: string | undefined;
  if (manifest && snaps.includes(manifest.commit)) {
    revision = manifest.revision;
    commit = manifest.commit;
  } else if (refs.has('main') && snaps.includes(refs.get('main') ?? '')) {
    revision = 'main';
    commit = refs.get('main');
  } else {
    for (const [r, c] of refs) {
      if (snaps.includes(c)) {
        revision = r;
        commit = c;
        break;
      }
    }
  }
  if (!commit) {
    // No ref: the most recently written snapshot.
    let best: { name: string; t: number } | undefined;
    for (const s of snaps) {
      const t = (await stat(join(repoDir, 'snapshots', s)).catch(() => undefined))?.mtimeMs ?? 0;
      if (!best || t > best.t) best = { name: s, t };
    }
    commit = best?.name;
    revision = commit;
  }
  const blobs = await walk(join(repoDir, 'blobs'), { follow: false, skipDot: false });
  const path = commit ? join(repoDir, 'snapshots', commit) : join(repoDir, 'snapshots');
  const snap = commit
    ? await walk(path, { follow: true, skipDot: false })
    : { files: 0, dangling: 0, names: [] as string[] };
  const complete =
    !!commit &&
    blobs.incomplete === 0 &&
    snap.dangling === 0 &&
    snap.files > 0 &&
    (await manifestComplete(path, manifest && manifest.commit === commit ? manifest : undefined));
  return scanned(
    cacheDir,
    {
      model_name: repoId,
      source: 'huggingface',
      layout: 'huggingface',
      revision: revision ?? 'main',
      path,
      root: repoDir,
      size_bytes: blobs.bytes,
      file_count: snap.files,
      complete,
    },
    snap.names,
  );
}

async function scanHf(cacheDir: string): Promise<ScannedModel[]> {
  const hub = hfHubDir(cacheDir);
  const out: ScannedModel[] = [];
  for (const e of await entries(hub)) {
    if (!e.isDirectory()) continue;
    const id = parseHfRepoFolderName(e.name);
    if (!id) continue;
    const m = await scanHfRepo(cacheDir, join(hub, e.name), id);
    if (m) out.push(m);
  }
  return out;
}

async function scanMsModel(
  cacheDir: string,
  dir: string,
  org: string,
  folder: string,
  tempDir: string,
): Promise<ScannedModel | undefined> {
  const w = await walk(dir, { follow: true, skipDot: true });
  const mdl = await readFile(join(dir, '.mdl')).catch(() => undefined);
  const id = (mdl && readMdlId(mdl)) || `${org}/${msUnfolderName(folder)}`;
  if (!looksLikeModel(w.names) && !mdl) return undefined;
  const manifest = await readStoredManifest(cacheDir, 'modelscope', id);
  const temp = await walk(tempDir, { follow: false, skipDot: false });
  const mv = await readFile(join(dir, '.mv'), 'utf8').catch(() => '');
  const revision = manifest?.revision ?? /Revision:([^,]+)/.exec(mv)?.[1] ?? 'master';
  return scanned(
    cacheDir,
    {
      model_name: id,
      source: 'modelscope',
      layout: 'modelscope',
      revision,
      path: dir,
      root: dir,
      size_bytes: w.bytes + temp.bytes,
      file_count: w.files,
      complete:
        temp.files === 0 &&
        w.incomplete === 0 &&
        looksLikeModel(w.names) &&
        (await manifestComplete(dir, manifest)),
    },
    w.names,
  );
}

async function scanMs(cacheDir: string): Promise<ScannedModel[]> {
  const out: ScannedModel[] = [];
  const seen = new Set<string>();
  const roots: { root: string; legacy: boolean }[] = [
    { root: msModelsRoot(cacheDir), legacy: false },
    { root: msCacheRoot(cacheDir), legacy: true },
  ];
  for (const { root, legacy } of roots) {
    for (const org of await entries(root)) {
      if (!org.isDirectory() || org.name.startsWith('.')) continue;
      if (legacy && ['models', 'datasets', 'temp', 'ast_indexer'].includes(org.name)) continue;
      for (const m of await entries(join(root, org.name))) {
        if (!m.isDirectory() || m.name.startsWith('.')) continue;
        const dir = join(root, org.name, m.name);
        // Legacy folders are recognised by the library's markers only (anything else could live there).
        if (
          legacy &&
          !(await lstat(join(dir, '.mdl')).catch(() => undefined)) &&
          !(await lstat(join(dir, '.msc')).catch(() => undefined))
        )
          continue;
        const tempDir = join(
          legacy ? root : msModelsRoot(cacheDir),
          MS_TEMP_FOLDER,
          org.name,
          msUnfolderName(m.name),
        );
        const s = await scanMsModel(cacheDir, dir, org.name, m.name, tempDir);
        if (s && !seen.has(s.model_name)) {
          seen.add(s.model_name);
          out.push(s);
        }
      }
    }
  }
  return out;
}

async function plainModel(cacheDir: string, dir: string): Promise<ScannedModel | undefined> {
  const w = await walk(dir, { follow: true, skipDot: true });
  if (!looksLikeModel(w.names)) return undefined;
  return scanned(
    cacheDir,
    {
      model_name: dir,
      source: 'local',
      layout: 'plain',
      revision: 'local',
      path: dir,
      root: dir,
      size_bytes: w.bytes,
      file_count: w.files,
      complete: w.incomplete === 0,
    },
    w.names,
  );
}

/** Plain directories: each is a model directory, or holds model directories one level down. */
async function scanPlain(cacheDir: string, dirs: readonly string[]): Promise<ScannedModel[]> {
  const out: ScannedModel[] = [];
  const seen = new Set<string>();
  for (const d of dirs) {
    const dir = resolve(d);
    const direct = (await entries(dir)).map((e) => e.name);
    const candidates = looksLikeModel(direct)
      ? [dir]
      : (await entries(dir))
          .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
          .map((e) => join(dir, e.name));
    for (const c of candidates) {
      if (seen.has(c)) continue;
      seen.add(c);
      const m = await plainModel(cacheDir, c);
      if (m) out.push(m);
    }
  }
  return out;
}

/** Everything the node caches. */
export async function scanCache(
  cacheDir: string,
  plainDirs: readonly string[] = [],
): Promise<ScannedModel[]> {
  const [hf, ms, plain] = await Promise.all([
    scanHf(cacheDir),
    scanMs(cacheDir),
    scanPlain(cacheDir, plainDirs),
  ]);
  return [...hf, ...ms, ...plain];
}
