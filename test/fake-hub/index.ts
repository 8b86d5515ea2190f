/**
 * The fake Hugging Face + ModelScope hub used by tests and benchmarks (never shipped). Start it with
 * `startFakeHub()`, point `HF_ENDPOINT` / `MODELSCOPE_ENDPOINT` (or the cache manager's endpoints) at its
 * `url`, then inject failures with `setFailure` and inspect `requests`.
 */
export { startFakeHub, FAKE_HF_TOKEN, type FakeHub, type FakeHubOptions } from './server.js';
export {
  defaultCatalog,
  smallModelFiles,
  configJson,
  buildRepo,
  tinyLlamaGgufModel,
  TINY_GGUF_REPO,
  type FakeModel,
  type FakeFile,
  type Repo,
  type RepoFile,
  type HubName,
} from './catalog.js';
export type { FailureSpec, Matcher, RequestInfo } from './failures.js';
export type { RequestLogEntry } from './http-util.js';
export { readAll, generatedContent, literalContent, computeDigests, type ContentSource } from './content.js';
