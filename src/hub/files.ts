/** Where a repository's files live on each hub (one home for the URL shapes the node and server use). */
import { hubUrl, type UrlPolicy } from './policy.js';

export type HubName = 'huggingface' | 'modelscope';

function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}

/**
 * The URL of one file of a repository at a revision: Hugging Face `{base}/{id}/resolve/{rev}/{path}`,
 * ModelScope `{base}/api/v1/models/{id}/repo?Revision={rev}&FilePath={path}`. `repoId` and `path` must be
 * validated by the caller (no `..`, no absolute paths); they are percent-encoded here.
 */
export function hubFileUrl(
  hub: HubName,
  policy: UrlPolicy,
  repoId: string,
  revision: string,
  path: string,
): URL {
  if (hub === 'huggingface') {
    return hubUrl(
      policy,
      `/${encodePath(repoId)}/resolve/${encodeURIComponent(revision)}/${encodePath(path)}`,
    );
  }
  return hubUrl(
    policy,
    `/api/v1/models/${encodePath(repoId)}/repo?Revision=${encodeURIComponent(revision)}&FilePath=${encodeURIComponent(path)}`,
  );
}

/** ModelScope calls the default branch `master`; Nebula's default revision `main` maps to it. */
export function msRevision(revision: string): string {
  return revision === 'main' ? 'master' : revision;
}

/** The revision as the hub names it. */
export function hubRevision(hub: HubName, revision: string): string {
  return hub === 'modelscope' ? msRevision(revision) : revision;
}
