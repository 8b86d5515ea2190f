/** Deleting a model's files from the cache (the layouts' folders plus Nebula's own records of them). */
import { rm } from 'node:fs/promises';
import { relative, resolve, sep } from 'node:path';
import { msTempDir } from './ms-layout.js';
import { removeStoredManifest } from './manifest.js';
import type { ScannedModel } from './scan.js';
import type { PurgeOutcome } from './types.js';

export type PurgeResult = PurgeOutcome;

/** True when `p` lies inside `root` (the only places Nebula deletes). */
export function isInside(root: string, p: string): boolean {
  const rel = relative(resolve(root), resolve(p));
  return rel !== '' && !rel.startsWith('..') && !rel.startsWith(sep) && !rel.includes(`..${sep}`);
}

/** Removes a scanned model's files. Plain directories are removed only when they live inside the cache. */
export async function removeModelFiles(cacheDir: string, m: ScannedModel): Promise<PurgeResult> {
  const base = { model_name: m.model_name, source: m.source };
  if (!isInside(cacheDir, m.root)) {
    return {
      ...base,
      status: 'refused',
      reason: `${m.root} is not inside the cache directory ${cacheDir}: Nebula does not delete it`,
      freed_bytes: 0,
    };
  }
  await rm(m.root, { recursive: true, force: true });
  if (m.layout === 'modelscope') {
    const [org = '', name = ''] = m.model_name.split('/');
    if (org && name) await rm(msTempDir(cacheDir, org, name), { recursive: true, force: true });
  }
  await removeStoredManifest(cacheDir, m.source, m.model_name);
  return { ...base, status: 'done', freed_bytes: m.size_bytes };
}
