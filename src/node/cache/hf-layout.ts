/**
 * The Hugging Face hub cache layout (what huggingface_hub writes and vLLM / transformers read with
 * HF_HOME set):
 *
 *   <HF_HOME>/hub/models--<org>--<name>/
 *     blobs/<etag>                 file contents, named by their ETag (sha256 for LFS, git blob id otherwise)
 *     blobs/<etag>.incomplete      a download in progress (resumed by its size)
 *     snapshots/<commit>/<path>    relative symlinks to ../../blobs/<etag>
 *     refs/<revision>              the commit a branch or tag pointed to
 */
import { join } from 'node:path';

export function hfHome(cacheDir: string): string {
  return join(cacheDir, 'huggingface');
}

export function hfHubDir(cacheDir: string): string {
  return join(hfHome(cacheDir), 'hub');
}

/** `org/name` -> `models--org--name`. */
export function hfRepoFolderName(repoId: string): string {
  return `models--${repoId.split('/').join('--')}`;
}

/** `models--org--name` -> `org/name` (undefined for other folders: datasets, spaces, stray files). */
export function parseHfRepoFolderName(folder: string): string | undefined {
  if (!folder.startsWith('models--')) return undefined;
  const parts = folder.slice('models--'.length).split('--');
  if (parts.length < 1 || parts.length > 2 || parts.some((p) => p === '')) return undefined;
  return parts.join('/');
}

export function hfRepoDir(cacheDir: string, repoId: string): string {
  return join(hfHubDir(cacheDir), hfRepoFolderName(repoId));
}

export function hfBlobPath(repoDir: string, blobKey: string): string {
  return join(repoDir, 'blobs', blobKey);
}

export function hfSnapshotDir(repoDir: string, commit: string): string {
  return join(repoDir, 'snapshots', commit);
}

export function hfRefPath(repoDir: string, revision: string): string {
  return join(repoDir, 'refs', ...revision.split('/'));
}

/** The relative symlink target from `snapshots/<commit>/<filePath>` to `blobs/<blobKey>`. */
export function hfSymlinkTarget(filePath: string, blobKey: string): string {
  const depth = filePath.split('/').length - 1;
  return `${'../'.repeat(depth + 2)}blobs/${blobKey}`;
}
