/**
 * The router: Nebula's OpenAI-compatible data plane (DESIGN.md §4). `startRouter` is the entry point used by
 * `nebula router`, `nebula up` and the tests.
 */
export { startRouter, type RouterDeps, type RouterHandle } from './router.js';
export { RouterOptions, type RouterOptionsInput } from './options.js';
export { RouterError, routerErrors, type OpenAIErrorType } from './errors.js';
export { RouterMetrics } from './metrics.js';
export {
  createBalancer,
  DEFAULT_POLICY,
  type Balancer,
  type Candidate,
  type PickRequest,
} from './balancers/index.js';
export {
  EndpointTable,
  parseStaticUpstreams,
  loadStaticUpstreamsFile,
  upstreamFromEnv,
  WILDCARD_MODEL,
  type StaticModel,
} from './table/index.js';
export { buildTokenTable, loadTokensFile, type Principal, type RateLimit } from './auth/index.js';
export { aiServiceProtoPath, loadAiService, PROTO_LOADER_OPTIONS } from './grpc/index.js';
