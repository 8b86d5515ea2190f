/** Model catalog (seed 004): search and import from Hugging Face and ModelScope behind an SSRF guard. */
export { CatalogService, weightsBytes } from './service.js';
export { HubHttp, HubNotFoundError, KNOWN_HUB_HOSTS } from './hub-http.js';
export { HuggingFaceProvider } from './huggingface.js';
export { ModelScopeProvider } from './modelscope.js';
export type { HubProvider } from './types.js';
export * from './normalise.js';
