/**
 * The Hugging Face file list of one revision: `GET /api/models/{id}/revision/{rev}?blobs=true` gives the
 * commit (`sha`) and every file with its size, git blob id and LFS sha256 in one request; when a sibling
 * lacks a size the recursive tree (`/api/models/{id}/tree/{commit}?recursive=true`, paged by Link header)
 * fills in. Every listed path is validated before it can become a URL or a file name.
 */
import { z } from 'zod';
import { CacheError } from './errors.js';
import { headerValue, type HubClient } from '../../hub/index.js';
import { manifestFiles, type ListedFile, type Manifest } from './manifest.js';
import { hubFileUrl, hubUrl } from '../../hub/index.js';
import { encodePath, isCommitId } from './validate.js';

const Sibling = z.object({
  rfilename: z.string(),
  size: z.number().int().min(0).optional(),
  blobId: z.string().optional(),
  lfs: z.object({ sha256: z.string(), size: z.number().int().min(0) }).optional(),
});
const ModelInfo = z.object({ sha: z.string(), siblings: z.array(Sibling).default([]) });

const TreeEntry = z.object({
  type: z.string(),
  path: z.string(),
  size: z.number().int().min(0).default(0),
  oid: z.string().optional(),
  lfs: z.object({ oid: z.string(), size: z.number().int().min(0) }).optional(),
});

function repoPath(repoId: string): string {
  return encodePath(repoId);
}

function resolveUrl(http: HubClient, repoId: string, commit: string, path: string): URL {
  return hubFileUrl('huggingface', http.policy, repoId, commit, path);
}

async function listTree(
  http: HubClient,
  repoId: string,
  commit: string,
  signal: AbortSignal,
): Promise<ListedFile[]> {
  const out: ListedFile[] = [];
  let url: URL | undefined = hubUrl(
    http.policy,
    `/api/models/${repoPath(repoId)}/tree/${encodeURIComponent(commit)}?recursive=true`,
  );
  for (let page = 0; url && page < 1000; page++) {
    const res: { body: unknown; headers: Record<string, string | string[] | undefined> } = await http.json(
      url,
      { signal, what: `file list of ${repoId}` },
    );
    const entries = z.array(TreeEntry).safeParse(res.body);
    if (!entries.success)
      throw new CacheError(`file list of ${repoId}: unexpected answer from the hub`, 'DOWNLOAD_FAILED');
    for (const e of entries.data) {
      if (e.type !== 'file') continue;
      const f: ListedFile = { path: e.path, size: e.lfs?.size ?? e.size };
      if (e.lfs) f.sha256 = e.lfs.oid;
      else if (e.oid) f.gitOid = e.oid;
      out.push(f);
    }
    const next = /<([^>]+)>;\s*rel="next"/.exec(headerValue(res.headers, 'link') ?? '')?.[1];
    url = undefined;
    if (next) {
      const u = new URL(next, http.policy.base);
      if (u.origin !== http.policy.base.origin)
        throw new CacheError(
          `file list of ${repoId}: next page on another host refused`,
          'REDIRECT_NOT_ALLOWED',
        );
      url = u;
    }
  }
  return out;
}

/** Resolves `revision` to a commit and lists its files. */
export async function fetchHfManifest(
  http: HubClient,
  repoId: string,
  revision: string,
  signal: AbortSignal,
): Promise<Manifest> {
  const infoUrl = hubUrl(
    http.policy,
    `/api/models/${repoPath(repoId)}/revision/${encodeURIComponent(revision)}?blobs=true`,
  );
  const res = await http.json(infoUrl, { signal, what: `model info of ${repoId}@${revision}` });
  const info = ModelInfo.safeParse(res.body);
  if (!info.success)
    throw new CacheError(`model info of ${repoId}: unexpected answer from the hub`, 'DOWNLOAD_FAILED');
  const commit = info.data.sha;
  if (!isCommitId(commit))
    throw new CacheError(`model info of ${repoId}: invalid commit id`, 'DOWNLOAD_FAILED');
  let listed: ListedFile[] = info.data.siblings.map((s) => {
    const f: ListedFile = { path: s.rfilename, size: s.lfs?.size ?? s.size ?? -1 };
    if (s.lfs) f.sha256 = s.lfs.sha256;
    else if (s.blobId) f.gitOid = s.blobId;
    return f;
  });
  if (listed.some((f) => f.size < 0 || (!f.sha256 && !f.gitOid)))
    listed = await listTree(http, repoId, commit, signal);
  const files = manifestFiles(repoId, listed, (path) => resolveUrl(http, repoId, commit, path), {
    blobKeys: true,
  });
  if (files.length === 0)
    throw new CacheError(`${repoId}@${revision} has no files`, 'MODEL_NOT_FOUND_ON_HUB');
  return { source: 'huggingface', repoId, revision, commit, files };
}
