/** Model hubs: the one URL policy (redirect allowlist) and HTTP client the catalog, facts and downloads use. */
export { HubError, type HubErrorCode, type HubErrorMapper } from './errors.js';
export {
  DEFAULT_HF_ENDPOINT,
  DEFAULT_MODELSCOPE_ENDPOINT,
  DEFAULT_REDIRECT_HOSTS,
  allowedUrl,
  checkRedirect,
  hubPolicies,
  hubUrl,
  isLoopback,
  parseBaseUrl,
  refusal,
  type UrlPolicy,
} from './policy.js';
export { HubClient, createHubAgent, headerValue, type HubClientOptions, type OpenedBody } from './client.js';
export { hubFileUrl, hubRevision, msRevision, type HubName } from './files.js';
