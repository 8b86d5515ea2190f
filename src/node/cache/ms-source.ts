/**
 * The ModelScope file list of one revision (`GET /api/v1/models/{org}/{name}/repo/files?Revision=&Recursive=True`,
 * answered in the `{Code, Data: {Files}, Success}` envelope) and the download URL of a file
 * (`/api/v1/models/{org}/{name}/repo?Revision=&FilePath=`), as the modelscope library uses them.
 */
import { z } from 'zod';
import { CacheError } from './errors.js';
import type { HubClient } from '../../hub/index.js';
import { manifestFiles, type Manifest } from './manifest.js';
import { hubFileUrl, hubUrl, msRevision } from '../../hub/index.js';
import { encodePath } from './validate.js';

const MsFile = z.object({
  Path: z.string(),
  Name: z.string().optional(),
  Type: z.string(),
  Size: z.number().int().min(0).default(0),
  Sha256: z.string().nullish(),
  Revision: z.string().nullish(),
});
const FilesAnswer = z.object({
  Code: z.number().optional(),
  Success: z.boolean().optional(),
  Message: z.string().optional(),
  Data: z.object({ Files: z.array(MsFile).nullish() }).nullish(),
});

export { msRevision };

export async function fetchMsManifest(
  http: HubClient,
  repoId: string,
  revision: string,
  signal: AbortSignal,
): Promise<Manifest> {
  const rev = msRevision(revision);
  const url = hubUrl(
    http.policy,
    `/api/v1/models/${encodePath(repoId)}/repo/files?Revision=${encodeURIComponent(rev)}&Recursive=True`,
  );
  const res = await http.json(url, { signal, what: `file list of ${repoId}@${rev}` });
  const parsed = FilesAnswer.safeParse(res.body);
  if (!parsed.success)
    throw new CacheError(`file list of ${repoId}: unexpected answer from the hub`, 'DOWNLOAD_FAILED');
  if (parsed.data.Success === false || (parsed.data.Code !== undefined && parsed.data.Code !== 200)) {
    throw new CacheError(
      `file list of ${repoId}: ${parsed.data.Message ?? 'hub refused'}`,
      'MODEL_NOT_FOUND_ON_HUB',
    );
  }
  const blobs = (parsed.data.Data?.Files ?? []).filter(
    (f) => f.Type === 'blob' && f.Path !== '.gitignore' && f.Path !== '.gitattributes',
  );
  if (blobs.length === 0) throw new CacheError(`${repoId}@${rev} has no files`, 'MODEL_NOT_FOUND_ON_HUB');
  const commit = blobs.find((f) => f.Revision)?.Revision ?? rev;
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(commit))
    throw new CacheError(`file list of ${repoId}: invalid revision id`, 'DOWNLOAD_FAILED');
  const files = manifestFiles(
    repoId,
    blobs.map((f) => ({ path: f.Path, size: f.Size, ...(f.Sha256 ? { sha256: f.Sha256 } : {}) })),
    (path) => hubFileUrl('modelscope', http.policy, repoId, rev, path),
  );
  return { source: 'modelscope', repoId, revision: rev, commit, files };
}
