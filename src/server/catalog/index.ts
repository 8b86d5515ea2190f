/** Model catalog (seed 004): search and import from Hugging Face and ModelScope behind an SSRF guard. */
export { CatalogService, weightsBytes } from './service.js';
export { catalogHubError, getCatalogJson, HubNotFoundError } from './hub-json.js';
export { HuggingFaceProvider } from './huggingface.js';
export { ModelScopeProvider } from './modelscope.js';
export type { HubProvider } from './types.js';
export * from './normalise.js';
