import { ModelFilesError } from '../errors.js';

/**
 * Errors of the model-files cache. They extend the node agent's ModelFilesError so the reconciler reports
 * them as download failures; `code` is stable and `retryable` says whether a later attempt may succeed.
 */
export class CacheError extends ModelFilesError {
  constructor(message: string, code: CacheErrorCode, opts: { retryable?: boolean; cause?: unknown } = {}) {
    super(message, code, opts);
  }
}

export type CacheErrorCode =
  /** A repo id, revision or file path that is not allowed (traversal, URL, absolute path). */
  | 'INVALID_MODEL_REFERENCE'
  /** The hub answered something unusable, or kept failing after the retries. */
  | 'DOWNLOAD_FAILED'
  /** The hub does not know the repository, revision or file. */
  | 'MODEL_NOT_FOUND_ON_HUB'
  /** Gated or private repository without (valid) credentials. */
  | 'HUB_UNAUTHORIZED'
  | 'CHECKSUM_MISMATCH'
  | 'SIZE_MISMATCH'
  /** A redirect to a host outside the allowlist, or from https to http. */
  | 'REDIRECT_NOT_ALLOWED'
  | 'DOWNLOAD_CANCELLED'
  | 'LOCAL_PATH_MISSING'
  /** llama.cpp: the spec's gguf_file / gguf_quant names no variant (or several), or there is no .gguf. */
  | 'GGUF_VARIANT_NOT_FOUND'
  | 'GGUF_VARIANT_AMBIGUOUS'
  | 'GGUF_NO_VARIANTS'
  | 'MODEL_IN_USE';

/** A transient transport or server failure (connection reset, 5xx, 429): worth another attempt. */
export class TransientHubError extends CacheError {
  constructor(message: string, cause?: unknown) {
    super(message, 'DOWNLOAD_FAILED', { retryable: true, cause });
  }
}

export function cancelled(what: string): CacheError {
  return new CacheError(`download of ${what} cancelled`, 'DOWNLOAD_CANCELLED');
}
