/**
 * Model files on a node (DESIGN §6): the cache manager behind `ModelFiles.ensure()`, plus the pure pieces
 * other parts reuse (layouts, disk levels, LRU selection, validation).
 */
export { createCacheManager, type CacheManager } from './manager.js';
export type { CacheManagerOptions, CacheManagerDeps } from './options.js';
export type {
  ResolvedAdapter,
  ModelFiles,
  EnsureModelRequest,
  EnsureModelResult,
  PurgeOutcome,
  InUseCheck,
  PrefetchRequest,
  PrefetchResult,
} from './types.js';
export type { ProgressSnapshot } from './progress.js';
export { CacheError, type CacheErrorCode } from './errors.js';
export { diskLevel, diskStatus, type StatFsFn, type StatFsResult } from './disk.js';
export { selectEvictions, referencedModels, modelRef } from './lru.js';
export { adapterFilesSpec, adapterRefs, readAdapterRank } from './adapter-files.js';
export { scanCache, type ScannedModel } from './scan.js';
export {
  hfHome,
  hfHubDir,
  hfRepoDir,
  hfRepoFolderName,
  parseHfRepoFolderName,
  hfSymlinkTarget,
} from './hf-layout.js';
export { msCacheRoot, msModelsRoot, msModelDir, msFolderName, pickle, readMdlId } from './ms-layout.js';
export { msRevision } from './ms-source.js';
export { validateRepoId, validateRevision, isSafeRelativePath } from './validate.js';
export { checkRedirect, parseBaseUrl, DEFAULT_REDIRECT_HOSTS } from '../../hub/index.js';
export { DEFAULT_RETRY, retryDelay, type RetryPolicy } from './retry.js';
