/**
 * Validation of everything that goes into a hub URL or a cache path: repository ids, revisions and the file
 * paths a hub lists. A hub answer is input like any other: a listed path like `../../etc/passwd`,
 * `/abs`, `C:\x` or `https://evil/x` must never become a file outside the model's folder or a URL.
 */
import { CacheError } from './errors.js';

const PART = /^[A-Za-z0-9][A-Za-z0-9._-]{0,95}$/;

/** `org/name` (ModelScope needs both; Hugging Face also accepts a bare `name`). */
export function validateRepoId(id: string, requireOrg: boolean): { org: string | undefined; name: string } {
  const parts = id.split('/');
  const ok =
    (parts.length === 2 || (!requireOrg && parts.length === 1)) &&
    parts.every((p) => PART.test(p) && !p.includes('..') && !p.endsWith('.'));
  if (!ok) {
    throw new CacheError(
      `invalid model name "${id}": expected ${requireOrg ? '"org/name"' : '"org/name" or "name"'}`,
      'INVALID_MODEL_REFERENCE',
    );
  }
  return parts.length === 2
    ? { org: parts[0], name: parts[1] ?? '' }
    : { org: undefined, name: parts[0] ?? '' };
}

/** Branch, tag or commit; may contain '/' (refs/pr/1) but no '..' or empty segments. */
export function validateRevision(rev: string): string {
  if (
    !/^[A-Za-z0-9._-]+(?:\/[A-Za-z0-9._-]+)*$/.test(rev) ||
    rev.length > 128 ||
    rev.split('/').some((s) => s === '.' || s === '..')
  ) {
    throw new CacheError(`invalid revision "${rev}"`, 'INVALID_MODEL_REFERENCE');
  }
  return rev;
}

/** True for a relative POSIX path of plain segments (no '.', '..', empty segments, backslash, scheme, control chars). */
export function isSafeRelativePath(p: string): boolean {
  if (p.length === 0 || p.length > 1024) return false;
  if (p.startsWith('/') || p.includes('\\') || p.includes(':') || p.includes('\0')) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(p)) return false;
  return p.split('/').every((s) => s !== '' && s !== '.' && s !== '..' && s.length <= 255);
}

export function validateFilePath(p: string, repo: string): string {
  if (!isSafeRelativePath(p))
    throw new CacheError(`hub listed an unsafe file path "${p}" in ${repo}`, 'INVALID_MODEL_REFERENCE');
  return p;
}

/** A 40-hex git commit id (what the hub calls `sha` / `Revision`). */
export function isCommitId(s: string): boolean {
  return /^[0-9a-f]{40}$/.test(s);
}

export function isHexDigest(s: string, len: 40 | 64): boolean {
  return s.length === len && /^[0-9a-f]+$/.test(s);
}

/** Each path segment URL-encoded ('/' kept between segments). */
export function encodePath(p: string): string {
  return p.split('/').map(encodeURIComponent).join('/');
}
